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

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Literal

import ijson

from annotate.errors import ExportError
from annotate.layers import LAYERS, get_layer
from annotate.layers.base import FROM_NAME, Layer
from annotate.model import Annotation, Document, Issue, task_key, text_sha256
from annotate.validation.offsets import OffsetMap, utf16_to_code_points
from annotate.validation.words import closest, did_you_mean, kind

__all__ = [
    "SKIP_CANCELLED",
    "SKIP_DRAFT",
    "SKIP_NO_ANNOTATION",
    "SKIP_PREDICTION",
    "ExportStats",
    "Locator",
    "ReadItem",
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
_PH = "\x00"  # placeholder json_path handed to from_ls_result, remapped afterwards


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

    def skip(self, reason: str, n: int = 1) -> None:
        self.received += n
        self.skipped[reason] += n


@dataclass(slots=True)
class Locator:
    """Maps a JSON path in a converted record (``$.spans[2].end``) to the place in the
    export it came from (``$[7].annotations[0].result[4].value.end``). Paths are built only
    when an issue needs one."""

    annotation: str
    data: str
    annotator_key: str = "completed_by"
    spans: list[_Entry] = field(default_factory=list)
    attrs: dict[tuple[str, str], tuple[_Entry, str]] = field(default_factory=dict)
    relations: list[tuple[_Entry, str, str]] = field(default_factory=list)
    judgement: _Entry | None = None
    results: str = ""
    flagged: set[str] = field(default_factory=set)  # item paths the reader already faulted
    dropped: set[str] = field(default_factory=set)  # ids of regions that were not kept

    _SPAN = re.compile(r"^\$\.spans\[(\d+)\](?:\.(\w+))?(.*)$")
    _REL = re.compile(r"^\$\.relations\[(\d+)\](?:\.(\w+))?(.*)$")

    def locate(self, path: str, record: dict[str, Any]) -> str | None:
        """The export path of a record path; ``None`` when the issue only repeats one the
        reader already reported for the same item."""
        if m := self._SPAN.match(path):
            i, name = int(m[1]), m[2]
            if i >= len(self.spans):
                return self.results
            entry = self.spans[i]
            item = entry.path
            if item in self.flagged:
                return None
            if name in (None, ""):
                return item
            if name in ("start", "end", "text"):
                return f"{entry.value_path}.{name}"
            if name == "label":
                return f"{entry.value_path}.labels"
            if name in ("id", "score"):
                return f"{item}.{name}"
            found = self.attrs.get((str(record["spans"][i].get("id")), name))
            return found[0].field_path(found[1]) if found else item
        if m := self._REL.match(path):
            j, name = int(m[1]), m[2]
            if j >= len(self.relations):
                return self.results
            entry, src, dst = self.relations[j]
            item = entry.path
            if item in self.flagged or (name in ("from_id", "to_id") and {src, dst} & self.dropped):
                return None
            return f"{item}.{'labels' if name == 'label' else name}" if name else item
        top = path[2:].split(".")[0].split("[")[0] if path.startswith("$.") else ""
        if top == "judgement":
            return self.judgement.field_path("choices") if self.judgement else self.results
        if top in ("spans", "relations"):
            return self.results
        if top in ("doc_id", "task_key", "layer"):
            return f"{self.data}.{top}"
        if top == "segment":
            return f"{self.data}.segment_start"
        if top == "annotator":
            return f"{self.annotation}.{self.annotator_key}"
        if top == "annotation_id":
            return f"{self.annotation}.id"
        if top in ("score", "lead_time", "created_at", "ground_truth", "model_version"):
            return f"{self.annotation}.{top}"
        return self.annotation


@dataclass(slots=True)
class ReadItem:
    """A record read from an export (``annotation`` is ``None`` when it could not be
    converted), the raw item it came from, whole, and the reader's issues."""

    annotation: Annotation | None
    raw: Any
    issues: list[Issue]
    segment_text: str
    document: Document | None = None  # the task's own text, for tasks not made by annotate
    locator: Locator | None = None
    source: dict[str, Any] = field(default_factory=dict)


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
    fh: BinaryIO, name: str, stats: ExportStats, on_error: OnError
) -> Iterator[tuple[str, Any]]:
    """``(json path, entry)`` for each top-level entry of the export."""
    head = fh.read(65536)
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
        for obj in ijson.items(stream, "item", use_float=True):
            yield f"$[{count}]", obj
            count += 1
    except ijson.JSONError as exc:
        where = "$" if first == b"{" else f"$[{count}]"
        detail = str(exc).splitlines()[0]
        msg = f"invalid JSON after {count} complete task(s): {detail}"
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
    source: str | Path | BinaryIO, stats: ExportStats, on_error: OnError
) -> Iterator[tuple[str, Any]]:
    if not isinstance(source, str | Path):
        yield from _entries(source, getattr(source, "name", "<stream>"), stats, on_error)
        return
    path = Path(source)
    try:
        fh: BinaryIO = path.open("rb")
    except OSError as exc:
        msg = f"cannot read: {exc.strerror}"
        if on_error == "raise":
            raise ExportError(msg, file=path) from exc
        stats.errors.append(Issue("unreadable", msg, file=str(path), json_path="$"))
        return
    with fh:
        yield from _entries(fh, str(path), stats, on_error)


