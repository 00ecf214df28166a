"""Read a raw Label Studio export into annotation records, as a stream.

What Label Studio really writes is read: the JSON export (a list of tasks, or one task
object as cloud storage writes it), JSON_MIN (one flat row per annotation, data keys
hoisted, regions without ids), and the ``completions`` key of Label Studio 0.x;
``completed_by`` as an id or an object; ids as numbers or digit strings. One
:class:`ReadItem` per annotation (and per prediction, if asked); offsets are mapped back to
the document by the task's ``segment_start``, and for a task not made by annotate from its
raw text to the normalised one (BOM, ``\\r\\n``, NFD). ``value.text`` is never trusted.

Nothing is lost: every unit read (annotation, prediction, draft, task without annotation,
unreadable entry) is counted in :attr:`ExportStats.received` and either yielded or counted
in :attr:`ExportStats.skipped` with its reason. The file is parsed with ``ijson``, so memory
does not grow with its size. Every problem carries its JSON path in the export.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, cast

import ijson
from msgspec import UNSET

from annotate.errors import ExportError
from annotate.labelstudio.export_records import (
    Locator,
    ReadItem,
    ResultEntry,
    TaskContext,
    annotator_of,
    as_id,
    locate_issue,
    make_record,
    task_context,
)
from annotate.labelstudio.fast_records import (
    RecordItem,
    TypedTask,
    UnreadableTask,
    fast_record,
    typed_decoder,
    typed_task,
)
from annotate.labelstudio.json_items import array_items
from annotate.layers import LAYERS, get_layer
from annotate.layers.base import FROM_NAME
from annotate.model import Issue
from annotate.sources.foreign import ForeignOptions
from annotate.sources.label_map import LabelMap, MapCounts

__all__ = [
    "SKIP_CANCELLED",
    "SKIP_DRAFT",
    "SKIP_NO_ANNOTATION",
    "SKIP_PREDICTION",
    "ExportStats",
    "Locator",
    "ReadItem",
    "RecordItem",
    "iter_tasks",
    "read_export",
]

SKIP_CANCELLED = "cancelled"
SKIP_DRAFT = "draft"
SKIP_NO_ANNOTATION = "task without annotation"
SKIP_PREDICTION = "prediction (not requested)"

OnError = Literal["raise", "report"]
_MIN_META = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"}
_MIN_META |= {"agreement", "history", "was_cancelled", "completed_by"}


@dataclass(slots=True)
class ExportStats:
    """What was in an export besides the records: units received, skipped with reasons,
    and problems of the file itself (``errors``: it could not be read to its end)."""

    tasks: int = 0
    annotations: int = 0
    predictions: int = 0
    received: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    formats: Counter[str] = field(default_factory=Counter)
    labels: MapCounts = field(default_factory=MapCounts)  # foreign names: mapped, dropped, unknown

    def skip(self, reason: str, n: int = 1) -> None:
        self.received += n
        self.skipped[reason] += n


# ---------------------------------------------------------------------- the stream
class _Prefixed:
    """A binary stream with its first bytes already read (to sniff the top level)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (
                (self.head, b"")
                if n < 0 or n >= len(self.head)
                else (
                    self.head[:n],
                    self.head[n:],
                )
            )
            return out
        return self.rest.read(n)


