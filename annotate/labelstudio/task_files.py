"""Label Studio tasks written as they are made: a corpus streams through pre-annotation on
an engine into task files, never held in memory whole.

:func:`write_tasks` reads the articles (a folder of ``.jsonl`` / ``.jsonl.gz`` shards, or
any article files), runs the predictors batch by batch on the engine
(:func:`annotate.preannotate.batches.stream_predictions`), makes each document's tasks and
writes them to one of:

- a stream or a ``.json`` file: one JSON array, the bytes ``json.dumps(tasks,
  ensure_ascii=False, indent=2)`` would give (what ``annotate tasks`` always wrote);
- a ``.jsonl`` file: JSON Lines, one task per line;
- a folder (``out_dir``): shards ``tasks-00000.json``, ``tasks-00001.json``, … of
  ``shard_size`` tasks each, every one a JSON array that Label Studio's import takes (its
  file import reads ``.json`` arrays item by item; it has no JSON Lines reader).

Files are written whole or not at all (:mod:`annotate.files`); a rerun into the same
folder replaces its shards and removes the ones it no longer makes. The output is the same
bytes whichever engine and however many workers.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from annotate.corpus import read_articles
from annotate.files import atomic_open
from annotate.labelstudio.tasks import make_tasks
from annotate.model import Document, Prediction, Unit
from annotate.preannotate import PredictorOptions

__all__ = [
    "SHARD_NAME",
    "TASK_SHARD_SIZE",
    "TasksWritten",
    "json_array_text",
    "json_lines_text",
    "write_tasks",
]

TASK_SHARD_SIZE = 10_000  # tasks per shard: a file Label Studio imports in one request
SHARD_NAME = "tasks-{:05d}.json"
_SHARD = re.compile(r"tasks-(\d{5,})\.json")


@dataclass(slots=True)
class TasksWritten:
    """What :func:`write_tasks` wrote: counts, and the files (none for a stream)."""

    documents: int = 0
    tasks: int = 0
    files: list[Path] = field(default_factory=list)


def json_array_text(tasks: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``json.dumps(list(tasks), ensure_ascii=False, indent=2) + "\\n"``, piece by piece."""
    first = True
    for task in tasks:
        # json.dumps escapes line breaks inside strings: every "\n" here is layout
        body = json.dumps(task, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + body
        first = False
    yield "[]\n" if first else "\n]\n"


def json_lines_text(tasks: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One line of JSON per task."""
    for task in tasks:
        yield json.dumps(task, ensure_ascii=False) + "\n"


def _tasks_of(
    pairs: Iterable[tuple[Document, list[Prediction]]],
    layer: str,
    unit: Unit,
    written: TasksWritten,
    progress: Callable[[TasksWritten], None] | None,
) -> Iterator[dict[str, Any]]:
    for document, predictions in pairs:
        made = make_tasks([document], layer, unit=unit, predictions=predictions)
        written.documents += 1
        written.tasks += len(made)
        yield from made
        if progress is not None:
            progress(written)


def _write_file(path: Path, pieces: Iterable[str]) -> None:
    with atomic_open(path) as fh:
        for piece in pieces:
            fh.write(piece.encode("utf-8"))


def _write_shards(folder: Path, tasks: Iterator[dict[str, Any]], size: int) -> list[Path]:
    files: list[Path] = []
    while True:
        shard = list(itertools.islice(tasks, size))
        if not shard and files:
            break
        path = folder / SHARD_NAME.format(len(files))
        _write_file(path, json_array_text(shard))
        files.append(path)
        if len(shard) < size:
            break
    for old in folder.glob("tasks-*.json"):  # shards of an earlier, longer run
        m = _SHARD.fullmatch(old.name)
        if m and int(m.group(1)) >= len(files):
            old.unlink()
    return files


def write_tasks(
    corpus: Path | Sequence[Path],
    *,
    layer: str,
    out: Path | TextIO,
    out_dir: Path | None = None,
    unit: Unit = "paragraph",
    predictors: Sequence[str] = (),
    lang: str | None = None,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    shard_size: int = TASK_SHARD_SIZE,
    progress: Callable[[TasksWritten], None] | None = None,
) -> TasksWritten:
    """Stream the corpus through the predictors on ``engine`` into tasks for ``layer``,
    written to ``out`` (a text stream, a ``.json`` or a ``.jsonl`` file) or, with
    ``out_dir``, to shards of ``shard_size`` tasks (see the module docstring). The first
    bad article raises :class:`~annotate.errors.CorpusError`; an unknown predictor or
    engine a :class:`~annotate.errors.ConfigError` before any work."""
    from annotate.engine import open_engine
    from annotate.errors import ConfigError
    from annotate.preannotate.batches import ordered_predictors, stream_predictions
    from annotate.preannotate.cache import PredictionCache

    if shard_size < 1:
        raise ConfigError(f"--shard-size must be at least 1, got {shard_size}")
    ordered_predictors(predictors, PredictorOptions())  # unknown names, before the engine starts
    written = TasksWritten()
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(open_engine(engine, workers=workers, address=address))
        cache = PredictionCache(cache_dir) if use_cache and predictors else None
        if cache is not None:
            stack.callback(cache.close)
        documents = read_articles(corpus, lang=lang)
        pairs = stream_predictions(predictors, documents, engine=executor, cache=cache)
        tasks = _tasks_of(pairs, layer, unit, written, progress)
        if out_dir is not None:
            written.files = _write_shards(out_dir, tasks, shard_size)
        elif isinstance(out, Path):
            lines = out.name.endswith(".jsonl")
            _write_file(out, json_lines_text(tasks) if lines else json_array_text(tasks))
            written.files = [out]
        else:
            _write_stream(out, json_array_text(tasks))
    return written


def _write_stream(stream: IO[str], pieces: Iterable[str]) -> None:
    for piece in pieces:
        stream.write(piece)
