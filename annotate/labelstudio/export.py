"""Read a raw Label Studio export into annotation records.

One :class:`~annotate.model.Annotation` per (task, annotation); offsets are mapped back to
the document by the task's ``segment_start``. Reads the JSON export as a stream (``ijson``)
so memory does not grow with the export. Cancelled annotations and drafts are not records:
they are counted in :class:`ExportStats`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from annotate.errors import ExportError
from annotate.layers import LAYERS, get_layer
from annotate.model import Annotation, Issue, task_key, text_sha256

__all__ = ["ExportStats", "ReadItem", "iter_tasks", "read_export"]


@dataclass(slots=True)
class ExportStats:
    """What was in an export besides the records: counts of skipped things, with reasons."""

    tasks: int = 0
    annotations: int = 0
    predictions: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class ReadItem:
    """A record read from an export, the raw annotation it came from, and conversion issues."""

    annotation: Annotation
    raw: dict[str, Any]
    issues: list[Issue]
    segment_text: str


def iter_tasks(source: str | Path | BinaryIO) -> Iterator[dict[str, Any]]:
    """The tasks of a JSON export (a top-level list), one at a time."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            fh: BinaryIO = path.open("rb")
        except OSError as exc:
            raise ExportError(f"cannot read: {exc.strerror}", file=path) from exc
        with fh:
            yield from _iter(fh, str(path))
    else:
        yield from _iter(source, getattr(source, "name", "<stream>"))


def _iter(fh: BinaryIO, name: str) -> Iterator[dict[str, Any]]:
    count = 0
    try:
        for task in ijson.items(fh, "item", use_float=True):
            yield task
            count += 1
    except ijson.JSONError as exc:
        raise ExportError(
            f"invalid JSON after {count} complete tasks: {exc}",
            file=name,
            json_path=f"$[{count}]",
            hint="the export is truncated or not JSON; export again",
        ) from exc


def _annotator(completed_by: Any) -> str:
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or completed_by.get("id") or "unknown")
    return "unknown" if completed_by is None else str(completed_by)


def _task_text(data: dict[str, Any]) -> str:
    text = data.get("text")
    if isinstance(text, str):
        return text
    strings = [v for v in data.values() if isinstance(v, str)]
    return max(strings, key=len) if strings else ""


def read_export(
    source: str | Path | BinaryIO,
    *,
    layer: str | None = None,
    include_predictions: bool = False,
    stats: ExportStats | None = None,
) -> Iterator[ReadItem]:
    """Yield a :class:`ReadItem` for each annotation (and prediction, if asked) in an export.

    Tasks made by annotate carry ``layer``, ``doc_id`` and ``segment_start`` in their data.
    A foreign export has none: its task text is taken as the document and ``layer`` must
    be given."""
    stats = stats if stats is not None else ExportStats()
    file = str(source) if isinstance(source, str | Path) else getattr(source, "name", None)
    for t_index, task in enumerate(iter_tasks(source)):
        stats.tasks += 1
        where = f"$[{t_index}]"
        data = task.get("data") or {}
        task_id = task.get("id")
        name = data.get("layer") or layer
        if name not in LAYERS:
            stats.skipped["unknown layer"] += 1
            continue
        lay = get_layer(name)
        seg_text = _task_text(data)
        if "doc_id" in data:
            doc_id = str(data["doc_id"])
            seg_start = int(data.get("segment_start", 0))
            seg_end = int(data.get("segment_end", seg_start + len(seg_text)))
            key = str(data.get("task_key") or task_key(doc_id, name, seg_start, seg_end))
        else:
            seg_text = unicodedata.normalize("NFC", seg_text)
            doc_id = text_sha256(seg_text)
            seg_start, seg_end = 0, len(seg_text)
            key = task_key(doc_id, name, seg_start, seg_end)
        annotations = task.get("annotations")
        if annotations is None and "completions" in task:  # Label Studio 0.x
            annotations = task["completions"]
        annotations = annotations or []
        stats.skipped["draft"] += len(task.get("drafts") or [])
        if not annotations:
            stats.skipped["task without annotation"] += 1
        items = [("annotation", i, a) for i, a in enumerate(annotations)]
        if include_predictions:
            items += [("prediction", i, p) for i, p in enumerate(task.get("predictions") or [])]
        for origin, i, ann in items:
            key_name = "annotations" if origin == "annotation" else "predictions"
            apath = f"{where}.{key_name}[{i}]"
            if origin == "annotation":
                stats.annotations += 1
                if ann.get("was_cancelled"):
                    stats.skipped["cancelled"] += 1
                    continue
            else:
                stats.predictions += 1
            conv = lay.from_ls_result(
                ann.get("result") or [],
                segment_start=seg_start,
                segment_text=seg_text,
                json_path=f"{apath}.result",
            )
            ann_id = ann.get("id")
            if origin == "prediction":
                annotator = str(ann.get("model_version") or "prediction")
            else:
                annotator = _annotator(ann.get("completed_by"))
            record = Annotation(
                layer=name,
                doc_id=doc_id,
                task_key=key,
                segment_start=seg_start,
                segment_end=seg_end,
                annotator=annotator,
                origin="prediction" if origin == "prediction" else "annotation",
                annotation_id=ann_id,
                task_id=task_id if isinstance(task_id, int) else None,
                ground_truth=bool(ann.get("ground_truth", False)),
                model_version=ann.get("model_version") if origin == "prediction" else None,
                score=ann.get("score") if origin == "prediction" else None,
                lead_time=ann.get("lead_time"),
                created_at=ann.get("created_at"),
                spans=conv.spans,
                relations=conv.relations,
                judgement=conv.judgement,
            )
            for issue in conv.issues:
                issue.file, issue.task_id, issue.annotation_id = file, task_id, ann_id
                issue.annotator = annotator
                issue.record_id = record.record_id
            yield ReadItem(record, ann, conv.issues, seg_text)