def _entries(
    fh: BinaryIO, name: str, stats: ExportStats, on_error: OnError, typed: bool = False
) -> Iterator[tuple[str, Any]]:
    """``(json path, entry)`` for each top-level entry of the export (with ``typed``, an
    entry after a first task made by annotate may be a :class:`TypedTask`)."""
    try:
        head = fh.read(65536)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        msg = f"invalid compressed data: {str(exc).splitlines()[0] if str(exc) else exc!r}"
        yield from _fail(stats, on_error, "invalid-json", msg, name, "$")
        return
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first = head.lstrip()[:1]
    if not first:
        yield from _fail(stats, on_error, "empty-export", "the file is empty", name, "$")
        return
    if first not in (b"[", b"{"):
        msg = "not JSON: a Label Studio JSON export starts with '['"
        yield from _fail(stats, on_error, "invalid-json", msg, name, "$")
        return
    stream = _Prefixed(head, fh)
    count = 0
    try:
        if first == b"{":
            for obj in ijson.items(stream, "", use_float=True):
                if not (
                    isinstance(obj, dict) and ({"data", "annotations", "completions"} & set(obj))
                ):
                    msg = "the file holds a JSON object that is not a Label Studio task"
                    yield from _fail(stats, on_error, "not-an-export", msg, name, "$")
                    return
                count = 1
                yield "$", obj
            return
        for obj in array_items(stream, typed=typed_decoder if typed else None):
            yield f"$[{count}]", obj
            count += 1
    except (
        ijson.JSONError,
        UnicodeDecodeError,  # yajl passes a surrogate's UTF-8 bytes, Python refuses them
        OSError,
        EOFError,
        zlib.error,
        zipfile.BadZipFile,
    ) as exc:
        # a compressed export fails while it is read: truncated or corrupt
        where = "$" if first == b"{" else f"$[{count}]"
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, UnicodeDecodeError):
            detail = f"a string is not UTF-8 ({exc.reason}; a lone surrogate written raw?)"
        json_fault = isinstance(exc, ijson.JSONError | UnicodeDecodeError)
        kind = "JSON" if json_fault else "compressed data"
        msg = f"invalid {kind} after {count} complete task(s): {detail}"
        yield from _fail(stats, on_error, "invalid-json", msg, name, where)
        return
    if count == 0:
        stats.warnings.append(
            Issue("empty-export", "the export holds no task", severity="warning", file=name)
        )


def _fail(
    stats: ExportStats, on_error: OnError, code: str, msg: str, name: str, where: str
) -> Iterator[tuple[str, Any]]:
    hint = "the export is truncated or not JSON; export it again"
    if on_error == "raise":
        raise ExportError(msg, file=name, json_path=where, hint=hint)
    stats.errors.append(Issue(code, msg, file=name, json_path=where, hint=hint))
    yield from ()


def iter_tasks(source: str | Path | BinaryIO) -> Iterator[dict[str, Any]]:
    """The tasks of a JSON export, one at a time; raises :class:`ExportError` when the file
    cannot be read to its end."""
    for _path, task in _open(source, ExportStats(), "raise"):
        yield task


def _open(
    source: str | Path | BinaryIO, stats: ExportStats, on_error: OnError, typed: bool = False
) -> Iterator[tuple[str, Any]]:
    if not isinstance(source, str | Path):
        name = getattr(source, "name", "<stream>")
        yield from _entries(source, name, stats, on_error, typed)
        return
    path = Path(source)
    try:
        fh = _decompressed(path)
    except (OSError, zipfile.BadZipFile, ExportError) as exc:
        msg = exc.message if isinstance(exc, ExportError) else f"cannot read: {_reason(exc)}"
        if on_error == "raise":
            raise ExportError(msg, file=path) from exc
        stats.errors.append(Issue("unreadable", msg, file=str(path), json_path="$"))
        return
    with fh:
        yield from _entries(fh, str(path), stats, on_error, typed)


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _decompressed(path: Path) -> BinaryIO:
    """The export's JSON bytes as a stream: gzip and zip (one JSON file inside) are
    recognised by their first bytes and decompressed while read, never whole."""
    raw = path.open("rb")
    magic = raw.read(4)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        raw.close()
        return cast(BinaryIO, gzip.open(path, "rb"))
    if magic != b"PK\x03\x04":
        return raw
    try:
        archive = zipfile.ZipFile(raw)
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and m.filename.lower().endswith(".json")
            and not m.filename.startswith("__MACOSX/")
        ]
    except zipfile.BadZipFile:
        raw.close()
        raise
    if len(members) != 1:
        names = ", ".join(m.filename for m in members) or "none"
        raw.close()
        raise ExportError(
            f"a zipped export must hold exactly one JSON file; this one holds {len(members)} "
            f"({names})",
            file=path,
        )
    return cast(BinaryIO, _ZipMember(archive, archive.open(members[0]), raw))


class _ZipMember:
    """One member of a zip, read as a stream; closing it closes the archive and file."""

    def __init__(self, archive: zipfile.ZipFile, member: IO[bytes], raw: BinaryIO) -> None:
        self.archive, self.member, self.raw = archive, member, raw

    def read(self, n: int = -1) -> bytes:
        return self.member.read(n)

    def close(self) -> None:
        self.member.close()
        self.archive.close()
        self.raw.close()

    def __enter__(self) -> _ZipMember:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_TASK_KEYS = frozenset({"data", "annotations", "completions", "predictions", "drafts"})