# ---------------------------------------------------------------------- values
def _as_id(value: Any) -> int | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return int(text) if text.isdigit() else (text or None)


def _annotator(completed_by: Any) -> str | None:
    if isinstance(completed_by, dict):
        who = completed_by.get("email") or completed_by.get("id")
        return None if who in (None, "") else str(who)
    if completed_by is None or completed_by == "" or isinstance(completed_by, bool):
        return None
    return str(_as_id(completed_by))


def _timestamp(value: Any) -> Any:
    # Label Studio 0.x wrote created_at as seconds since the epoch.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).isoformat().replace("+00:00", "Z")
    return value


def _task_text(data: dict[str, Any]) -> Any:
    text = data.get("text")
    if text is not None:
        return text
    strings = [v for v in data.values() if isinstance(v, str)]
    return max(strings, key=len) if strings else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _digits(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return _int(value)


# ---------------------------------------------------------------------- tasks
@dataclass(slots=True)
class _Task:
    """What every annotation of one task shares."""

    layer: Layer
    raw_text: str
    offsets: OffsetMap
    doc_id: str
    seg_start: int
    seg_end: int
    key: str
    task_id: int | None
    data_path: str
    document: Document | None

    @property
    def text(self) -> str:
        return self.offsets.text


def _task(
    data: Any, task_id: Any, layer: str | None, data_path: str, file: str | None
) -> _Task | Issue:
    if not isinstance(data, dict):
        return Issue("task-data", "the task has no data object", json_path=data_path)
    name = data.get("layer") or layer
    if name not in LAYERS:
        where = f"{data_path}.layer" if "layer" in data else data_path
        if name is None:
            return Issue(
                "unknown-layer",
                "the task does not say its layer (not made by annotate)",
                json_path=where,
                hint=f"pass --layer; known: {', '.join(LAYERS)}",
            )
        return Issue(
            "unknown-layer",
            f"unknown layer {name!r}",
            json_path=where,
            hint=did_you_mean(str(name), LAYERS),
        )
    raw = data.get("text") if "doc_id" in data else _task_text(data)
    if not isinstance(raw, str):
        return Issue("no-text", "the task has no text", json_path=f"{data_path}.text")
    tid = _digits(task_id)
    if "doc_id" in data:  # a task made by annotate: offsets are the segment's
        start = _digits(data.get("segment_start", 0))
        end = _digits(data.get("segment_end", (start or 0) + len(raw)))
        if start is None or end is None:
            return Issue(
                "wrong-type",
                "segment_start/segment_end must be whole numbers",
                json_path=f"{data_path}.segment_start",
            )
        doc_id = str(data["doc_id"])
        key = str(data.get("task_key") or task_key(doc_id, name, start, end))
        omap = OffsetMap.identity(raw)
        return _Task(get_layer(name), raw, omap, doc_id, start, end, key, tid, data_path, None)
    omap = OffsetMap(raw)
    doc_id = text_sha256(omap.text)
    lang = data.get("lang")
    lang = lang if isinstance(lang, str) else "und"
    doc = Document(id=doc_id, text=omap.text, lang=lang, source_path=file)
    key = task_key(doc_id, name, 0, len(omap.text))
    return _Task(get_layer(name), raw, omap, doc_id, 0, len(omap.text), key, tid, data_path, doc)


def read_export(
    source: str | Path | BinaryIO,
    *,
    layer: str | None = None,
    include_predictions: bool = False,
    stats: ExportStats | None = None,
    on_error: OnError = "raise",
) -> Iterator[ReadItem]:
    """Yield a :class:`ReadItem` for each annotation (and prediction, if asked) of an
    export; cancelled annotations, drafts and tasks without annotation are counted in
    ``stats.skipped``. Tasks made by annotate carry ``layer``, ``doc_id`` and
    ``segment_start``; a foreign task's text is its document and ``layer`` must be given.

    A file that cannot be read to its end raises :class:`ExportError` (``on_error="raise"``)
    or is reported in ``stats.errors`` after the tasks read before the fault."""
    stats = stats if stats is not None else ExportStats()
    file = str(source) if isinstance(source, str | Path) else getattr(source, "name", None)
    for where, entry in _open(source, stats, on_error):
        stats.tasks += 1
        if not isinstance(entry, dict):
            stats.received += 1
            issue = Issue("not-a-task", f"a task must be an object, got {type(entry).__name__}")
            yield _broken(entry, issue, file, where, None)
        elif {"data", "annotations", "completions", "predictions", "drafts"} & set(entry):
            stats.formats["legacy" if "completions" in entry else "json"] += 1
            yield from _full_task(entry, where, layer, include_predictions, stats, file)
        else:
            stats.formats["json-min"] += 1
            yield from _min_row(entry, where, layer, stats, file)


def _broken(raw: Any, issue: Issue, file: str | None, where: str, task_id: Any) -> ReadItem:
    issue.file = file
    issue.task_id = _as_id(task_id)
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
) -> Iterator[ReadItem]:
    task_id = task.get("id")
    ctx = _task(task.get("data"), task_id, layer, f"{where}.data", file)
    key = "annotations" if "annotations" in task else "completions"
    annotations = task.get(key)
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
    units = [("annotation", f"{where}.{key}[{i}]", a) for i, a in enumerate(annotations or [])]
    predictions = task.get("predictions") or []
    if not isinstance(predictions, list):
        predictions = [predictions]
    for i, p in enumerate(predictions):
        stats.predictions += 1
        if include_predictions:
            units.append(("prediction", f"{where}.predictions[{i}]", p))
        else:
            stats.skip(SKIP_PREDICTION)
    for origin, apath, ann in units:
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
                json_path=apath,
            )
            yield _broken(ann, issue, file, where, task_id)
            continue
        if isinstance(ctx, Issue):
            yield _broken(ann, replace(ctx), file, where, task_id)
            continue
        result = ann.get("result")
        if result is None:
            result = []
        if not isinstance(result, list):
            issue = Issue(
                "wrong-type",
                f"result must be a list, got {type(result).__name__}",
                json_path=f"{apath}.result",
            )
            yield _broken(ann, issue, file, where, task_id)
            continue
        rpath = f"{apath}.result"
        entries = [_Entry(r, rpath, i, True) for i, r in enumerate(result)]
        if origin == "prediction":
            who: str | None = str(ann.get("model_version") or "prediction")
        else:
            who = _annotator(ann.get("completed_by"))
        yield _record(
            ctx, ann, entries, origin, who, apath, f"{apath}.result", "completed_by", file, task
        )


