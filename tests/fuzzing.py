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

import json
import math
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from annotate.corpus import read_articles
from annotate.model import Document
from tests.fuzz_edits import EDITS

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