def read_export(
    source: str | Path | BinaryIO,
    *,
    layer: str | None = None,
    include_predictions: bool = False,
    stats: ExportStats | None = None,
    on_error: OnError = "raise",
    foreign: ForeignOptions | None = None,
    fast: bool = False,
) -> Iterator[ReadItem | RecordItem]:
    """Yield a :class:`ReadItem` for each annotation (and prediction, if asked) of an
    export; cancelled annotations, drafts and tasks without annotation are counted in
    ``stats.skipped``. Tasks made by annotate carry ``layer``, ``doc_id`` and
    ``segment_start``; a foreign task's text is its document and ``layer`` must be given.

    A file that cannot be read to its end raises :class:`ExportError` (``on_error="raise"``)
    or is reported in ``stats.errors`` after the tasks read before the fault. ``foreign``
    says which field a foreign task's text is in (a labeling config found beside the
    export is used when it does not say); without it, a task with several string fields
    raises :class:`ExportError` rather than guess.

    With ``fast``, an annotation in the common shape comes as a :class:`RecordItem` (its
    record built straight from the result items, :mod:`annotate.labelstudio.fast_records`),
    which reads itself again as a :class:`ReadItem` when asked."""
    stats = stats if stats is not None else ExportStats()
    file = str(source) if isinstance(source, str | Path) else getattr(source, "name", None)
    options = (foreign or ForeignOptions()).for_export(
        Path(source) if isinstance(source, str | Path) else None
    )
    if layer is None and options.label_map is not None:
        layer = options.label_map.layer
    typed = fast and options.label_map is None
    for where, entry in _open(source, stats, on_error, typed):
        stats.tasks += 1
        if typed and type(entry) is dict:  # the first task, or one ijson read
            entry = typed_task(entry) or entry
        if type(entry) is TypedTask:
            read = _typed_task(entry, where, layer, include_predictions, stats, file, options)
            if read is not None:
                yield from read
                continue
            try:
                entry = entry.as_dict()  # not in the common shape: read as JSON
            except UnreadableTask as exc:  # the file ends here, as ijson reads it
                msg = f"invalid JSON after {stats.tasks - 1} complete task(s): {exc.detail}"
                list(_fail(stats, on_error, "invalid-json", msg, str(file), where))
                return
        if not isinstance(entry, dict):
            stats.received += 1
            issue = Issue("not-a-task", f"a task must be an object, got {type(entry).__name__}")
            yield _broken(entry, issue, file, where, None)
        elif not _TASK_KEYS.isdisjoint(entry):
            stats.formats["legacy" if "completions" in entry else "json"] += 1
            yield from _full_task(entry, where, layer, include_predictions, stats, file, options)
        else:
            stats.formats["json-min"] += 1
            yield from _min_row(entry, where, layer, stats, file, options)


def _broken(raw: Any, issue: Issue, file: str | None, where: str, task_id: Any) -> ReadItem:
    issue.file = file
    issue.task_id = as_id(task_id)
    if issue.json_path == "$":
        issue.json_path = where
    return ReadItem(None, raw, [issue], "", source={"file": file, "json_path": where})


