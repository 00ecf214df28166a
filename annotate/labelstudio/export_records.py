"""Label Studio result items → annotation records, one task at a time.

The part of reading an export that does not depend on its format (JSON, JSON_MIN, 0.x
``completions``): what a task says about itself (:func:`task_context`: layer, document,
segment, offset map), the checks on each result item before the layer converts it, the
conversion, and the JSON path of every issue in the export (:class:`Locator`).
:mod:`annotate.labelstudio.export` streams the file and calls in here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from annotate.layers import LAYERS, get_layer
from annotate.layers.base import SOURCE_NAME, Layer, source_control
from annotate.model import Annotation, Document, Issue, task_key, text_sha256
from annotate.sources.foreign import ForeignOptions, resolve_text_field
from annotate.text import OffsetMap, closest, did_you_mean, kind, utf16_to_code_points

__all__ = [
    "Locator",
    "ReadItem",
    "ResultEntry",
    "TaskContext",
    "annotator_of",
    "as_id",
    "locate_issue",
    "make_record",
    "task_context",
]

_NO_OPTIONS = ForeignOptions()
_PH = "\x00"  # placeholder json_path handed to from_ls_result, remapped afterwards


@dataclass(slots=True)
class Locator:
    """Maps a JSON path in a converted record (``$.spans[2].end``) to the place in the
    export it came from (``$[7].annotations[0].result[4].value.end``). Paths are built only
    when an issue needs one."""

    annotation: str
    data: str
    annotator_key: str = "completed_by"
    spans: list[ResultEntry] = field(default_factory=list)
    attrs: dict[tuple[str, str], tuple[ResultEntry, str]] = field(default_factory=dict)
    relations: list[tuple[ResultEntry, str, str]] = field(default_factory=list)
    judgement: ResultEntry | None = None
    results: str = ""
    flagged: set[str] = field(default_factory=set)  # item paths the reader already faulted
    dropped: set[str] = field(default_factory=set)  # ids of regions that were not kept

    _SPAN = re.compile(r"^\$\.spans\[(\d+)\](?:\.(\w+))?(.*)$")
    _NAMED = re.compile(r"\b(spans|relations)\[(\d+)\]")
    _REL = re.compile(r"^\$\.relations\[(\d+)\](?:\.(\w+))?(.*)$")

    def rename(self, message: str) -> str:
        """A message's ``spans[2]`` / ``relations[0]`` (the record's numbering) as the
        export item they came from (``result[5]``), so that the words match the path."""

        def export_name(m: re.Match[str]) -> str:
            i = int(m[2])
            items = self.spans if m[1] == "spans" else [r[0] for r in self.relations]
            if i >= len(items):
                return m[0]
            return items[i].path.rsplit(".", 1)[-1]

        return self._NAMED.sub(export_name, message)

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


# ---------------------------------------------------------------------- values
def as_id(value: Any) -> int | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return int(text) if text.isdigit() else (text or None)


def annotator_of(completed_by: Any) -> str | None:
    """Who made an annotation: the Label Studio user id. An e-mail or a name is for display
    only: two users may share one (or have none), and they stay two annotators."""
    if isinstance(completed_by, dict):
        who = as_id(completed_by.get("id"))
        return None if who is None else str(who)
    if completed_by is None or completed_by == "" or isinstance(completed_by, bool):
        return None
    return str(as_id(completed_by))


def _timestamp(value: Any) -> Any:
    # Label Studio 0.x wrote created_at as seconds since the epoch.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).isoformat().replace("+00:00", "Z")
    return value


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _digits(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return _int(value)


# ---------------------------------------------------------------------- tasks
@dataclass(slots=True)
class TaskContext:
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
    source_text: str | None = None  # the task's source text: source-side regions index it
    adjudication: bool = False  # a review project's task: its annotations are the gold

    @property
    def text(self) -> str:
        return self.offsets.text


def task_context(
    data: Any,
    task_id: Any,
    layer: str | None,
    data_path: str,
    file: str | None,
    options: ForeignOptions = _NO_OPTIONS,
    to_names: Iterable[str] = (),
) -> TaskContext | Issue:
    """What a task says about itself. A foreign task's text is the field the options (or
    its only string field) name: see :func:`annotate.sources.foreign.resolve_text_field`."""
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
    if "doc_id" in data:
        text_field: str | None = "text"
    else:
        text_field = resolve_text_field(
            data, options, to_names=to_names, file=file, task_id=task_id, data_path=data_path
        )
    raw = data.get(text_field) if text_field is not None else None
    if not isinstance(raw, str):
        return Issue(
            "no-text",
            f"the task has no text field {text_field!r}" if text_field else "the task has no text",
            json_path=f"{data_path}.{text_field or 'text'}",
        )
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
        source = data.get("source_text")
        return TaskContext(
            get_layer(name),
            raw,
            omap,
            doc_id,
            start,
            end,
            key,
            tid,
            data_path,
            None,
            source if isinstance(source, str) else None,
            data.get("review") is True,  # annotate review made it (labelstudio.review)
        )
    omap = OffsetMap(raw)
    doc_id = text_sha256(omap.text)
    lang = data.get("lang")
    lang = lang if isinstance(lang, str) else "und"
    doc = Document(id=doc_id, text=omap.text, lang=lang, source_path=file)
    key = task_key(doc_id, name, 0, len(omap.text))
    return TaskContext(
        get_layer(name), raw, omap, doc_id, 0, len(omap.text), key, tid, data_path, doc
    )


# ---------------------------------------------------------------------- results
@dataclass(slots=True)
class ResultEntry:
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


def make_record(
    ctx: TaskContext,
    ann: dict[str, Any],
    entries: list[ResultEntry],
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
        items,
        segment_start=ctx.seg_start,
        segment_text=ctx.text,
        json_path=_PH,
        source_text=ctx.source_text,
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
    ann_id = as_id(
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
        origin="prediction"
        if origin == "prediction"
        else ("adjudication" if ctx.adjudication else "annotation"),
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
        locate_issue(issue, file, ctx.task_id, record)
    source: dict[str, Any] = {"file": file, "json_path": apath, "task_id": ctx.task_id}
    if task is not None:
        source["task_data_path"] = ctx.data_path
    return ReadItem(record, ann, issues, ctx.text, ctx.document, loc, source)


def locate_issue(issue: Issue, file: str | None, task_id: Any, record: Annotation | None) -> None:
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
    ctx: TaskContext, entries: list[ResultEntry], loc: Locator
) -> tuple[list[dict[str, Any]], list[ResultEntry], list[Issue]]:
    """Check the shape of each result item before conversion; return the items to convert
    (offsets mapped to the normalised text, ids filled in), their entries, and issues."""
    segment_names, known = _controls(ctx.layer.name)
    items: list[dict[str, Any]] = []
    kept: list[ResultEntry] = []
    issues: list[Issue] = []

    def fault(code: str, message: str, path: str, entry: ResultEntry, **kw: Any) -> None:
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
            if not labels and ctx.layer.default_relation() is None:
                fault(
                    "no-relation-label",
                    "the relation has no label",
                    f"{entry.path}.labels",
                    entry,
                    hint=f"choose one of: {', '.join(ctx.layer.taxonomy.relations) or 'none'}",
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
        name = source_control(item)
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
    ctx: TaskContext,
    item: dict[str, Any],
    value: dict[str, Any],
    entry: ResultEntry,
    n: int,
    loc: Locator,
    fault: Any,
) -> dict[str, Any] | None:
    given_id = item.get("id")
    if type(given_id) is str and given_id:
        rid = given_id
    else:
        rid = f"r{n}" if given_id in (None, "") or isinstance(given_id, bool) else str(given_id)
    if item.get("to_name") == SOURCE_NAME:
        # offsets into the document's source text, which the layer checks (not the task text)
        return item if given_id == rid else {**item, "id": rid}
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
