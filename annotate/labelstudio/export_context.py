"""Where an annotation of an export is, and what its task says about itself.

:func:`task_context` reads a task's data (layer, document, segment, offset map) into a
:class:`TaskContext`; :class:`ResultEntry` is one result item with its place in the
export; :class:`Locator` maps a JSON path in a converted record back to that place. The
value helpers read ids, annotators and timestamps the way Label Studio's versions write
them. :mod:`annotate.labelstudio.export_records` converts with these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from annotate.layers import LAYERS, get_layer
from annotate.layers.base import Layer
from annotate.model import Document, Issue, task_key, text_sha256
from annotate.sources.foreign import ForeignOptions, resolve_text_field
from annotate.text import OffsetMap, did_you_mean

__all__ = [
    "Locator",
    "ResultEntry",
    "TaskContext",
    "annotator_of",
    "as_id",
    "task_context",
    "timestamp",
    "whole",
]

_NO_OPTIONS = ForeignOptions()


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


# ---------------------------------------------------------------------- values
def as_id(value: Any) -> int | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return int(text) if text.isdecimal() else (text or None)  # (isdigit: "²", int refuses)


def annotator_of(completed_by: Any) -> str | None:
    """Who made an annotation: the Label Studio user id. An e-mail or a name is for display
    only: two users may share one (or have none), and they stay two annotators."""
    if isinstance(completed_by, dict):
        who = as_id(completed_by.get("id"))
        return None if who is None else str(who)
    if completed_by is None or completed_by == "" or isinstance(completed_by, bool):
        return None
    return str(as_id(completed_by))


def timestamp(value: Any) -> Any:
    # Label Studio 0.x wrote created_at as seconds since the epoch.
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):  # no time (NaN, past year 9999): as is
            return value
    return value


def whole(value: Any) -> int | None:
    """``value`` if it is a whole number (not a bool), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _digits(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return whole(value)


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
    if not isinstance(name, str) or name not in LAYERS:  # (a list is not a key)
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