def _full_task(
    task: dict[str, Any],
    where: str,
    layer: str | None,
    include_predictions: bool,
    stats: ExportStats,
    file: str | None,
    options: ForeignOptions,
) -> Iterator[ReadItem]:
    task_id = task.get("id")
    key = "annotations" if "annotations" in task else "completions"
    annotations = task.get(key)
    data = task.get("data")
    ctx = task_context(
        data,
        task_id,
        layer,
        f"{where}.data",
        file,
        options,
        ()  # only a foreign task's text field is looked for by what its regions label
        if isinstance(data, dict) and "doc_id" in data
        else _to_names(annotations, task.get("predictions") if include_predictions else None),
    )
    drafts = task.get("drafts")
    if drafts:
        stats.skip(SKIP_DRAFT, len(drafts) if isinstance(drafts, list) else 1)
    if annotations is not None and not isinstance(annotations, list):
        stats.received += 1
        issue = Issue(
            "wrong-type",
            f"{key} must be a list, got {type(annotations).__name__}",
            json_path=f"{where}.{key}",
        )
        yield _broken(task, issue, file, where, task_id)
        annotations = []
    elif not annotations and not drafts:
        stats.skip(SKIP_NO_ANNOTATION)
    # (origin, list, index, item): an item's JSON path is only spelt when needed
    units = [("annotation", key, i, a) for i, a in enumerate(annotations or ())]
    predictions = task.get("predictions") or []
    if not isinstance(predictions, list):
        predictions = [predictions]
    for i, p in enumerate(predictions):
        stats.predictions += 1
        if include_predictions:
            units.append(("prediction", "predictions", i, p))
        else:
            stats.skip(SKIP_PREDICTION)
    for origin, listed, index, ann in units:
        if origin == "annotation":
            stats.annotations += 1
        if isinstance(ann, dict) and (ann.get("was_cancelled") or ann.get("skipped")):
            stats.skip(SKIP_CANCELLED)
            continue
        stats.received += 1
        if not isinstance(ann, dict):
            issue = Issue(
                "not-an-annotation",
                f"an annotation must be an object, got {type(ann).__name__}",
                json_path=f"{where}.{listed}[{index}]",
            )
            yield _broken(ann, issue, file, where, task_id)
            continue
        if isinstance(ctx, Issue):
            issue = replace(ctx, annotation_id=as_id(ann.get("id")))
            issue.annotator = annotator_of(ann.get("completed_by"))
            yield _broken(ann, issue, file, where, task_id)
            continue
        result = ann.get("result")
        if result is None:
            result = []
        if not isinstance(result, list):
            issue = Issue(
                "wrong-type",
                f"result must be a list, got {type(result).__name__}",
                json_path=f"{where}.{listed}[{index}].result",
            )
            yield _broken(ann, issue, file, where, task_id)
            continue
        if origin == "prediction":
            who: str | None = str(ann.get("model_version") or "prediction")
        else:
            who = annotator_of(ann.get("completed_by"))
        yield _full_unit(
            ctx, ann, result, origin, who, (where, listed, index), file, task, options, stats.labels
        )


def _typed_task(
    typed: TypedTask,
    where: str,
    layer: str | None,
    include_predictions: bool,
    stats: ExportStats,
    file: str | None,
    options: ForeignOptions,
) -> list[RecordItem] | None:
    """The records of a task made by annotate whose every annotation is in the common
    shape (:func:`fast_record`), counted as :func:`_full_task` counts them; ``None``,
    before anything is counted, for any other task (the full path reads it)."""
    task = typed.task
    annotations, predictions = task.annotations, task.predictions or []
    if not annotations or task.drafts or task.completions is not UNSET:
        return None  # (the full path counts the drafts, a legacy task, one without annotation)
    data = task.data
    if type(data) is not dict or "doc_id" not in data:
        return None  # a foreign task: its text field is looked for by the full path
    ctx = task_context(data, task.id, layer, f"{where}.data", file, options)
    if isinstance(ctx, Issue):
        return None
    units = [("annotations", i, u) for i, u in enumerate(annotations)]
    if include_predictions:
        units += [("predictions", i, u) for i, u in enumerate(predictions)]
    items, cancelled = [], 0
    for listed, index, unit in units:
        if unit.was_cancelled or unit.skipped:
            cancelled += 1
            continue
        if listed == "annotations":
            origin, who = "annotation", annotator_of(unit.completed_by)
        else:
            origin, who = "prediction", str(unit.model_version or "prediction")
        record = fast_record(ctx, unit, origin, who)
        if record is None:
            return None
        at = (where, listed, index)
        full = partial(_typed_full, typed, ctx, at, origin, who, file, options, stats.labels)
        items.append(RecordItem(record, ctx.text, full))
    stats.formats["json"] += 1
    stats.annotations += len(annotations)
    stats.predictions += len(predictions)
    stats.received += len(items)
    if cancelled:
        stats.skip(SKIP_CANCELLED, cancelled)
    if predictions and not include_predictions:
        stats.skip(SKIP_PREDICTION, len(predictions))
    return items


