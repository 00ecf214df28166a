"""The common annotation, read straight into its record.

Most annotations of an export that annotate made are clean: every result item has the
shape Label Studio writes (one label, whole-number offsets inside the task's text,
``value.text`` equal to the text there, the layer's own controls, string ids).
:func:`fast_record` builds the record of such an annotation directly: the very dict that
:func:`~annotate.labelstudio.export_records.make_record` and ``Annotation.to_record()``
give, key for key and in the same order, without a :class:`~annotate.model.Span` or a
:class:`~annotate.labelstudio.export_context.Locator` on the way. For anything else it
returns ``None`` and the reader takes the full path, which words every issue.

It never reports a problem: the items it accepts are exactly those on which the full path
finds none, and a record it built that then fails a check is read again by the full path
(:attr:`RecordItem.full`), so that every issue, path and message is the full path's.
Every number it lets through is written by ``orjson`` exactly as ``json.dumps`` writes it
(floats in ``[1e-4, 1e16)``, which both print in plain decimal), which is what
:meth:`~annotate.validation.report.RecordWriter.valid` relies on for ``plain`` records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from annotate.labelstudio.export_context import TaskContext, as_id, timestamp
from annotate.layers.base import SOURCE_NAME
from annotate.schemas import SchemaSet

if TYPE_CHECKING:
    from annotate.labelstudio.export_records import ReadItem

__all__ = ["RecordItem", "fast_record", "plain_number"]


@dataclass(slots=True)
class RecordItem:
    """An annotation read by the fast path: its ``record``, the text of its task, and
    ``full``, which reads the same annotation by the full path (for a record that fails a
    check, so that its issues are worded as always)."""

    record: dict[str, Any]
    segment_text: str
    full: Callable[[], ReadItem]


@dataclass(frozen=True, slots=True)
class _Controls:
    segment: frozenset[str]  # per-segment choices (the judgement)
    known: frozenset[str]  # every choice and text field of the layer
    default_relation: str | None


@cache
def _controls(layer: str, schemas: SchemaSet) -> _Controls:
    from annotate.layers import get_layer

    found = get_layer(layer, schemas)
    tax = found.taxonomy
    return _Controls(
        frozenset(c.name for c in tax.segment_choices()),
        frozenset(tax.choices) | frozenset(tax.text_fields),
        found.default_relation(),
    )


def plain_number(value: Any) -> bool:
    """Whether ``value`` is ``None`` or a number that ``orjson`` and ``json.dumps`` write
    alike (any int, whose size orjson checks itself; a float only in plain notation)."""
    if value is None or type(value) is int or type(value) is bool:
        return True
    return type(value) is float and (value == 0.0 or 1e-4 <= abs(value) < 1e16)


def fast_record(
    ctx: TaskContext, ann: dict[str, Any], result: list[Any], origin: str, who: str | None
) -> dict[str, Any] | None:
    """The record of annotation ``ann`` (a dict whose ``result`` list is ``result``) of a
    task made by annotate, or ``None`` when any item is not in the common shape (then the
    full path reads it)."""
    if not who or ctx.document is not None or ctx.offsets.changed:
        return None
    built = _results(ctx, result)
    if built is None:
        return None
    spans, relations, judgement = built
    prediction = origin == "prediction"
    lead_time = ann.get("lead_time")
    created_at = ann.get("created_at")
    if type(created_at) is not str:
        created_at = timestamp(created_at)
    model_version = ann.get("model_version") if prediction else None
    score = ann.get("score") if prediction else None
    if not (
        plain_number(lead_time)
        and plain_number(score)
        and (created_at is None or type(created_at) is str)
        and (model_version is None or type(model_version) is str)
    ):
        return None
    ann_id = ann.get("id")
    if type(ann_id) is not int:
        ann_id = as_id(ann_id)
    kind = "prediction" if prediction else ("adjudication" if ctx.adjudication else "annotation")
    return {
        "record_id": f"{ctx.key}#{kind}:{who if ann_id is None else ann_id}",
        "layer": ctx.layer.name,
        "doc_id": ctx.doc_id,
        "task_key": ctx.key,
        "segment": {"start": ctx.seg_start, "end": ctx.seg_end},
        "annotator": who,
        "annotation_id": ann_id,
        "task_id": ctx.task_id,
        "origin": kind,
        "ground_truth": bool(ann.get("ground_truth", False)),
        "model_version": model_version,
        "score": score,
        "lead_time": lead_time,
        "created_at": created_at,
        "spans": spans,
        "relations": relations,
        "judgement": judgement,
    }


def _results(
    ctx: TaskContext, result: list[Any]
) -> tuple[list[dict[str, Any]], list[dict[str, str]], Any] | None:
    """Spans (document offsets), relations and judgement of a result list in the common
    shape, as the layer's ``from_ls_result`` gives them; ``None`` for anything else.
    The region attributes (choices, text areas) are set after every region is read, in
    the order of their items, as ``from_ls_result`` does. (Longer than most: one loop over
    every item of every annotation, its common case, a region, first and inline.)"""
    controls = _controls(ctx.layer.name, ctx.layer.schemas)
    raw, shift = ctx.raw_text, ctx.seg_start
    size = len(raw)
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, str]] = []
    extras: list[tuple[str, str, Any]] = []  # (region id, control, value)
    judgement: Any = None
    for n, item in enumerate(result):
        if type(item) is not dict:
            return None
        get = item.get
        if get("to_name") == SOURCE_NAME:
            return None
        rtype = get("type")
        if rtype == "relation":
            rel = _relation(item, controls.default_relation)
            if rel is None:
                return None
            relations.append(rel)
            continue
        value = get("value")
        if type(value) is not dict:
            return None
        if (
            rtype == "labels"
            or rtype == "hypertextlabels"
            or (rtype != "choices" and rtype != "textarea" and "labels" in value)
        ):
            try:  # each is there in the common shape (a missing one fails the checks below)
                labels, start, end, text = (
                    value["labels"],
                    value["start"],
                    value["end"],
                    value["text"],
                )
            except KeyError:
                return None
            if type(labels) is not list or len(labels) != 1:
                return None
            label, score = labels[0], get("score")
            if not (
                type(label) is str
                and type(start) is int
                and type(end) is int
                and 0 <= start < end <= size
                and type(text) is str
                and len(text) == end - start
                and raw.startswith(text, start)  # == raw[start:end], no slice made
                and (score is None or plain_number(score))
            ):
                return None
            rid = get("id")
            if type(rid) is not str or not rid:
                rid = f"r{n}" if rid is None or rid == "" or type(rid) is bool else str(rid)
            span = {
                "id": rid,
                "start": start + shift,
                "end": end + shift,
                "text": text,
                "label": label,
            }
            if score is not None:
                span["score"] = score
            spans.append(span)
            continue
        name = get("from_name")
        if type(name) is not str or name not in controls.known:
            return None  # an unknown control: a warning the full path words
        if rtype == "choices":
            choices = value.get("choices")
            if type(choices) is not list or not all(type(c) is str for c in choices):
                return None
            chosen = choices[0] if choices else None
            if name in controls.segment:
                judgement = chosen
                continue
        elif rtype == "textarea" and name not in controls.segment:
            texts = value.get("text")
            if texts is not None and type(texts) is not list:
                return None
            chosen = "\n".join(t for t in texts or () if isinstance(t, str)).strip() or None
        else:
            return None
        owner = get("id")
        if type(owner) is not str:
            return None
        extras.append((owner, name, chosen))
    if not extras:
        return spans, relations, judgement
    regions = {span["id"]: span for span in spans}  # the last of an id, as the full path
    for owner, name, chosen in extras:
        target = regions.get(owner)
        if target is None:
            return None  # an orphan field: an error the full path words
        target[name] = chosen
    return spans, relations, judgement


def _relation(item: dict[str, Any], default: str | None) -> dict[str, str] | None:
    src, dst = item.get("from_id"), item.get("to_id")
    if src is None or src == "" or dst is None or dst == "":
        return None
    labels = item.get("labels")
    label: str | None
    if labels is None or labels == []:
        label = default
    elif type(labels) is list and all(type(x) is str for x in labels):
        label = labels[0]
    else:
        return None
    return None if label is None else {"from_id": str(src), "to_id": str(dst), "label": label}
