"""The edits of the property tests (``tests/fuzzing.py``): values near a value (its type
broken, its number moved, odd characters spliced in) and edits of parsed Label Studio
tasks — any value anywhere, the keys the readers read, offsets, texts, ids, numbers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

__all__ = ["EDITS", "ODD_NUMBERS", "ODD_TEXT"]

ODD_TEXT = [
    "",
    " ",
    "\u00a0",
    "\t",
    "\x00",
    "\ud800",  # a lone surrogate (written as the escape \ud800 with ensure_ascii)
    "\udfff",
    "😀",  # astral: two UTF-16 units
    "e\u0301",  # a combining mark
    "\u0301",
    "\u2028",
    ',{"id":',
    '},{"id": 2',
    "]}{",
    ',\n  {\n    "id":',
    "\\",
    '"',
    "PER",
    "ORG",
    "LOC",
    "per",
    "Organisation",
    "attributed_to",
    "no-error",
    "asserted",
    "major",
    "1",
    "12",
    " 12 ",
    "-1",
    "2024-05-01T10:00:00.000000Z",
]
ODD_NUMBERS = [
    0,
    1,
    -1,
    7,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    -(2**63),
    -(2**63) - 1,
    10**30,
    0.0,
    -0.0,
    1.0,
    0.5,
    1.5,
    12.5,
    1e-4,
    1e-5,
    9999999999999998.0,
    1e16,
    1e20,
    3e17,
    1e300,
    float("nan"),
    float("inf"),
    float("-inf"),
]
ODD_VALUES: list[Any] = [None, True, False, [], {}, [None], ["PER"], ["PER", "ORG"], {"id": 1}]


def _nearby(old: Any) -> st.SearchStrategy[Any]:
    """Values near ``old`` (its type broken, its number moved), and odd ones of any type."""
    near: list[st.SearchStrategy[Any]] = [
        st.sampled_from(ODD_TEXT + ODD_NUMBERS + ODD_VALUES),
        st.integers(min_value=-(2**65), max_value=2**65),
        st.floats(allow_nan=True, allow_infinity=True),
        st.lists(st.characters(codec="utf-8") | st.sampled_from(ODD_TEXT), max_size=4).map("".join),
    ]
    if type(old) is int:
        near.append(st.integers(-3, 3).map(lambda d: old + d))
        near.append(st.sampled_from([float(old), str(old), bool(old), -old, [old]]))
    if isinstance(old, str):
        near.append(st.sampled_from(ODD_TEXT).flatmap(lambda s: _spliced(old, s)))
        near.append(st.sampled_from([old.upper(), old.lower(), old.strip(), [old], old * 2]))
    if isinstance(old, list) and old:
        near.append(st.sampled_from([[], old[:1], old + old[:1], old[::-1], old[0]]))
    return st.one_of(near)


def _spliced(text: str, piece: str) -> st.SearchStrategy[str]:
    return st.integers(0, len(text)).map(lambda i: text[:i] + piece + text[i:])


# ---------------------------------------------------------------------- JSON edits
def _places(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) inside ``node``, depth first."""
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((node, k))
            _places(v, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((node, i))
            _places(v, out)
    return out


def _regions(tasks: list[Any]) -> list[dict[str, Any]]:
    """The region values (``value`` objects with offsets) of every result item."""
    found: list[dict[str, Any]] = []
    for container, key in _places(tasks, []):
        value = container[key]
        if key == "value" and isinstance(value, dict) and "start" in value and "end" in value:
            found.append(value)
    return found


def _segment_texts(tasks: list[Any]) -> list[dict[str, Any]]:
    return [
        t["data"]
        for t in tasks
        if isinstance(t, dict) and isinstance(t.get("data"), dict) and "text" in t["data"]
    ]


Edit = Callable[[st.DataObject, list[Any]], None]


def _edit_any(data: st.DataObject, tasks: list[Any]) -> None:
    """Any value anywhere replaced by one near it, removed, or copied beside itself;
    or an extra key added to any object."""
    places = _places(tasks, [])
    if not places:
        return
    container, key = data.draw(st.sampled_from(places))
    action = data.draw(st.sampled_from(["replace", "replace", "delete", "copy", "extra"]))
    if action == "replace":
        container[key] = data.draw(_nearby(container[key]))
    elif action == "delete":
        del container[key]
    elif action == "copy" and isinstance(container, list):
        container.insert(key, copy.deepcopy(container[key]))
    elif action == "extra":
        target = container[key] if isinstance(container[key], dict) else container
        if isinstance(target, dict):
            name = data.draw(st.sampled_from(["extra", "id", "score", "meta", "text", "labels"]))
            target[name] = data.draw(_nearby(target.get(name)))


def _edit_offsets(data: st.DataObject, tasks: list[Any]) -> None:
    """A region's offsets moved (white space or a neighbour's text at its edges, past the
    text, empty, reversed), its ``value.text`` recomputed from the task text or not."""
    regions = _regions(tasks)
    if not regions:
        return
    value = data.draw(st.sampled_from(regions))
    start, end = value.get("start"), value.get("end")
    if type(start) is not int or type(end) is not int:
        return
    value["start"] = start + data.draw(st.integers(-3, 3))
    value["end"] = end + data.draw(st.integers(-3, 3))
    if data.draw(st.booleans()):  # the text at the new offsets (as Label Studio writes)
        texts = [d["text"] for d in _segment_texts(tasks) if isinstance(d["text"], str)]
        owner = next((t for t in texts if start < end <= len(t)), None)
        if owner is not None and value["start"] >= 0:
            value["text"] = owner[value["start"] : value["end"]]


def _edit_text(data: st.DataObject, tasks: list[Any]) -> None:
    """Odd characters put into a task's text, before its spans or inside them (the
    offsets then point elsewhere, or split a character)."""
    owners = _segment_texts(tasks)
    if not owners:
        return
    owner = data.draw(st.sampled_from(owners))
    if isinstance(owner["text"], str):
        piece = data.draw(st.sampled_from(ODD_TEXT[:12]))
        owner["text"] = data.draw(_spliced(owner["text"], piece))


def _edit_ids(data: st.DataObject, tasks: list[Any]) -> None:
    """Ids made equal: a task, an annotation or a region copied, or an id set to another's."""
    units = [
        (container, key)
        for container, key in _places(tasks, [])
        if isinstance(container, list) and isinstance(container[key], dict)
    ]
    if not units:
        return
    container, key = data.draw(st.sampled_from(units))
    twin = copy.deepcopy(container[key])
    if data.draw(st.booleans()) and "id" in twin:
        twin["id"] = data.draw(_nearby(twin["id"]))
    container.insert(data.draw(st.integers(0, len(container))), twin)


# the keys the readers look at, per kind of object (the fast path reads exactly these)
KEYS = {
    "task": ["id", "data", "annotations", "completions", "predictions", "drafts"],
    "data": ["text", "doc_id", "layer", "segment_start", "segment_end", "task_key", "lang"],
    "annotation": [
        "id",
        "completed_by",
        "result",
        "lead_time",
        "created_at",
        "ground_truth",
        "was_cancelled",
        "skipped",
        "model_version",
        "score",
    ],
    "region": ["id", "type", "from_name", "to_name", "value", "score", "origin", "parentID"],
    "value": ["start", "end", "text", "labels", "choices"],
    "relation": ["from_id", "to_id", "type", "labels", "direction"],
}


def _kind(obj: dict[str, Any]) -> str | None:
    if "annotations" in obj or "data" in obj:
        return "task"
    if "segment_start" in obj or "doc_id" in obj:
        return "data"
    if "result" in obj:
        return "annotation"
    if obj.get("type") == "relation" or "from_id" in obj:
        return "relation"
    if "from_name" in obj or "to_name" in obj:
        return "region"
    if "start" in obj or "labels" in obj or "choices" in obj:
        return "value"
    return None


def _edit_field(data: st.DataObject, tasks: list[Any]) -> None:
    """A key a reader reads (present or not) of a task, its data, an annotation, a region,
    its value or a relation: set to a value near the old one, or removed."""
    objects = [(c[k], _kind(c[k])) for c, k in _places(tasks, []) if isinstance(c[k], dict)]
    objects += [(t, _kind(t)) for t in tasks if isinstance(t, dict)]
    kinds = sorted({kind for _obj, kind in objects if kind is not None})
    if not kinds:
        return
    kind = data.draw(st.sampled_from(kinds))  # each kind alike: annotations are few
    obj = data.draw(st.sampled_from([obj for obj, k in objects if k == kind]))
    key = data.draw(st.sampled_from(KEYS[kind]))
    if key in obj and data.draw(st.integers(0, 4)) == 0:
        del obj[key]
    else:
        obj[key] = data.draw(_nearby(obj.get(key)))


def _edit_number(data: st.DataObject, tasks: list[Any]) -> None:
    """An odd number where the fast path copies one into the record: an annotation's
    ``lead_time``, ``score``, ``created_at``, ``id``, a region's ``score``."""
    objects = [c[k] for c, k in _places(tasks, []) if isinstance(c[k], dict)]
    kind = data.draw(st.sampled_from(["annotation", "annotation", "annotation", "region"]))
    targets = [o for o in objects if _kind(o) == kind]
    if not targets:
        return
    obj = data.draw(st.sampled_from(targets))
    keys = ["lead_time", "score", "created_at", "id"] if kind == "annotation" else ["score"]
    odd = st.sampled_from(ODD_NUMBERS) | st.floats() | st.integers(-(2**65), 2**65)
    obj[data.draw(st.sampled_from(keys))] = data.draw(odd)


EDITS: list[Edit] = [
    _edit_any,
    _edit_field,
    _edit_field,
    _edit_number,
    _edit_offsets,
    _edit_text,
    _edit_ids,
]
