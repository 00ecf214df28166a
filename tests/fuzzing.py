"""Hypothesis strategies for the differential tests of the fast readers
(``tests/test_fast_equals_full.py``, ``tests/test_array_items_fuzz.py``): real exports
(the repository's, the bad cases, a small synthetic one, the foreign ones) broken in the
ways Label Studio, people and disks break them — types, offsets, labels, unicode, big
numbers, duplicated ids, missing and extra keys — then written in any indentation, with
the bytes themselves cut, padded or spliced.

The size of a run: ``ANNOTATE_FUZZ_EXAMPLES`` multiplies every test's ``max_examples``
(default 1: a few seconds in all); runs are derandomized (the same examples in CI every
time) unless ``ANNOTATE_FUZZ_RANDOM=1`` asks for new ones."""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from annotate.corpus import read_articles
from annotate.model import Document

__all__ = [
    "ROOT",
    "byte_edits",
    "documents",
    "exports",
    "fuzz_settings",
    "tagged",
    "task_pool",
]

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
SCALE = max(1, int(os.environ.get("ANNOTATE_FUZZ_EXAMPLES", "1") or 1))


def fuzz_settings(examples: int) -> settings:
    """``examples`` examples (times the scale), deterministic unless asked otherwise."""
    return settings(
        max_examples=examples * SCALE,
        derandomize=os.environ.get("ANNOTATE_FUZZ_RANDOM") != "1",
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


def tagged(value: Any) -> Any:
    """``value`` with every type made visible, for a strict comparison: ``1``, ``1.0`` and
    ``True`` differ, ``-0.0`` is not ``0.0``, ``NaN`` equals itself, key order counts."""
    if isinstance(value, dict):
        return ("dict", [(k, tagged(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [tagged(v) for v in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


# ---------------------------------------------------------------------- the inputs
def _export_files() -> list[Path]:
    labels = sorted(p for p in (ROOT / "data" / "labels").rglob("*.json") if "pins" not in p.name)
    cases = sorted((BAD / "cases").glob("*.json"))
    return labels + cases + sorted((ROOT / "tests" / "data" / "foreign").glob("*.json"))


@cache
def documents() -> dict[str, Document]:
    """Every document the pooled tasks can refer to: the bundled articles, the bad cases'
    article and the synthetic corpus (ids are sha256 of the text: no two collide)."""
    from tests.synthetic import synthetic_documents

    docs = list(read_articles([ROOT / "data" / "articles"]))
    docs += read_articles([BAD / "articles"])
    docs += synthetic_documents(3, paragraphs=2, seed=11)
    return {d.id: d for d in docs}


def _synthetic_tasks() -> list[Any]:
    import tempfile

    from tests.synthetic import synthetic_documents, write_synthetic_export

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.json"
        docs = synthetic_documents(3, paragraphs=2, seed=11)
        write_synthetic_export(path, docs, size=6000, spans=4, bad_every=3, cancelled_every=4)
        return list(json.loads(path.read_text(encoding="utf-8")))


@cache
def task_pool() -> tuple[str, ...]:
    """Every task of every export (as JSON text: each draw parses its own copy)."""
    tasks: list[Any] = []
    for path in _export_files():
        try:
            loaded = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue  # the cases that are not JSON on purpose: bytes edits make those
        tasks += loaded if isinstance(loaded, list) else [loaded]
    tasks += _synthetic_tasks()
    return tuple(json.dumps(t, ensure_ascii=False) for t in tasks)


# ---------------------------------------------------------------------- values
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


# ---------------------------------------------------------------------- bytes
def _write(data: st.DataObject, tasks: list[Any]) -> bytes:
    """The export written as Label Studio (indent 1), an editor (2, 4, tabs) or a
    program (compact) would, ASCII-escaped or not (lone surrogates then become bad UTF-8)."""
    indent = data.draw(st.sampled_from([None, None, 1, 2, 4, "\t"]))
    compact = indent is None and data.draw(st.booleans())
    text = json.dumps(
        tasks,
        ensure_ascii=data.draw(st.booleans()),
        indent=indent,
        separators=(",", ":") if compact else None,
    )
    return text.encode("utf-8", "surrogatepass")


BYTE_PIECES = [
    b",",
    b"]",
    b"}",
    b"{",
    b"[",
    b'"',
    b" ",
    b"\n",
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\xff",
    b"\xc3",
    b"\x00",
    b'"\\ud800"',
    b'"\\udc00\\ud800"',
    b',{"id":',
    b"\xef\xbb\xbf",
    b"garbage",
]


def byte_edits(data: st.DataObject, raw: bytes) -> bytes:
    """The bytes cut short, padded, spliced with a token, or given a BOM."""
    for _ in range(data.draw(st.integers(0, 2))):
        action = data.draw(st.sampled_from(["cut", "insert", "delete", "bom", "trail", "pad"]))
        at = data.draw(st.integers(0, len(raw)))
        if action == "cut":
            raw = raw[:at]
        elif action == "insert":
            raw = raw[:at] + data.draw(st.sampled_from(BYTE_PIECES)) + raw[at:]
        elif action == "delete":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 8)) :]
        elif action == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif action == "trail":
            raw = raw + data.draw(st.sampled_from(BYTE_PIECES))
        else:
            raw = b" \n\t" + raw + b"\n"
    return raw


def exports(
    data: st.DataObject, *, tasks: int = 3, edits: int = 3, raw: bool = True
) -> tuple[list[Any], bytes]:
    """A few pooled tasks, edited, written; the bytes edited too when ``raw``."""
    pool = task_pool()
    picked = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=tasks))
    parsed = [json.loads(t) for t in picked]
    for _ in range(data.draw(st.integers(0, edits))):
        data.draw(st.sampled_from(EDITS))(data, parsed)
    out = _write(data, parsed)
    if raw and data.draw(st.integers(0, 3)) == 0:
        out = byte_edits(data, out)
    return parsed, out


def chunks() -> Iterator[int]:
    yield from (1, 2, 5, 7, 64, 4096, 1 << 20)
