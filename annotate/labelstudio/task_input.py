"""Task files as push input: what ``annotate tasks`` wrote, read item by item.

``annotate tasks`` writes one ``.json`` array, a ``.jsonl`` file or, with ``--out-dir``, a
folder of ``tasks-00000.json`` shards (:mod:`annotate.labelstudio.task_files`). ``push
--tasks`` imports them as they are, predictions included, into the project of each task's
``data.layer``: :func:`read_task_files` yields their tasks one at a time (a ``.json``
array through :func:`annotate.labelstudio.json_items.array_items`, JSON Lines line by
line, ``.gz`` ones gunzipped), never a file whole. A task that is not an object with a
``data.task_key`` and a known ``data.layer``, a line that is not JSON, or a file that is
not a JSON array goes to ``problems`` with its file and place, so a push can list them all
before it sends anything.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import IO, Any, cast

import ijson
import orjson

from annotate.errors import CorpusError
from annotate.labelstudio.json_items import array_items
from annotate.labelstudio.tasks import KEY_FIELD
from annotate.layers import layer_names

__all__ = ["TASK_SUFFIXES", "read_task_files", "task_files"]

TASK_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")


def _kind(path: Path) -> str | None:
    return next((s for s in TASK_SUFFIXES if path.name.endswith(s)), None)


def task_files(path: Path) -> list[Path]:
    """The task files at ``path``: the file itself, or a folder's files (sorted by name, so
    ``tasks-00000.json``, ``tasks-00001.json``, … in order)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and _kind(p))
        if not files:
            raise CorpusError(
                f"no task files ({', '.join(TASK_SUFFIXES)})",
                file=path,
                hint="make them with annotate tasks --out-dir, or push the articles without --tasks",
            )
        return files
    if not path.is_file():
        raise CorpusError("no such file or directory", file=path)
    if _kind(path) is None:
        raise CorpusError(f"not a task file; expected one of {', '.join(TASK_SUFFIXES)}", file=path)
    return [path]


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _checked(task: Any, path: Path, where: str, known: set[str]) -> dict[str, Any]:
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict):
        raise CorpusError(f"{where}: not a Label Studio task (no data object)", file=path)
    if not isinstance(data.get(KEY_FIELD), str) or not data[KEY_FIELD]:
        raise CorpusError(
            f"{where}: no data.{KEY_FIELD}",
            file=path,
            json_path=f"$.data.{KEY_FIELD}",
            hint="push only tasks made by annotate tasks: the key makes a rerun skip them",
        )
    if data.get("layer") not in known:
        raise CorpusError(
            f"{where}: unknown layer {data.get('layer')!r}; known: {', '.join(sorted(known))}",
            file=path,
            json_path="$.data.layer",
        )
    return task


def _items(path: Path) -> Iterator[tuple[str, Any]]:
    """(where, item) of one file; a fault of the file itself raises CorpusError."""
    try:
        with closing(_open(path)) as stream:
            if ".jsonl" in path.name:
                for lineno, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield f"line {lineno}", orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        yield (
                            f"line {lineno}",
                            CorpusError(f"line {lineno}: invalid JSON ({exc})", file=path),
                        )
            else:
                for index, item in enumerate(array_items(stream)):
                    yield f"task #{index}", item
    except (OSError, EOFError, zlib.error, ValueError, ijson.JSONError) as exc:
        what = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise CorpusError(
            f"cannot read the tasks: {what}",
            file=path,
            hint="a .json task file is one JSON array, as annotate tasks writes it",
        ) from exc


def read_task_files(path: Path, *, problems: list[CorpusError]) -> Iterator[dict[str, Any]]:
    """Every good task of the task files at ``path`` (see the module docstring), in order;
    the bad ones are added to ``problems``."""
    known = set(layer_names())
    for file in task_files(path):
        where = ""
        try:
            for where, item in _items(file):
                try:
                    if isinstance(item, CorpusError):
                        raise item
                    yield _checked(item, file, where, known)
                except CorpusError as exc:
                    problems.append(exc)
        except CorpusError as exc:
            problems.append(exc)
            continue
        if not where:  # an empty file: a shard cut short or the wrong file, never "no task"
            problems.append(
                CorpusError(
                    "no task: the file is empty (an empty array or only blank lines)",
                    file=file,
                    hint="make the tasks again with annotate tasks, or remove the file",
                )
            )
