"""Predictors turn Documents into pre-annotations, sent to Label Studio as predictions.

A predictor has a ``name`` (``<layer>.<method>``, e.g. ``entities.spacy``), a ``version``
that becomes the prediction's ``model_version``, and a ``predict`` method that yields one
:class:`Prediction` per document. The registry below lists them; an unknown name lists
the known ones.

Built-in predictors (their modules are imported on first lookup, because spaCy is slow to
import):

- ``entities.spacy``: fr_core_news_sm as it is (PER, ORG, LOC, MISC), a baseline;
- ``entities.rules``: the model plus rules, a gazetteer and clean-ups (recommended);
- ``claims.cues``: claim and source spans from cues, with modality and attribution;
- ``translation_errors.checks``: monolingual MQM checks with a proposed severity.

:func:`run_predictors` (or :func:`iter_predictions`) runs several of them over a corpus with one ``nlp.pipe`` per spaCy
pipeline (in several processes when the corpus is large), reporting progress to a callback.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from annotate.errors import ConfigError
from annotate.model import Annotation, Document, Relation, Span, task_key

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "AUTO_PROCESSES_FROM",
    "PREDICTORS",
    "PredictProgress",
    "Prediction",
    "Predictor",
    "PredictorOptions",
    "SpacyPredictor",
    "as_annotation",
    "boilerplate_ranges",
    "get_predictor",
    "iter_predictions",
    "pipe_documents",
    "predictor_names",
    "register",
    "run_predictors",
]

# From this many documents on, ``n_process=None`` means several processes.
AUTO_PROCESSES_FROM = 500


@dataclass(slots=True)
class Prediction:
    """What one predictor proposes for one document (offsets into the document text)."""

    doc_id: str
    layer: str
    model_version: str
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PredictorOptions:
    """Options shared by the built-in predictors.

    ``batch_size`` and ``n_process`` go to ``nlp.pipe`` (``n_process=None``: one process for
    a small corpus, up to four from :data:`AUTO_PROCESSES_FROM` documents on). ``gazetteer``
    lists user gazetteer files that extend the built-in one (see
    :mod:`annotate.preannotate.gazetteer`); they are part of ``model_version``.
    """

    batch_size: int = 64
    n_process: int | None = None
    gazetteer: tuple[str | Path, ...] = ()

    def gazetteer_paths(self) -> tuple[str, ...]:
        return tuple(str(Path(p).resolve()) for p in self.gazetteer)

    def version_suffix(self) -> str:
        if not self.gazetteer:
            return ""
        digest = hashlib.sha256()
        for path in self.gazetteer_paths():
            try:
                digest.update(Path(path).read_bytes())
            except OSError as exc:
                raise ConfigError(f"cannot read gazetteer: {exc.strerror}", file=path) from exc
        return f"+gazetteer:{digest.hexdigest()[:8]}"


@dataclass(frozen=True, slots=True)
class PredictProgress:
    """Progress of :func:`run_predictors`: ``done`` of ``total`` documents through the
    ``predictors`` that share one spaCy pipeline; ``str()`` gives a one-line message."""

    predictors: tuple[str, ...]
    done: int
    total: int

    def __str__(self) -> str:
        return f"{', '.join(self.predictors)}: {self.done}/{self.total} documents"


class Predictor(Protocol):
    name: str
    layer: str
    version: str

    def predict(self, documents: Iterable[Document]) -> Iterator[Prediction]: ...


@runtime_checkable
class SpacyPredictor(Protocol):
    """A predictor over a spaCy pipeline: predictors with the same ``pipeline_key`` share
    one ``nlp.pipe`` in :func:`run_predictors`."""

    name: str
    layer: str
    version: str
    pipeline_key: str

    def load_nlp(self) -> Language: ...

    def extract(self, sdoc: Doc, document: Document) -> Prediction: ...

    def predict(self, documents: Iterable[Document]) -> Iterator[Prediction]: ...


PREDICTORS: dict[str, Callable[[PredictorOptions], Predictor]] = {}


def register(name: str) -> Callable[[Any], Any]:
    """Class decorator (or factory decorator) that adds a predictor to the registry. The
    factory is called with a :class:`PredictorOptions`."""

    def deco(factory: Any) -> Any:
        PREDICTORS[name] = factory
        return factory

    return deco


def _load_builtin() -> None:
    # Importing the modules registers their predictors; kept lazy because spaCy is slow to import.
    import importlib

    for module in ("entities", "claims", "translation_errors"):
        try:
            importlib.import_module(f"annotate.preannotate.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"annotate.preannotate.{module}":
                raise


def predictor_names() -> list[str]:
    """The names of the known predictors, sorted."""
    _load_builtin()
    return sorted(PREDICTORS)


def get_predictor(name: str, options: PredictorOptions | None = None) -> Predictor:
    """The predictor called ``name``; an unknown name lists the known ones."""
    _load_builtin()
    try:
        factory = PREDICTORS[name]
    except KeyError:
        raise ConfigError(
            f"unknown predictor {name!r}; known: {', '.join(sorted(PREDICTORS)) or 'none'}"
        ) from None
    return factory(options or PredictorOptions())


def boilerplate_ranges(document: Document) -> list[tuple[int, int]]:
    """The ``[start, end)`` of the document's boilerplate paragraphs."""
    return [(p.start, p.end) for p in document.paragraphs if p.boilerplate]


