"""``push``, streamed: a corpus of any size goes to Label Studio in bounded memory.

Two passes over the input, never held whole:

1. **Survey** (:mod:`annotate.labelstudio.push_survey`), before anything is sent: every
   article file and ``.jsonl`` line is read and segmented, bad ones are collected (all of
   them, so one run lists them), and only small digests are kept: per layer a 64-bit
   digest of each task key, whether any document has a source text (the labeling config
   shows it), and counts. A bad file or line stops the push here, unless ``skip_invalid``.
2. **Import**: the projects are made or updated and each one's task keys listed once (the
   digests of the keys already there); then the input is read again, in batches of
   documents whose predictions are computed on the engine (the prediction cache kept,
   :func:`annotate.preannotate.batches.stream_predictions`), each document's tasks are
   made and the new ones are sent in batches of the import endpoint's size
   (:data:`annotate.labelstudio.client.IMPORT_BATCH_SIZE`,
   :func:`annotate.labelstudio.client.import_batch`: its retries and messages).

The same import serves documents already in memory with their predictions
(:func:`push_documents`, behind the library's ``annotate.push``), and task files
(:func:`push_tasks`).

What stays in memory is per task a digest of its key (the survey's, and the project's own
keys), not its text; per project the ids of the tasks this push created, for the check
against a concurrent push (:func:`annotate.labelstudio.duplicates.remove_own_copies`)
at the end. A rerun adds nothing (every key is already there); a failure says how many of
the new tasks were imported and that a rerun completes it.
"""

from __future__ import annotations

import contextlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.corpus import read_articles
from annotate.errors import CorpusError, LabelStudioError
from annotate.labelstudio import client as ls
from annotate.labelstudio.duplicates import remove_own_copies
from annotate.labelstudio.push_setup import (
    PushResult,
    bad_input_error,
    guidelines_html,
    guidelines_text,
    nothing_to_push_error,
    project_title,
)
from annotate.labelstudio.push_survey import (
    PushSurvey,
    key_digest,
    layers_of,
    survey_corpus,
    survey_documents,
    survey_tasks,
)
from annotate.labelstudio.rest import open_api
from annotate.labelstudio.tasks import KEY_FIELD, make_tasks
from annotate.labelstudio.team import TeamSettings, apply_team_settings
from annotate.layers import get_layer
from annotate.model import Document, Prediction, Unit
from annotate.names import check_prefix

__all__ = ["StreamedPush", "push_corpus", "push_documents", "push_tasks"]

Progress = Callable[[str], None]
Corpus = Path | Sequence[Path]


@dataclass(slots=True)
class StreamedPush:
    """Per layer what was pushed, and the bad files and lines left out (``skip_invalid``)."""

    results: list[PushResult]
    problems: list[CorpusError]


class _Project:
    """One layer's project during the import: the keys it has, the batch being filled, the
    ids of the tasks this push created."""

    def __init__(
        self, client: Any, layer: str, project_id: int, *, wanted: set[int], batch_size: int
    ) -> None:
        self.client, self.layer, self.project_id = client, layer, project_id
        self.wanted, self.batch_size = wanted, batch_size
        listed, self.before = ls.task_keys(client, project_id, key_field=KEY_FIELD)
        self.present = {key_digest(k) for k in listed}
        self.new = len(wanted - self.present)  # what this push has to import
        self.batch: list[tuple[str, dict[str, Any]]] = []
        self.created = array("q")
        self.skipped = 0

    def add(self, task: dict[str, Any]) -> None:
        key = str(task["data"][KEY_FIELD])
        digest = key_digest(key)
        if digest not in self.wanted:
            raise CorpusError(
                f"task {key} was not in the articles when they were checked",
                hint="an article file changed during the push; rerun it",
            )
        if digest in self.present:  # on the server already, or met before in this push
            self.skipped += 1
            return
        self.present.add(digest)
        self.batch.append((key, task))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        found: dict[str, int] = {}
        try:
            ls.import_batch(
                self.client, self.project_id, self.batch, key_field=KEY_FIELD, found=found
            )
        except LabelStudioError as exc:
            imported = len(self.created) + len(found)  # found: what reached the server
            raise ls.unfinished_import(exc, imported=imported, of=self.new) from exc
        self.created.extend(found.values())
        self.batch = []