def _min_row(
    row: dict[str, Any], where: str, layer: str | None, stats: ExportStats, file: str | None
) -> Iterator[ReadItem]:
    task_id = row.get("id")
    data = {k: v for k, v in row.items() if k not in _MIN_META}
    ctx = _task(data, task_id, layer, where, file)
    controls = _min_controls(row, ctx)
    if row.get("annotation_id") is None and not controls:
        stats.skip(SKIP_NO_ANNOTATION)
        return
    stats.annotations += 1
    stats.received += 1
    if isinstance(ctx, Issue):
        yield _broken(row, ctx, file, where, task_id)
        return
    entries, issues = _min_entries(row, where, controls, ctx)
    item = _record(
        ctx,
        row,
        entries,
        "annotation",
        _annotator(row.get("annotator")),
        where,
        where,
        "annotator",
        file,
        None,
    )
    item.issues[:0] = issues
    for issue in issues:
        _context(issue, file, ctx.task_id, item.annotation)
    yield item


def _min_controls(row: dict[str, Any], ctx: _Task | Issue) -> list[str]:
    """The keys of a JSON_MIN row that hold results rather than task data."""
    known: set[str] = {FROM_NAME}
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


def _min_entries(
    row: dict[str, Any], where: str, controls: list[str], ctx: _Task
) -> tuple[list[_Entry], list[Issue]]:
    """Label Studio result items rebuilt from a JSON_MIN row. Regions get ids from their
    place (``label-0``); a per-region choice is tied to its region by offsets, or to the
    only region; otherwise JSON_MIN has lost which region it belongs to."""
    tax = ctx.layer.taxonomy
    entries: list[_Entry] = []
    issues: list[Issue] = []
    regions: dict[tuple[Any, Any], str] = {}
    per_region = {c.name for c in tax.region_choices()} | set(tax.text_fields)
    for k in controls:
        v = row[k]
        if isinstance(v, list) and v and all(isinstance(r, dict) and "labels" in r for r in v):
            for i, r in enumerate(v):
                region_id = f"{k}-{i}"
                regions.setdefault((r.get("start"), r.get("end")), region_id)
                region = {"id": region_id, "type": "labels", "from_name": k, "value": r}
                entries.append(_Entry(region, f"{where}.{k}", i))
    only = next(iter(regions.values())) if len(regions) == 1 else None
    for k in controls:
        v = row[k]
        if k not in per_region and k not in {c.name for c in tax.segment_choices()}:
            continue
        ctype = "choices" if k in tax.choices else "textarea"
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
            if k in per_region:
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
            entries.append(_Entry(item, f"{where}.{k}", i if isinstance(v, list) else None))
    return entries, issues