def pipe_documents(
    nlp: Language, documents: Iterable[Document], options: PredictorOptions
) -> Iterator[tuple[Doc, Document]]:
    """``nlp.pipe`` over the documents' texts, yielding each spaCy doc with its document, in
    order. Only the texts cross to the worker processes."""
    docs = iter(documents)
    n_process = options.n_process
    head: list[Document] = []
    if n_process is None:
        head = list(itertools.islice(docs, AUTO_PROCESSES_FROM))
        large = len(head) == AUTO_PROCESSES_FROM
        n_process = min(os.cpu_count() or 1, 4) if large else 1
    pending: deque[Document] = deque()

    def texts() -> Iterator[str]:
        for document in itertools.chain(head, docs):
            pending.append(document)
            yield document.text

    for sdoc in nlp.pipe(texts(), batch_size=options.batch_size, n_process=n_process):
        yield sdoc, pending.popleft()


def iter_predictions(
    names: Sequence[str],
    documents: Iterable[Document],
    *,
    options: PredictorOptions | None = None,
    progress: Callable[[PredictProgress], None] | None = None,
) -> Iterator[Prediction]:
    """Run the named predictors over the documents, yielding each :class:`Prediction` as
    soon as it is made.

    Predictors that share a spaCy pipeline share one ``nlp.pipe`` (batched, several
    processes for a large corpus: see :class:`PredictorOptions`). ``progress`` is called
    after each document of each pipeline. Unknown names raise :class:`ConfigError` before
    any work is done.
    """
    options = options or PredictorOptions()
    predictors = [get_predictor(n, options) for n in dict.fromkeys(names)]
    docs = list(documents)
    groups: dict[str, list[SpacyPredictor]] = {}
    others: list[Predictor] = []
    for p in predictors:
        if isinstance(p, SpacyPredictor):
            groups.setdefault(p.pipeline_key, []).append(p)
        else:
            others.append(p)
    for members in groups.values():
        label = tuple(p.name for p in members)
        nlp = members[0].load_nlp()
        for done, (sdoc, document) in enumerate(pipe_documents(nlp, docs, options), start=1):
            for p in members:
                yield p.extract(sdoc, document)
            if progress is not None:
                progress(PredictProgress(label, done, len(docs)))
    for other in others:
        for done, prediction in enumerate(other.predict(docs), start=1):
            yield prediction
            if progress is not None:
                progress(PredictProgress((other.name,), done, len(docs)))


def run_predictors(
    names: Sequence[str],
    documents: Iterable[Document],
    *,
    options: PredictorOptions | None = None,
    progress: Callable[[PredictProgress], None] | None = None,
) -> list[Prediction]:
    """Every :class:`Prediction` of the named predictors over the documents (see
    :func:`iter_predictions`, which yields them one at a time)."""
    return list(iter_predictions(names, documents, options=options, progress=progress))


def as_annotation(prediction: Prediction, document: Document) -> Annotation:
    """A prediction as one document-wide annotation record (``origin="prediction"``), for
    :func:`annotate.evaluate.evaluate` or for storing beside human annotations."""
    if prediction.doc_id != document.id:
        raise ConfigError(
            f"prediction is for document {prediction.doc_id[:16]}…, not {document.id[:16]}…"
        )
    return Annotation(
        layer=prediction.layer,
        doc_id=document.id,
        task_key=task_key(document.id, prediction.layer, 0, len(document.text)),
        segment_start=0,
        segment_end=len(document.text),
        annotator=prediction.model_version,
        origin="prediction",
        model_version=prediction.model_version,
        spans=list(prediction.spans),
        relations=list(prediction.relations),
    )
