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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from annotate.errors import ConfigError
from annotate.model import Annotation, Document, Prediction, task_key

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from annotate.preannotate.cache import PredictionCache

__all__ = [
    "AUTO_PROCESSES_FROM",
    "PARALLEL_FROM_CHARS",
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
    "unknown_predictor",
]

# From this many documents on, ``n_process=None`` means several processes.
AUTO_PROCESSES_FROM = 500


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
        raise unknown_predictor(name) from None
    return factory(options or PredictorOptions())


def unknown_predictor(name: str) -> ConfigError:
    """The error for a name the registry does not have: the known names, and the closest
    one as a hint."""
    from annotate.text import closest

    _load_builtin()
    known = sorted(PREDICTORS)
    best = closest(name, known)
    return ConfigError(
        f"unknown predictor {name!r}; known: {', '.join(known) or 'none'}",
        hint=f"did you mean {best!r}?" if best else None,
    )


def boilerplate_ranges(document: Document) -> list[tuple[int, int]]:
    """The ``[start, end)`` of the document's boilerplate paragraphs."""
    return [(p.start, p.end) for p in document.paragraphs if p.boilerplate]


def pipe_documents(
    nlp: Language, documents: Iterable[Document], options: PredictorOptions
) -> Iterator[tuple[Doc, Document]]:
    """``nlp.pipe`` over the documents' texts, yielding each spaCy doc with its document, in
    order. Only the texts cross to the worker processes. A text longer than
    ``nlp.max_length`` is processed in pieces joined again (:mod:`.chunks`), never refused."""
    from spacy.tokens import Doc as SpacyDoc

    from annotate.preannotate.chunks import chunk_ranges

    docs = iter(documents)
    n_process = options.n_process
    head: list[Document] = []
    if n_process is None:
        head = list(itertools.islice(docs, AUTO_PROCESSES_FROM))
        large = len(head) == AUTO_PROCESSES_FROM
        n_process = min(os.cpu_count() or 1, 4) if large else 1
    pending: deque[tuple[Document, int]] = deque()

    def texts() -> Iterator[str]:
        for document in itertools.chain(head, docs):
            pieces = chunk_ranges(document, nlp.max_length)
            pending.append((document, len(pieces)))
            for start, end in pieces:
                yield document.text[start:end]

    stream = nlp.pipe(texts(), batch_size=options.batch_size, n_process=n_process)
    for sdoc in stream:
        document, n_pieces = pending.popleft()
        if n_pieces > 1:
            parts = [sdoc, *itertools.islice(stream, n_pieces - 1)]
            sdoc = SpacyDoc.from_docs(parts, ensure_whitespace=False)
        yield sdoc, document


# From this many characters of uncached text on, predictions run in a process pool (below,
# starting the pool costs more than it saves).
PARALLEL_FROM_CHARS = 50_000


def _predict_batch(work: tuple[tuple[str, ...], PredictorOptions, list[Document]]) -> list[Any]:
    """One pipeline's predictors over a batch of documents (run in a worker process): per
    document, the list of its predictions in the predictors' order."""
    names, options, documents = work
    members = [cast(SpacyPredictor, get_predictor(n, options)) for n in names]
    nlp = members[0].load_nlp()
    return [
        [p.extract(sdoc, document) for p in members]
        for sdoc, document in pipe_documents(nlp, documents, options)
    ]


def _compute(
    members: list[SpacyPredictor], docs: list[Document], options: PredictorOptions, jobs: int
) -> Iterator[list[Prediction]]:
    """Per document, in order, the predictions of the members (sharing one pipeline)."""
    from annotate.engine import LocalExecutor

    nlp = members[0].load_nlp()  # before the pool forks, so the workers share it
    if jobs == 1 or sum(len(d.text) for d in docs) < PARALLEL_FROM_CHARS:
        options = replace(options, n_process=options.n_process or 1)
        for sdoc, document in pipe_documents(nlp, docs, options):
            yield [p.extract(sdoc, document) for p in members]
        return
    size = max(1, min(options.batch_size, len(docs) // (jobs * 4)))
    names = tuple(p.name for p in members)
    worker_options = replace(options, n_process=1)
    work = ((names, worker_options, docs[i : i + size]) for i in range(0, len(docs), size))
    for batch in LocalExecutor(jobs).map(_predict_batch, work):
        yield from batch


def _group_predictions(
    members: list[SpacyPredictor],
    docs: list[Document],
    options: PredictorOptions,
    *,
    jobs: int,
    cache: PredictionCache | None,
) -> Iterator[list[Prediction]]:
    """Per document, in order, the members' predictions: from the cache when every member's
    is there, else computed (and stored)."""
    from annotate.preannotate.cache import prediction_key

    versions = [p.version for p in members]  # (a user gazetteer's digest reads its file)
    keys = [[prediction_key(d, v) for v in versions] for d in docs] if cache else []
    cached = cache.get_many([k for row in keys for k in row]) if cache else {}
    todo = [i for i in range(len(docs)) if not cache or any(k not in cached for k in keys[i])]
    computed = _compute(members, [docs[i] for i in todo], options, jobs) if todo else iter(())
    wanted = set(todo)
    fresh: list[tuple[str, Prediction]] = []
    for i in range(len(docs)):
        if i not in wanted:
            yield [cached[k] for k in keys[i]]
            continue
        predictions = next(computed)
        if cache:
            fresh.extend(zip(keys[i], predictions, strict=True))
            if len(fresh) >= 1000:
                cache.put_many(fresh)
                fresh = []
        yield predictions
    if cache and fresh:
        cache.put_many(fresh)


def iter_predictions(
    names: Sequence[str],
    documents: Iterable[Document],
    *,
    options: PredictorOptions | None = None,
    progress: Callable[[PredictProgress], None] | None = None,
    jobs: int | None = None,
    cache: PredictionCache | None = None,
) -> Iterator[Prediction]:
    """Run the named predictors over the documents, yielding each :class:`Prediction` as
    soon as it is made.

    Predictors that share a spaCy pipeline share one ``nlp.pipe``. ``jobs`` processes run it
    (``None``: every core) once the corpus is large enough to gain from it
    (:data:`PARALLEL_FROM_CHARS`); the output is the same whatever ``jobs``. With a
    ``cache`` (:class:`~annotate.preannotate.cache.PredictionCache`), predictions already
    made for the same document by the same predictor version are read back instead.
    ``progress`` is called after each document of each pipeline. Unknown names raise
    :class:`ConfigError` before any work is done.
    """
    from annotate.engine import LocalExecutor

    options = options or PredictorOptions()
    jobs = LocalExecutor(jobs).jobs
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
        made = _group_predictions(members, docs, options, jobs=jobs, cache=cache)
        for done, predictions in enumerate(made, start=1):
            yield from predictions
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
    jobs: int | None = None,
    cache: PredictionCache | None = None,
) -> list[Prediction]:
    """Every :class:`Prediction` of the named predictors over the documents (see
    :func:`iter_predictions`, which yields them one at a time)."""
    return list(
        iter_predictions(
            names, documents, options=options, progress=progress, jobs=jobs, cache=cache
        )
    )


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