# ---------------------------------------------------------------------- results
@dataclass(slots=True)
class _Entry:
    """One Label Studio result item and where it is in the export: item ``index`` of the
    list at ``prefix`` (or the value at ``prefix`` itself when ``index`` is ``None``)."""

    item: Any
    prefix: str
    index: int | None
    full: bool = False  # a full export item ({"value": {...}}), not a JSON_MIN value

    @property
    def path(self) -> str:
        return self.prefix if self.index is None else f"{self.prefix}[{self.index}]"

    @property
    def value_path(self) -> str:
        return f"{self.path}.value" if self.full else self.path

    def field_path(self, name: str) -> str:
        """Where a choice's or a text field's value is."""
        return f"{self.value_path}.{name}" if self.full else self.path


def _record(
    ctx: _Task,
    ann: dict[str, Any],
    entries: list[_Entry],
    origin: str,
    annotator: str | None,
    apath: str,
    results_path: str,
    annotator_key: str,
    file: str | None,
    task: dict[str, Any] | None,
) -> ReadItem:
    loc = Locator(apath, ctx.data_path, annotator_key, results=results_path)
    items, kept, issues = _prepare(ctx, entries, loc)
    conv = ctx.layer.from_ls_result(
        items, segment_start=ctx.seg_start, segment_text=ctx.text, json_path=_PH
    )
    for issue in conv.issues:
        m = re.match(r"^\x00\[(\d+)\](.*)$", issue.json_path)
        if m:
            entry = kept[int(m[1])]
            tail = m[2]
            if not entry.full and tail.startswith(".value"):
                tail = tail[len(".value") :]
            issue.json_path = entry.path + tail
            loc.flagged.add(entry.path)
        issues.append(issue)
    ann_id = _as_id(
        ann.get("id")
        if origin == "prediction" or annotator_key != "annotator"
        else ann.get("annotation_id")
    )
    if annotator is None:
        issues.append(
            Issue(
                "no-annotator",
                "the annotation does not say who made it",
                severity="warning",
                json_path=f"{apath}.{annotator_key}",
            )
        )
    lead_time = ann.get("lead_time")
    record = Annotation(
        layer=ctx.layer.name,
        doc_id=ctx.doc_id,
        task_key=ctx.key,
        segment_start=ctx.seg_start,
        segment_end=ctx.seg_end,
        annotator=annotator or "unknown",
        origin="prediction" if origin == "prediction" else "annotation",
        annotation_id=ann_id,
        task_id=ctx.task_id,
        ground_truth=bool(ann.get("ground_truth", False)),
        model_version=ann.get("model_version") if origin == "prediction" else None,
        score=ann.get("score") if origin == "prediction" else None,
        lead_time=lead_time,
        created_at=_timestamp(ann.get("created_at")),
        spans=conv.spans,
        relations=conv.relations,
        judgement=conv.judgement,
    )
    for issue in issues:
        _context(issue, file, ctx.task_id, record)
    source: dict[str, Any] = {"file": file, "json_path": apath, "task_id": ctx.task_id}
    if task is not None:
        source["task_data_path"] = ctx.data_path
    return ReadItem(record, ann, issues, ctx.text, ctx.document, loc, source)