def _typed_full(
    typed: TypedTask,
    ctx: TaskContext,
    at: tuple[str, str, int],
    origin: str,
    who: str | None,
    file: str | None,
    options: ForeignOptions,
    counts: MapCounts,
) -> ReadItem:
    """An annotation of a typed task (``at``: the task's path, list and index), read by
    the full path from the task's JSON."""
    try:
        task = typed.as_dict()
    except UnreadableTask as exc:  # read again for its issues: too late to end the file
        raise ExportError(
            f"invalid JSON: {exc.detail}",
            file=file,
            json_path=at[0],
            hint="the export is damaged (bytes that are not UTF-8, or a number past a "
            "double); export it again",
        ) from None
    ann = task[at[1]][at[2]]
    result = ann.get("result") or []
    return _full_unit(ctx, ann, result, origin, who, at, file, task, options, counts)


def _full_unit(
    ctx: TaskContext,
    ann: dict[str, Any],
    result: list[Any],
    origin: str,
    who: str | None,
    at: tuple[str, str, int],
    file: str | None,
    task: dict[str, Any],
    options: ForeignOptions,
    counts: MapCounts,
) -> ReadItem:
    """One annotation of a full task read by the full path (every issue worded); ``at``:
    the task's JSON path, the list the annotation is in and its index there."""
    apath = f"{at[0]}.{at[1]}[{at[2]}]"
    rpath = f"{apath}.result"
    entries = [ResultEntry(r, rpath, i, True) for i, r in enumerate(result)]
    entries = _mapped(entries, ctx, options.label_map, counts)
    return make_record(ctx, ann, entries, origin, who, apath, rpath, "completed_by", file, task)


_NO_MAP = LabelMap()


def _mapped(
    entries: list[ResultEntry], ctx: TaskContext, label_map: LabelMap | None, counts: MapCounts
) -> list[ResultEntry]:
    """The result items with the label map's names (dropped ones left out). Names our
    layer does not know are counted for a foreign task even without a map; a task made by
    annotate without a map is left alone (the common case costs nothing)."""
    if label_map is None and ctx.document is None:
        return entries
    items = (label_map or _NO_MAP).apply(
        [e.item for e in entries], ctx.layer.taxonomy, counts, [e.path for e in entries]
    )
    return [
        e if new is e.item else ResultEntry(new, e.prefix, e.index, e.full)
        for e, new in zip(entries, items, strict=True)
        if new is not None
    ]


def _to_names(*units: Any) -> set[str]:
    """The objects (``to_name``) the regions of a task's annotations label."""
    names: set[str] = set()
    for unit in units:
        for ann in unit if isinstance(unit, list) else ():
            result = ann.get("result") if isinstance(ann, dict) else None
            for item in result if isinstance(result, list) else ():
                if isinstance(item, dict) and isinstance(item.get("to_name"), str):
                    value = item.get("value")
                    if isinstance(value, dict) and "start" in value:
                        names.add(item["to_name"])
    return names


def _min_row(
    row: dict[str, Any],
    where: str,
    layer: str | None,
    stats: ExportStats,
    file: str | None,
    options: ForeignOptions,
) -> Iterator[ReadItem]:
    task_id = row.get("id")
    controls_of_layer = _layer_controls(row.get("layer") or layer)
    if options.label_map is not None:
        controls_of_layer |= set(options.label_map.controls)
    data = {k: v for k, v in row.items() if k not in _MIN_META and k not in controls_of_layer}
    ctx = task_context(data, task_id, layer, where, file, options)
    controls = _min_controls(row, ctx, options.label_map)
    if row.get("annotation_id") is None and not controls:
        stats.skip(SKIP_NO_ANNOTATION)
        return
    stats.annotations += 1
    stats.received += 1
    if isinstance(ctx, Issue):
        ctx.annotation_id = as_id(row.get("annotation_id"))
        ctx.annotator = annotator_of(row.get("annotator"))
        yield _broken(row, ctx, file, where, task_id)
        return
    entries, issues = _min_entries(row, where, controls, ctx, options.label_map)
    entries = _mapped(entries, ctx, options.label_map, stats.labels)
    item = make_record(
        ctx,
        row,
        entries,
        "annotation",
        annotator_of(row.get("annotator")),
        where,
        where,
        "annotator",
        file,
        None,
    )
    item.issues[:0] = issues
    for issue in issues:
        locate_issue(issue, file, ctx.task_id, item.annotation)
    yield item