def _open_projects(
    client: Any,
    survey: PushSurvey,
    *,
    prefix: str,
    guidelines: Path | None,
    team: TeamSettings | None,
    batch_size: int,
    say: Progress,
) -> dict[str, tuple[_Project, str, bool, list[str]]]:
    """Make or update each layer's project and list its keys (before any import)."""
    opened = {}
    for layer, keys in survey.keys.items():
        if not keys:
            say(f"{layer}: no document it applies to; left out")
            continue
        lay = get_layer(layer)
        title = project_title(prefix, layer)
        say(f"{layer}: project {title!r}")
        project_id, created = ls.ensure_project(
            client,
            title=title,
            label_config=lay.label_config(source=lay.shows_source and survey.has_source),
            description=f"annotate layer {layer} ({survey.unit or 'paragraph'} tasks)",
            instructions=guidelines_html(guidelines, layer),
        )
        changed = apply_team_settings(client, project_id, team) if team else []
        project = _Project(client, layer, project_id, wanted=keys, batch_size=batch_size)
        say(f"{layer}: {project.new} of {len(keys)} tasks to import")
        opened[layer] = (project, title, created, changed)
    return opened


def _corpus_tasks(
    corpus: Corpus,
    *,
    layers: Sequence[str],
    unit: Unit,
    lang: str | None,
    all_documents: bool,
    predictors: Sequence[str],
    engine: str,
    workers: int | None,
    address: str | None,
    cache_dir: Path | None,
    use_cache: bool,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The second pass: (layer, task) for every task of the corpus, each document's
    predictions computed in batches on the engine."""
    from annotate.engine import open_engine
    from annotate.preannotate.batches import stream_predictions
    from annotate.preannotate.cache import PredictionCache

    documents = read_articles(corpus, lang=lang, problems=[])  # the survey listed them
    with contextlib.ExitStack() as stack:
        pairs: Iterable[tuple[Document, list[Any]]] = ((d, []) for d in documents)
        if predictors:
            executor = stack.enter_context(open_engine(engine, workers=workers, address=address))
            cache = PredictionCache(cache_dir) if use_cache else None
            if cache is not None:
                stack.callback(cache.close)
            pairs = stream_predictions(predictors, documents, engine=executor, cache=cache)
        for document, predictions in pairs:
            yield from _document_tasks(document, layers, unit, all_documents, predictions)


def _document_tasks(
    document: Document,
    layers: Sequence[str],
    unit: Unit,
    all_documents: bool,
    predictions: Sequence[Prediction],
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(layer, task) for every task of the document in the layers offered for it."""
    for layer in layers_of(document, layers, all_documents):
        for task in make_tasks([document], layer, unit=unit, predictions=predictions):
            yield layer, task


def push_corpus(
    corpus: Corpus,
    *,
    layers: Sequence[str],
    unit: Unit = "paragraph",
    predictors: Sequence[str] = (),
    lang: str | None = None,
    skip_invalid: bool = False,
    all_documents: bool = False,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    **push: Any,
) -> StreamedPush:
    """Push the articles at ``corpus`` into one project per layer, streamed (see the module
    docstring); safe to rerun. Bad files or lines stop it before anything is sent (a
    :class:`~annotate.errors.CorpusError` listing them all) unless ``skip_invalid``, which
    pushes the good ones and returns the bad ones. The predictors run on ``engine``
    (:func:`annotate.engine.open_engine`) with the prediction cache; ``push`` holds the
    options of :func:`_push` (prefix, guidelines, team, batch_size, url, api_key,
    progress)."""
    from annotate.preannotate import PARALLEL_FROM_CHARS, PredictorOptions
    from annotate.preannotate.batches import ordered_predictors

    _check(push)
    ordered_predictors(predictors, PredictorOptions())  # an unknown predictor, before reading
    survey = survey_corpus(corpus, layers=layers, unit=unit, lang=lang, all_documents=all_documents)
    if engine == "local" and workers is None and survey.chars < PARALLEL_FROM_CHARS:
        workers = 1  # a small corpus is predicted in this process, without a pool

    def tasks(chosen: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        return _corpus_tasks(
            corpus,
            layers=chosen,
            unit=unit,
            lang=lang,
            all_documents=all_documents,
            predictors=predictors,
            engine=engine,
            workers=workers,
            address=address,
            cache_dir=cache_dir,
            use_cache=use_cache,
        )

    return _push(survey, tasks, path=corpus, skip_invalid=skip_invalid, **push)


def push_documents(
    documents: Iterable[Document],
    *,
    layers: Sequence[str],
    unit: Unit = "paragraph",
    predictions: Iterable[Prediction] = (),
    all_documents: bool = False,
    **push: Any,
) -> StreamedPush:
    """Push documents already read, with the predictions already made for them (in one
    list, as :func:`annotate.preannotate.run_predictors` returns), as :func:`push_corpus`
    does: the same import, the same options but the corpus and predictor ones. The
    documents are gone through twice (the survey, then the import): an iterator
    (:func:`annotate.corpus.read_articles`) is made a list first."""
    _check(push)
    if not isinstance(documents, Sequence):
        documents = list(documents)
    survey = survey_documents(documents, layers=layers, unit=unit, all_documents=all_documents)
    by_doc: dict[str, list[Prediction]] = {}
    for prediction in predictions:
        by_doc.setdefault(prediction.doc_id, []).append(prediction)

    def tasks(chosen: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        for document in documents:
            found = by_doc.get(document.id, [])
            yield from _document_tasks(document, chosen, unit, all_documents, found)

    return _push(survey, tasks, path=(), skip_invalid=False, **push)


def push_tasks(
    path: Path, *, layers: Sequence[str], skip_invalid: bool = False, **push: Any
) -> StreamedPush:
    """Push task files made by ``annotate tasks`` (one ``.json`` array, ``.jsonl``, or a
    folder of ``--out-dir`` shards) as they are, predictions included, each task into the
    project of its ``data.layer`` (those of ``layers`` only), streamed as
    :func:`push_corpus` does; the same options but the corpus and predictor ones."""
    from annotate.labelstudio.task_input import read_task_files

    _check(push)
    survey = survey_tasks(path, layers=layers)

    def tasks(chosen: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        for task in read_task_files(path, problems=[]):  # the survey listed the bad ones
            if task["data"]["layer"] in chosen:
                yield task["data"]["layer"], task

    return _push(survey, tasks, path=path, skip_invalid=skip_invalid, **push)


def _check(push: dict[str, Any]) -> None:
    """What fails before any input is read: the prefix, the guidelines file."""
    check_prefix(push.get("prefix", "annotate"))
    guidelines_text(push.get("guidelines"))


def _push(
    survey: PushSurvey,
    tasks: Callable[[list[str]], Iterable[tuple[str, dict[str, Any]]]],
    *,
    path: Corpus,
    skip_invalid: bool,
    prefix: str = "annotate",
    guidelines: Path | None = None,
    team: TeamSettings | None = None,
    batch_size: int | None = None,
    url: str | None = None,
    api_key: str | None = None,
    progress: Progress | None = None,
) -> StreamedPush:
    """The import (the module docstring's second pass) of what ``tasks(layers)`` yields,
    once ``survey`` found nothing bad (or ``skip_invalid``). ``batch_size``: tasks per
    import request (default :data:`~annotate.labelstudio.client.IMPORT_BATCH_SIZE`)."""
    say = progress or (lambda _m: None)
    if survey.problems and (not skip_invalid or not survey.good):
        raise bad_input_error(survey.problems, path=path, any_good=bool(survey.good))
    if not any(survey.keys.values()):
        raise nothing_to_push_error(list(survey.keys), path=path, task_files=survey.task_files)
    client = open_api(url=url, api_key=api_key)
    opened = _open_projects(
        client,
        survey,
        prefix=prefix,
        guidelines=guidelines,
        team=team,
        batch_size=batch_size or ls.IMPORT_BATCH_SIZE,
        say=say,
    )
    for layer, task in tasks(list(opened)):
        opened[layer][0].add(task)
    results = []
    for layer, (project, title, created, changed) in opened.items():
        project.flush()
        removed = remove_own_copies(
            client,
            project.project_id,
            created_ids=project.created,
            tasks_before=project.before,
            key_field=KEY_FIELD,
        )
        say(f"{layer}: {len(project.created) - removed} tasks imported")
        results.append(
            PushResult(
                layer,
                project.project_id,
                title,
                created,
                len(project.created) - removed,
                project.skipped + removed,
                duplicates_removed=removed,
                documents=survey.documents[layer],
                settings_changed=changed,
            )
        )
    return StreamedPush(results, survey.problems)