def _context(issue: Issue, file: str | None, task_id: Any, record: Annotation | None) -> None:
    issue.file, issue.task_id = file, task_id
    if record is not None:
        issue.annotation_id = record.annotation_id
        issue.annotator = record.annotator
        issue.record_id = record.record_id


@cache
def _controls(layer: str) -> tuple[frozenset[str], frozenset[str]]:
    """The per-segment choices of a layer, and all its choices and text fields."""
    tax = get_layer(layer).taxonomy
    segment = frozenset(c.name for c in tax.segment_choices())
    return segment, frozenset(tax.choices) | frozenset(tax.text_fields)


def _prepare(
    ctx: _Task, entries: list[_Entry], loc: Locator
) -> tuple[list[dict[str, Any]], list[_Entry], list[Issue]]:
    """Check the shape of each result item before conversion; return the items to convert
    (offsets mapped to the normalised text, ids filled in), their entries, and issues."""
    segment_names, known = _controls(ctx.layer.name)
    items: list[dict[str, Any]] = []
    kept: list[_Entry] = []
    issues: list[Issue] = []

    def fault(code: str, message: str, path: str, entry: _Entry, **kw: Any) -> None:
        issues.append(Issue(code, message, json_path=path, **kw))
        if kw.get("severity", "error") == "error":
            loc.flagged.add(entry.path)

    for n, entry in enumerate(entries):
        item = entry.item
        if not isinstance(item, dict):
            fault(
                "wrong-type",
                f"a result item must be an object, got {type(item).__name__}",
                entry.path,
                entry,
            )
            continue
        rtype = item.get("type")
        if rtype == "relation":
            src, dst = item.get("from_id"), item.get("to_id")
            if src in (None, "") or dst in (None, ""):
                fault(
                    "relation-incomplete", "the relation lacks from_id or to_id", entry.path, entry
                )
                continue
            labels = item.get("labels")
            if labels is not None and not (
                isinstance(labels, list) and all(isinstance(x, str) for x in labels)
            ):
                fault(
                    "wrong-type",
                    f"relation labels must be a list of text, got {labels!r}",
                    f"{entry.path}.labels",
                    entry,
                )
                continue
            loc.relations.append((entry, str(src), str(dst)))
            items.append(item)
            kept.append(entry)
            continue
        value = item.get("value")
        if not isinstance(value, dict):
            fault(
                "wrong-type",
                f"value must be an object, got {type(value).__name__}",
                entry.value_path,
                entry,
            )
            continue
        if rtype in ("labels", "hypertextlabels") or (
            rtype not in ("choices", "textarea") and "labels" in value
        ):
            region = _region(ctx, item, value, entry, n, loc, fault)
            if region is not None:
                loc.spans.append(entry)
                items.append(region)
                kept.append(entry)
            continue
        name = item.get("from_name")
        if name not in known:
            best = closest(str(name), known)
            issues.append(
                Issue(
                    "unknown-control",
                    f"the control {name!r} ({rtype}) is not part of the {ctx.layer.name} layer; ignored",
                    severity="warning",
                    json_path=entry.path,
                    hint=f"did you mean {best!r}?" if best else None,
                )
            )
            continue
        field_name = "choices" if rtype == "choices" else "text"
        got = value.get(field_name)
        if rtype == "choices" and not (
            isinstance(got, list) and all(isinstance(x, str) for x in got)
        ):
            fault(
                "wrong-type",
                f"choices must be a list of text, got {got!r}",
                f"{entry.value_path}.choices",
                entry,
            )
            continue
        if name in segment_names:
            loc.judgement = entry
        else:
            rid = item.get("id")
            if rid in loc.dropped:
                continue
            loc.attrs[(str(rid), str(name))] = (entry, field_name)
        items.append(item)
        kept.append(entry)
    return items, kept, issues