def _layer_controls(layer: Any) -> set[str]:
    """The control names of a layer, which are results, not task data, in JSON_MIN."""
    if not isinstance(layer, str) or layer not in LAYERS:
        return set()
    tax = get_layer(str(layer)).taxonomy
    return {FROM_NAME, *tax.choices, *tax.text_fields}


def _min_controls(
    row: dict[str, Any], ctx: TaskContext | Issue, label_map: LabelMap | None
) -> list[str]:
    """The keys of a JSON_MIN row that hold results rather than task data."""
    known: set[str] = {FROM_NAME, *(label_map.controls if label_map else ())}
    if not isinstance(ctx, Issue):
        tax = ctx.layer.taxonomy
        known |= set(tax.choices) | set(tax.text_fields)
    out = []
    for k, v in row.items():
        if k in _MIN_META:
            continue
        regions = (
            isinstance(v, list) and v and all(isinstance(r, dict) and "labels" in r for r in v)
        )
        if k in known or regions:
            out.append(k)
    return out


def _min_regions(
    row: dict[str, Any], where: str, controls: list[str]
) -> tuple[list[ResultEntry], dict[tuple[Any, Any], str]]:
    """The regions of a JSON_MIN row (lists of ``labels`` values), with ids from their
    place, and the id of the first region at each (start, end)."""
    entries: list[ResultEntry] = []
    regions: dict[tuple[Any, Any], str] = {}
    for k in controls:
        v = row[k]
        if isinstance(v, list) and v and all(isinstance(r, dict) and "labels" in r for r in v):
            for i, r in enumerate(v):
                region_id = f"{k}-{i}"
                regions.setdefault((r.get("start"), r.get("end")), region_id)
                region = {"id": region_id, "type": "labels", "from_name": k, "value": r}
                entries.append(ResultEntry(region, f"{where}.{k}", i))
    return entries, regions


def _min_entries(
    row: dict[str, Any],
    where: str,
    controls: list[str],
    ctx: TaskContext,
    label_map: LabelMap | None = None,
) -> tuple[list[ResultEntry], list[Issue]]:
    """Label Studio result items rebuilt from a JSON_MIN row. Regions get ids from their
    place (``label-0``); a per-region choice is tied to its region by offsets, or to the
    only region; otherwise JSON_MIN has lost which region it belongs to. A control is
    known by the name the label map gives it (their ``certainty`` is our ``modality``);
    the item keeps their name, which the map renames and counts (:func:`_mapped`)."""
    tax = ctx.layer.taxonomy
    renamed = label_map.controls if label_map is not None else {}
    entries, regions = _min_regions(row, where, controls)
    issues: list[Issue] = []
    per_region = {c.name for c in tax.region_choices()} | set(tax.text_fields)
    only = next(iter(regions.values())) if len(regions) == 1 else None
    for k in controls:
        v = row[k]
        ours = renamed.get(k, k)
        if ours is None:  # dropped on purpose: the map drops and counts each value
            for i, _ in enumerate(v if isinstance(v, list) else [v]):
                dropped = {"type": "choices", "from_name": k, "value": {}}
                entries.append(ResultEntry(dropped, f"{where}.{k}", i))
            continue
        if ours not in per_region and ours not in {c.name for c in tax.segment_choices()}:
            continue
        ctype = "choices" if ours in tax.choices else "textarea"
        field_name = "choices" if ctype == "choices" else "text"
        values = v if isinstance(v, list) else [v]
        for i, one in enumerate(values):
            path = f"{where}.{k}" if not isinstance(v, list) else f"{where}.{k}[{i}]"
            rid: str | None
            if isinstance(one, dict):
                rid = regions.get((one.get("start"), one.get("end")))
                value = {field_name: one.get(field_name)}
            else:
                rid = only
                value = {field_name: [one]}
            item: dict[str, Any] = {"type": ctype, "from_name": k, "value": value}
            if ours in per_region:
                if rid is None:
                    issues.append(
                        Issue(
                            "json-min-lossy",
                            f"{k} {one!r} cannot be tied to a region: JSON_MIN drops region ids",
                            json_path=path,
                            hint="export the project as JSON (not JSON_MIN)",
                        )
                    )
                    continue
                item["id"] = rid
            entries.append(ResultEntry(item, f"{where}.{k}", i if isinstance(v, list) else None))
    return entries, issues
