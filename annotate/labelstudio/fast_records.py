"""The common annotation, read straight into its record.

Most annotations of an export that annotate made are clean: every result item has the
shape Label Studio writes (one label, whole-number offsets inside the task's text,
``value.text`` equal to the text there, the layer's own controls, string ids). Such a
task is decoded by ``msgspec`` into typed structs (:func:`typed_decoder`: only the fields
the reader looks at, the rest skipped without being built, which is most of what reading
costs), and :func:`fast_record` builds the record of each annotation from them: the very
dict that :func:`~annotate.labelstudio.export_records.make_record` and
``Annotation.to_record()`` give, key for key and in the same order, without a
:class:`~annotate.model.Span` or a
:class:`~annotate.labelstudio.export_context.Locator` on the way. For anything else it
returns ``None`` and the reader takes the full path (the task decoded again as plain
JSON), which words every issue.

It never reports a problem: the items it accepts are exactly those on which the full path
finds none, and a record it built that then fails a check is read again by the full path
(:attr:`RecordItem.full`), so that every issue, path and message is the full path's.
Every number it lets through is written by ``orjson`` exactly as ``json.dumps`` writes it
(floats in ``[1e-4, 1e16)``, which both print in plain decimal), which is what
:meth:`~annotate.validation.report.RecordWriter.valid` relies on for ``plain`` records.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import ijson
import msgspec
import orjson
from msgspec import UNSET, Struct, UnsetType

from annotate.labelstudio.export_context import TaskContext, as_id, timestamp
from annotate.layers.base import SOURCE_NAME
from annotate.schemas import SchemaSet

if TYPE_CHECKING:
    from annotate.labelstudio.export_records import ReadItem

__all__ = [
    "RecordItem",
    "TypedTask",
    "UnreadableTask",
    "fast_record",
    "plain_number",
    "typed_decoder",
    "typed_task",
]


@dataclass(slots=True)
class RecordItem:
    """An annotation read by the fast path: its ``record``, the text of its task, and
    ``full``, which reads the same annotation by the full path (for a record that fails a
    check, so that its issues are worded as always)."""

    record: dict[str, Any]
    segment_text: str
    full: Callable[[], ReadItem]


# ---------------------------------------------------------------------- typed tasks
# The fields the fast path reads, each as loose as JSON (``Any``) unless the shape itself
# is what makes an item common (a result item is an object, its value an object). A
# field left out of the JSON is ``None`` where the full path reads it with ``.get``, and
# ``UNSET`` where it tells a missing key from a null one. An object of another shape
# (a result item that is a string) fails the decoding: the reader decodes it as JSON.
class _Value(Struct):
    start: Any = None
    end: Any = None
    text: Any = None
    labels: Any = UNSET
    choices: Any = None


class _Region(Struct):
    type: Any = None
    value: _Value | None = None
    id: Any = None
    from_name: Any = None
    to_name: Any = None
    score: Any = None
    from_id: Any = None  # a relation's
    to_id: Any = None
    labels: Any = None


class _Unit(Struct):  # an annotation or a prediction
    id: Any = None
    completed_by: Any = None
    result: list[_Region] | None = None
    was_cancelled: Any = None
    skipped: Any = None
    ground_truth: Any = False
    created_at: Any = None
    lead_time: Any = None
    model_version: Any = None  # a prediction's
    score: Any = None


class _Task(Struct):
    id: Any = None
    data: Any = None  # a plain dict: the task context reads it as the full path does
    annotations: list[_Unit] | UnsetType = UNSET
    predictions: list[_Unit] | None = None
    drafts: Any = None
    completions: Any = UNSET  # a legacy task (counted as one by the full path)


_DECODE = msgspec.json.Decoder(_Task).decode


class TypedTask:
    """A task decoded into structs, and its JSON text or the plain JSON it was made
    from (for :meth:`as_dict`)."""

    __slots__ = ("_dict", "task", "view")

    def __init__(
        self, task: _Task, view: memoryview | None, plain: dict[str, Any] | None = None
    ) -> None:
        self.task, self.view, self._dict = task, view, plain

    def as_dict(self) -> dict[str, Any]:
        """The task as plain JSON, as the full path reads it (``orjson``; ``ijson`` for
        what orjson refuses, such as an integer past 64 bits). :class:`UnreadableTask` if
        neither reads it: msgspec skips a field no reader reads without checking its UTF-8
        or whether its number fits a double, which both refuse."""
        if self._dict is None:
            assert self.view is not None
            try:
                self._dict = orjson.loads(self.view)
            except orjson.JSONDecodeError:
                wrapped = io.BytesIO(b"[" + bytes(self.view) + b"]")
                try:
                    self._dict = next(ijson.items(wrapped, "item", use_float=True))
                except ijson.JSONError as exc:
                    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise UnreadableTask(detail) from None
        return self._dict


class UnreadableTask(Exception):
    """A task the typed decoder read that is not JSON to ijson (``detail``: its message)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _typed(view: memoryview) -> TypedTask | None:
    try:
        return TypedTask(_DECODE(view), view)
    except msgspec.DecodeError:  # not this shape, or not whole: the JSON reader decides
        return None


