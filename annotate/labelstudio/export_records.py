"""Label Studio result items → annotation records, one task at a time.

The part of reading an export that does not depend on its format (JSON, JSON_MIN, 0.x
``completions``): the checks on each result item before the layer converts it, the
conversion, and the JSON path of every issue in the export. What a task says about itself
and where each item is are in :mod:`annotate.labelstudio.export_context`;
:mod:`annotate.labelstudio.export` streams the file and calls in here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from annotate.labelstudio.export_context import (
    Locator,
    ResultEntry,
    TaskContext,
    annotator_of,
    as_id,
    task_context,
    timestamp,
    whole,
)
from annotate.layers import get_layer
from annotate.layers.base import SOURCE_NAME, source_control
from annotate.model import Annotation, Document, Issue
from annotate.text import closest, kind, utf16_to_code_points

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

_PH = "\x00"  # placeholder json_path handed to from_ls_result, remapped afterwards


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
        created_at=timestamp(ann.get("created_at")),
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
        if type(name) is not str or name not in known:  # (a list is not a key)
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
        if rtype == "textarea" and not (got is None or isinstance(got, str | list)):
            fault(
                "wrong-type",
                f"text must be a list of text, got {got!r}",
                f"{entry.value_path}.text",
                entry,
            )
            continue
        if name in segment_names:
            loc.judgement = entry
        else:
            rid = item.get("id")
            if type(rid) is str and rid in loc.dropped:
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
    start, end = whole(start), whole(end)
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
