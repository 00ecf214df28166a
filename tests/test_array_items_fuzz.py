"""The fast array reader (``json_items.array_items``) against ``ijson.items(..., "item",
use_float=True)`` on generated exports (``tests/fuzzing.py``): the same items, of the same
types, in the same key order, then the same exception with the same message (its first
line, which the export reader reports), whatever the bytes and whatever the chunk size."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from unittest import mock

import ijson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.labelstudio import json_items
from annotate.labelstudio.json_items import array_items
from tests.fuzzing import BYTE_PIECES, ROOT, byte_edits, chunks, exports, fuzz_settings, tagged

Outcome = tuple[list[Any], tuple[str, str] | None]


def _read(reader: Callable[[io.BytesIO], Iterable[Any]], raw: bytes) -> Outcome:
    """The items read (tagged) and the exception that ended the reading, if any."""
    items: list[Any] = []
    try:
        for item in reader(io.BytesIO(raw)):
            items.append(tagged(item))
    except Exception as exc:  # any exception: its type must be ijson's too
        # its first line: what the reader reports (the lines after it quote the text
        # around the fault as yajl's buffer held it, which differs where ijson takes over
        # from the item before a fault that is shorter than the quote)
        return items, (type(exc).__name__, (str(exc).splitlines() or [""])[0])
    return items, None


def _ijson(stream: io.BytesIO) -> Iterable[Any]:
    return ijson.items(stream, "item", use_float=True)


def _fast(raw: bytes, chunk: int) -> Outcome:
    with mock.patch.object(json_items, "CHUNK", chunk):
        return _read(array_items, raw)


def _same(raw: bytes, chunk: int) -> None:
    expected = _read(_ijson, raw)
    assert _fast(raw, chunk) == expected, (chunk, raw[:400])


@fuzz_settings(80)
@given(st.data(), st.sampled_from(list(chunks())))
def test_edited_exports_read_as_ijson_reads_them(data: st.DataObject, chunk: int) -> None:
    _tasks, raw = exports(data, raw=True)
    _same(raw, chunk)


@fuzz_settings(8)
@given(st.data())
def test_an_export_cut_at_every_byte_reads_as_ijson_reads_it(data: st.DataObject) -> None:
    """Truncation at every byte of a small export (one or two tasks, any indentation)."""
    _tasks, raw = exports(data, tasks=2, edits=1, raw=False)
    raw = raw[:1500]  # every cut of the first 1500 bytes (a task's start and a seam)
    chunk = data.draw(st.sampled_from([5, 64, 1 << 20]))
    for cut in range(len(raw) + 1):
        _same(raw[:cut], chunk)


_TEXT = st.lists(st.characters(codec="utf-8") | st.sampled_from(['"', "\\", ',{"id":']))
_LEAF = st.none() | st.booleans() | st.integers(-(2**66), 2**66) | st.floats() | _TEXT.map("".join)
_KEYS = st.sampled_from(["id", "a", "", '"', "é"])
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)


@fuzz_settings(100)
@given(st.lists(_JSON, max_size=5), st.sampled_from([None, 0, 1, 2, "\t"]), st.data())
def test_any_json_array_reads_as_ijson_reads_it(
    items: list[Any], indent: int | str | None, data: st.DataObject
) -> None:
    """Arrays of anything (objects or not, any keys), spliced."""
    import json

    raw = json.dumps(items, indent=indent, ensure_ascii=data.draw(st.booleans())).encode()
    if data.draw(st.booleans()):
        raw = byte_edits(data, raw)
    _same(raw, data.draw(st.sampled_from([1, 3, 64, 1 << 20])))


def test_the_byte_pieces_are_odd_for_both_readers() -> None:
    """Each spliced piece, at the seam of two tasks, is read alike (a fixed sweep)."""
    base = b'[{"id": 1, "t": "a"}, {"id": 2, "t": ",{\\"id\\":"}, {"id": 3}]'
    seams = [i for i in range(len(base)) if base[i : i + 1] in b',{}"']
    for piece in [*BYTE_PIECES, b'"id": 9, ', b'"t": [], "t": {}, ']:  # keys written twice
        for at in seams:
            _same(base[:at] + piece + base[at:], 7)


# ---------------------------------------------------------------------- what fuzzing found
@pytest.mark.parametrize(
    "raw",
    [
        b'[{"id": 9223372036854775808}]',  # 2**63: yajl refuses it, orjson read an int
        b'[{"id": 1}, {"id": 18446744073709551616}, {"id": 3}]',  # 2**64: orjson read a float
        b'[\n {"id": 1},\n {"id": 2, "a": [-9223372036854775808]},\n {"id": 3}\n]',  # -2**63
        b'[{"id": 1}, {"id": 2}, {"id": 123456789012345678901234}]',  # the last item
        b'[{"id": 1}, {"t": "12345678901234567890", "x": 0.00012345678901234567}, {"id": 3}]',
    ],
)
def test_integers_past_64_signed_bits_are_refused_as_ijson_refuses_them(raw: bytes) -> None:
    """Found by the property tests: orjson reads integers up to 2**64 - 1 as ints and past
    that as floats (silently rounded), where ijson (yajl) stops at |n| >= 2**63 with
    'integer overflow'; a long run of digits in a string or a float reads alike."""
    for chunk in chunks():
        _same(raw, chunk)


EXTERNAL = sorted((ROOT / "tests" / "data" / "external" / "labelstudio").glob("*.json"))


@fuzz_settings(10)
@given(st.sampled_from(EXTERNAL), st.data())
def test_real_foreign_exports_read_as_ijson_reads_them(path: Path, data: st.DataObject) -> None:
    """The Label Studio exports other people wrote (tasks of ~60k characters, JSON and
    JSON_MIN; ``tests/data/external``), cut, spliced or padded."""
    raw = byte_edits(data, path.read_bytes())
    _same(raw, data.draw(st.sampled_from([4096, 1 << 20])))
