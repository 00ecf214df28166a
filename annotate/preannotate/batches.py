"""Predictions over a stream of documents, batch by batch, on an engine.

:func:`stream_predictions` reads the documents in batches of :data:`BATCH_DOCUMENTS`,
takes what the prediction cache already holds, sends the rest of each batch to the engine
(:mod:`annotate.engine`) as one :class:`PredictBatch` and yields every document with its
predictions, in the documents' order. Only a few batches are in flight at a time (the
engine bounds them), so a corpus of any size streams through in bounded memory.

The batches are the same whatever the engine and the number of workers (a fixed number
of documents, in input order), and a document's predictions come in the order
:func:`annotate.preannotate.iter_predictions` gives them (the predictors sharing a spaCy
pipeline together, in the order named, then the others): the tasks made from them are
the same bytes on every engine. Each worker loads a pipeline once (the engine's preload),
not once per batch.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, cast

from annotate.model import Document, Prediction
from annotate.preannotate import (
    Predictor,
    PredictorOptions,
    SpacyPredictor,
    get_predictor,
    pipe_documents,
)

if TYPE_CHECKING:
    from annotate.engine import Executor
    from annotate.preannotate.cache import PredictionCache

__all__ = [
    "BATCH_DOCUMENTS",
    "PredictBatch",
    "load_pipelines",
    "ordered_predictors",
    "predict_batch",
    "predict_on_engine",
    "stream_predictions",
]

# Documents per work item: enough for nlp.pipe to batch well, few enough that two workers
# share a small corpus (and that a batch of long articles stays a few MB).
BATCH_DOCUMENTS = 32


@dataclass(frozen=True, slots=True)
class PredictBatch:
    """One work item: the predictors (by name, in order) and the documents to run them on."""

    names: tuple[str, ...]
    options: PredictorOptions
    documents: list[Document]


def _groups(
    predictors: Sequence[Predictor],
) -> tuple[list[list[SpacyPredictor]], list[Predictor]]:
    groups: dict[str, list[SpacyPredictor]] = {}
    others: list[Predictor] = []
    for p in predictors:
        if isinstance(p, SpacyPredictor):
            groups.setdefault(p.pipeline_key, []).append(p)
        else:
            others.append(p)
    return list(groups.values()), others


def ordered_predictors(names: Sequence[str], options: PredictorOptions) -> list[Predictor]:
    """The named predictors (each once) in the order a document's predictions come in: those
    sharing a spaCy pipeline together, pipelines in the order first named, then the others.
    An unknown name raises :class:`~annotate.errors.ConfigError` listing the known ones."""
    groups, others = _groups([get_predictor(n, options) for n in dict.fromkeys(names)])
    return [*itertools.chain.from_iterable(groups), *others]


def load_pipelines(names: tuple[str, ...], options: PredictorOptions) -> None:
    """Load the spaCy pipelines of the named predictors (cached in the process): the
    engine's preload, run once per worker."""
    groups, _others = _groups(ordered_predictors(names, options))
    for members in groups:
        members[0].load_nlp()


def predict_batch(work: PredictBatch) -> list[list[Prediction]]:
    """Per document of the batch, in order, its predictions (run on a worker)."""
    docs = work.documents
    per_doc: list[list[Prediction]] = [[] for _ in docs]
    if not docs:
        return per_doc
    groups, others = _groups(ordered_predictors(work.names, work.options))
    options = replace(work.options, n_process=1)  # the engine is the parallelism
    for members in groups:
        nlp = members[0].load_nlp()
        piped = pipe_documents(nlp, docs, options)
        for row, (sdoc, document) in zip(per_doc, piped, strict=True):
            row.extend(p.extract(sdoc, document) for p in members)
    for other in others:
        for row, prediction in zip(per_doc, other.predict(docs), strict=True):
            row.append(prediction)
    return per_doc


@dataclass(slots=True)
class _Sent:
    """A batch on its way: its documents, their cache keys and hits, and which were sent."""

    documents: list[Document]
    keys: list[list[str]]
    cached: dict[str, Prediction]
    sent: list[int]


def stream_predictions(
    names: Sequence[str],
    documents: Iterable[Document],
    *,
    engine: Executor,
    options: PredictorOptions | None = None,
    cache: PredictionCache | None = None,
    batch_size: int = BATCH_DOCUMENTS,
) -> Iterator[tuple[Document, list[Prediction]]]:
    """Every document with its predictions, in the documents' order (see the module
    docstring); with a ``cache``, predictions it holds are read back instead of computed,
    and those computed are stored. ``engine`` must be open (inside its ``with``)."""
    from annotate.preannotate.cache import prediction_key

    options = options or PredictorOptions()
    predictors = ordered_predictors(names, options)  # unknown names fail before any work
    run_names = tuple(p.name for p in predictors)
    versions = [p.version for p in predictors]  # (a user gazetteer's digest reads its file)
    on_the_way: deque[_Sent] = deque()
    preloaded = False

    def work() -> Iterator[PredictBatch]:
        nonlocal preloaded
        docs = iter(documents)
        while batch := list(itertools.islice(docs, batch_size)):
            keys = [[prediction_key(d, v) for v in versions] for d in batch] if cache else []
            cached = cache.get_many([k for row in keys for k in row]) if cache else {}
            sent = [
                i for i in range(len(batch)) if not cache or any(k not in cached for k in keys[i])
            ]
            if sent and not preloaded:  # the pipelines load only when something is computed
                engine.preload(partial(load_pipelines, run_names, options))
                preloaded = True
            on_the_way.append(_Sent(batch, keys, cast(dict[str, Prediction], cached), sent))
            yield PredictBatch(run_names, options, [batch[i] for i in sent])

    if not predictors:
        yield from ((d, []) for d in documents)
        return
    for computed in engine.map(predict_batch, work()):
        done = on_the_way.popleft()
        fresh = dict(zip(done.sent, computed, strict=True))
        store: list[tuple[str, Prediction]] = []
        for i, document in enumerate(done.documents):
            if i in fresh:
                predictions = fresh[i]
                if cache:
                    store.extend(zip(done.keys[i], predictions, strict=True))
            else:
                predictions = [done.cached[k] for k in done.keys[i]]
            yield document, predictions
        if cache and store:
            cache.put_many(store)


def predict_on_engine(
    names: Sequence[str],
    documents: Iterable[Document],
    *,
    engine: str,
    workers: int | None = None,
    address: str | None = None,
    cache: PredictionCache | None = None,
) -> list[Prediction]:
    """Every prediction of the named predictors over the documents, computed on the engine
    called ``engine`` (opened for the call and closed after it), document by document."""
    from annotate.engine import open_engine

    ordered_predictors(names, PredictorOptions())  # unknown names, before the engine starts
    with open_engine(engine, workers=workers, address=address) as executor:
        pairs = stream_predictions(names, documents, engine=executor, cache=cache)
        return [p for _document, predictions in pairs for p in predictions]