def typed_task(plain: dict[str, Any]) -> TypedTask | None:
    """A task already read as plain JSON (the first of an export, or one that ``ijson``
    read), in structs; ``None`` if not in their shape or not made by annotate."""
    data = plain.get("data")
    if type(data) is not dict or "doc_id" not in data:
        return None
    try:
        return TypedTask(msgspec.convert(plain, _Task), None, plain)
    except msgspec.ValidationError:
        return None


def typed_decoder(first: Any) -> Callable[[memoryview], TypedTask | None] | None:
    """The typed decoder for the items after ``first``, when ``first`` is a task made by
    annotate (a foreign export's tasks take the full path: decoding them twice is not
    worth it)."""
    data = first.get("data") if type(first) is dict else None
    return _typed if type(data) is dict and "doc_id" in data else None


# ---------------------------------------------------------------------- records
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
    ctx: TaskContext, ann: _Unit, origin: str, who: str | None
) -> dict[str, Any] | None:
    """The record of annotation (or prediction: ``origin``) ``ann`` of a task made by
    annotate, or ``None`` when any item is not in the common shape (then the full path
    reads it)."""
    if not who or ctx.document is not None or ctx.offsets.changed:
        return None
    built = _results(ctx, ann.result or ())
    if built is None:
        return None
    spans, relations, judgement = built
    prediction = origin == "prediction"
    lead_time = ann.lead_time
    created_at = ann.created_at
    if type(created_at) is not str:
        created_at = timestamp(created_at)
    model_version = ann.model_version if prediction else None
    score = ann.score if prediction else None
    if not (
        plain_number(lead_time)
        and plain_number(score)
        and (created_at is None or type(created_at) is str)
        and (model_version is None or type(model_version) is str)
    ):
        return None
    ann_id = ann.id
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
        "ground_truth": bool(ann.ground_truth),
        "model_version": model_version,
        "score": score,
        "lead_time": lead_time,
        "created_at": created_at,
        "spans": spans,
        "relations": relations,
        "judgement": judgement,
    }


def _results(
    ctx: TaskContext, result: list[_Region] | tuple[()]
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
        if item.to_name == SOURCE_NAME:
            return None
        rtype = item.type
        if rtype == "relation":
            rel = _relation(item, controls.default_relation)
            if rel is None:
                return None
            relations.append(rel)
            continue
        value = item.value
        if value is None:
            return None
        if (
            rtype == "labels"
            or rtype == "hypertextlabels"
            or (rtype != "choices" and rtype != "textarea" and value.labels is not UNSET)
        ):
            labels, start, end, text = value.labels, value.start, value.end, value.text
            if type(labels) is not list or len(labels) != 1:
                return None
            label, score = labels[0], item.score
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
            rid = item.id
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
        name = item.from_name
        if type(name) is not str or name not in controls.known:
            return None  # an unknown control: a warning the full path words
        if rtype == "choices":
            choices = value.choices
            if type(choices) is not list or not all(type(c) is str for c in choices):
                return None
            chosen = choices[0] if choices else None
            if name in controls.segment:
                judgement = chosen
                continue
        elif rtype == "textarea" and name not in controls.segment:
            texts = value.text
            if texts is not None and type(texts) is not list:
                return None
            chosen = "\n".join(t for t in texts or () if isinstance(t, str)).strip() or None
        else:
            return None
        owner = item.id
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


def _relation(item: _Region, default: str | None) -> dict[str, str] | None:
    src, dst = item.from_id, item.to_id
    if src is None or src == "" or dst is None or dst == "":
        return None
    labels = item.labels
    label: str | None
    if labels is None or labels == []:
        label = default
    elif type(labels) is list and all(type(x) is str for x in labels):
        label = labels[0]
    else:
        return None
    return None if label is None else {"from_id": str(src), "to_id": str(dst), "label": label}