def _region(
    ctx: _Task,
    item: dict[str, Any],
    value: dict[str, Any],
    entry: _Entry,
    n: int,
    loc: Locator,
    fault: Any,
) -> dict[str, Any] | None:
    given_id = item.get("id")
    if type(given_id) is str and given_id:
        rid = given_id
    else:
        rid = f"r{n}" if given_id in (None, "") or isinstance(given_id, bool) else str(given_id)
    labels = value.get("labels")
    start, end = value.get("start"), value.get("end")
    raw = ctx.raw_text
    if (  # the common case, decided without building anything
        type(labels) is list
        and len(labels) == 1
        and type(labels[0]) is str
        and type(start) is int
        and type(end) is int
        and 0 <= start < end <= len(raw)
        and value.get("text") == raw[start:end]
        and not ctx.offsets.changed
    ):
        return item if given_id == rid else {**item, "id": rid}
    vp = entry.value_path
    if not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
        fault(
            "wrong-type",
            f"labels must be a list of label names, got {labels!r}",
            f"{vp}.labels",
            entry,
        )
        loc.dropped.add(rid)
        return None
    if not labels:
        fault("no-label", "the region has no label", f"{vp}.labels", entry)
        loc.dropped.add(rid)
        return None
    start, end = _int(start), _int(end)
    for name, v in (("start", start), ("end", end)):
        if v is None:
            got = value.get(name)
            fault(
                "wrong-type",
                f"{name} must be a whole number, got {kind(got)}",
                f"{vp}.{name}",
                entry,
            )
    if start is None or end is None:
        loc.dropped.add(rid)
        return None
    size = len(raw)
    if start < 0 or end < 0:
        fault(
            "negative-offset",
            f"offsets [{start}, {end}) are negative",
            f"{vp}.{'start' if start < 0 else 'end'}",
            entry,
        )
    elif end > size:
        fault(
            "offset-out-of-range",
            f"end {end} is past the end of the task's text ({size} characters)",
            f"{vp}.end",
            entry,
            hint="the task text changed after annotation, or offsets were not counted in code points",
        )
    elif start >= end:
        fault("empty-span", f"start {start} is not before end {end}", vp, entry)
    if not 0 <= start < end <= size:
        out = {**item, "id": rid, "value": {**value, "text": ""}}
        return out  # kept, so that relations still find it; its follow-on errors are muted
    actual = raw[start:end]
    given = value.get("text")
    if isinstance(given, str) and given != actual:
        cs, ce = utf16_to_code_points(raw, start), utf16_to_code_points(raw, end)
        if cs is not None and ce is not None and (cs, ce) != (start, end) and raw[cs:ce] == given:
            fault(
                "utf16-offsets",
                f"offsets [{start}, {end}) count UTF-16 code units: an astral character "
                f"(emoji) comes before the span; in code points it is [{cs}, {ce}) {given!r}",
                f"{vp}.start",
                entry,
                hint="offsets must be Unicode code points; fix the tool that wrote them",
            )
        else:
            fault(
                "stale-text",
                f"value.text {given!r} differs from the text at [{start}, {end}) {actual!r}; "
                "recomputed from the offsets",
                f"{vp}.text",
                entry,
                severity="warning",
            )
    mstart, mend = ctx.offsets(start), ctx.offsets(end)
    if mstart is None or mend is None:
        fault(
            "offset-splits-character",
            f"offset {start if mstart is None else end} falls inside a character that "
            "normalisation (NFC) merges",
            f"{vp}.{'start' if mstart is None else 'end'}",
            entry,
            hint="the text is decomposed (NFD); select whole characters",
        )
        loc.dropped.add(rid)
        return None
    text = ctx.text[mstart:mend]
    return {**item, "id": rid, "value": {**value, "start": mstart, "end": mend, "text": text}}
