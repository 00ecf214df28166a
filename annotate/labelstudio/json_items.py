"""The items of a top-level JSON array, streamed fast: ``orjson`` decodes each item.

A Label Studio export is ``[{task}, {task}, …]``. Building Python objects event by event
(``ijson.items``) is what most of reading costs, so the array is cut into items and each
item is decoded by ``orjson``: the bytes between two tasks (``,{"id":`` in a compact
export, ``,\\n  {\\n    "id":`` in an indented one) are learned from the first two tasks and
looked for with ``bytes.find``. A cut is only a guess until ``orjson`` decodes the slice:
an object that starts at a ``{`` ends at exactly one place, so a slice that decodes whole
*is* the item, and a guess that falls inside a string just fails and the next one is
tried. Memory holds one buffer of :data:`CHUNK` bytes (or the largest item).

An item with 19 digits in a row (an integer yajl may refuse: ``|n| >= 2**63``, which orjson
reads up to 64 bits and past them as a rounded float) is read again by ijson alone.
Everything else — an array of other things than objects, an item ``orjson`` refuses
(``NaN``, bad UTF-8), an item ijson refuses or a file that ends early — is handed, from
the item where it happened, to ``ijson``, which reads the rest as it always has: the
items, their numbering and the error messages are those of a plain ``ijson.items`` pass.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import ijson
import orjson

__all__ = ["CHUNK", "Readable", "array_items"]

CHUNK = 1 << 20
_WS = b" \t\r\n"


class Readable(Protocol):
    """A binary stream: ``read(n)`` gives at most ``n`` bytes, ``b""`` at its end."""

    def read(self, n: int = -1, /) -> bytes: ...


_MAX_MISSES = 16  # guesses that failed for one item before ijson takes over
_MAX_FIRST = 4096  # '}' tried as the end of the first item
# Every digit as "0", every other byte as "x": a run of 19 digits in an item (an integer
# yajl may refuse as too big for 64 signed bits; or a long float, a long number in a
# string) is found with bytes.find, and such an item is read by ijson (:func:`_exact`).
_DIGITS = bytes(48 if 48 <= b <= 57 else 120 for b in range(256))
_LONG = b"0" * 19


class _Rest:
    """``head`` then the rest of ``stream``, as one binary stream (for ijson)."""

    def __init__(self, head: bytes, stream: Readable) -> None:
        self.head, self.stream = head, stream

    def read(self, n: int = -1) -> bytes:
        """Full reads of ``n`` (ijson's buffer), so that yajl's messages quote as much
        text around a fault as they do when reading the file itself."""
        if not self.head:
            return self.stream.read(n)
        if n < 0:
            out, self.head = self.head + self.stream.read(), b""
            return out
        out = self.head[:n]
        self.head = self.head[len(out) :]
        return out + self.stream.read(n - len(out)) if len(out) < n else out


def _slow(head: bytes, stream: Readable, *, skip: int = 0) -> Iterator[Any]:
    """The items of ``head`` + ``stream`` read by ijson, the first ``skip`` left out (a
    ``[0,`` put in front puts ijson where the fast reader stopped, between two items)."""
    for n, item in enumerate(ijson.items(_Rest(head, stream), "item", use_float=True)):
        if n >= skip:
            yield item


class _Buffer:
    """The bytes read so far that are not yet consumed: ``data[start:]``, and where in
    them a run of 19 digits starts (``runs``, ascending; almost always none)."""

    def __init__(self, head: bytes, stream: Readable) -> None:
        self.data, self.stream, self.eof = head, stream, False
        self.runs: list[int] = []

    def more(self, start: int) -> int:
        """Read more (at least a chunk, and as much as is held); drop ``data[:start]``;
        return how many bytes were dropped."""
        if self.eof:
            return 0
        kept = self.data[start:]
        extra = self.stream.read(max(CHUNK, len(kept)))
        self.eof = not extra
        self.data = kept + extra
        # the new bytes, with the 18 before them (a run may straddle the two reads)
        base = max(0, len(kept) - len(_LONG) + 1)
        marks = self.data[base:].translate(_DIGITS)
        runs = [r - start for r in self.runs if r >= start]
        at = marks.find(_LONG)
        while at >= 0:  # (a run found before ended in the kept bytes: none is found twice)
            runs.append(base + at)
            at = marks.find(_LONG, at + 1)
        self.runs = runs
        return start

    def long_number(self, start: int, end: int) -> bool:
        """Whether ``data[start:end]`` holds a run of 19 digits."""
        return any(start <= r <= end - len(_LONG) for r in self.runs)


_REFUSED = object()  # an item ijson refuses (an integer past 64 signed bits)


def _exact(buf: _Buffer, start: int, end: int, item: Any) -> Any:
    """``item``, decoded by orjson from ``buf.data[start:end]``; if that holds a run of 19
    digits, the item as ijson reads it (its numbers are then ijson's), or :data:`_REFUSED`."""
    if not buf.runs or not buf.long_number(start, end):
        return item
    try:
        return next(ijson.items(io.BytesIO(buf.data[start:end]), "", use_float=True))
    except ijson.JSONError:
        return _REFUSED


def _skip_ws(buf: _Buffer, at: int) -> int:
    """The first non-white byte from ``at``, reading more as needed (nothing is dropped)."""
    while True:
        data = buf.data
        while at < len(data) and data[at] in _WS:
            at += 1
        if at < len(data) or buf.eof:
            return at
        buf.more(0)


def _first(buf: _Buffer, start: int) -> tuple[int, Any] | None:
    """The end of the item at ``start`` and the item, found exactly: each ``}`` in turn is
    tried as its end (only for the first item: later ones are cut by the separator)."""
    tries, q = 0, start
    while tries < _MAX_FIRST:
        q = buf.data.find(b"}", q)
        if q < 0:
            if buf.eof:
                return None
            q = len(buf.data)
            buf.more(0)  # keep everything: start stays where it is
            continue
        tries += 1
        try:
            item = orjson.loads(memoryview(buf.data)[start : q + 1])
        except orjson.JSONDecodeError as exc:
            if not _cut_short(exc):
                return None
            q += 1
            continue
        item = _exact(buf, start, q + 1, item)
        return None if item is _REFUSED else (q + 1, item)
    return None


def _cut_short(exc: orjson.JSONDecodeError) -> bool:
    """Whether orjson stopped at the end of the slice: the cut was too early (a slice
    that ends with ``}`` before the item does is a prefix of valid JSON). Any other fault
    is in the item itself (``NaN``, a lone surrogate, bad UTF-8), or the item ended before
    the cut: ijson reads on from there."""
    return str(exc).startswith("unexpected end of data")


def _separator(data: bytes, end: int, nxt: int) -> tuple[bytes, int]:
    """What lies between an item ending at ``end`` and the next one starting at ``nxt``,
    with the next item's first key when it is short (``,{"id":``), and where the ``{`` is
    in it."""
    colon = data.find(b":", nxt, nxt + 40)
    key_end = colon + 1 if colon > 0 and data[nxt + 1 : nxt + 2] == b'"' else nxt + 1
    return data[end:key_end], nxt - end


Typed = Callable[[memoryview], Any]  # an item's bytes → the item decoded, or None


def array_items(
    stream: Readable, *, typed: Callable[[Any], Typed | None] | None = None
) -> Iterator[Any]:
    """The items of the JSON array ``stream`` holds (optional white space, then ``[``);
    raises what ``ijson.items(stream, "item", use_float=True)`` would, after the items
    before the fault. Where ijson takes over, it is given the original bytes from the
    item before (read again, left out), so that its messages quote the same text.

    ``typed``, given the first item, may give a decoder for the items after it: each
    cut is first given to it, and what it returns (not ``None``) is the item, as it
    only returns something for a slice that is one whole JSON object (which makes the
    cut right, as orjson's decoding does); ``None`` and the slice is decoded as JSON."""
    buf = _Buffer(b"", stream)
    buf.more(0)
    at = _skip_ws(buf, 0)
    if buf.data[at : at + 1] != b"[":  # not an array: ijson says what it is
        yield from _slow(buf.data, stream)
        return
    start = _skip_ws(buf, at + 1)
    found = _first(buf, start) if buf.data[start : start + 1] == b"{" else None
    if found is None:  # empty, not objects, or not for orjson: ijson reads it all
        yield from _slow(buf.data[at:], stream)
        return
    end, item = found
    yield item
    after = _skip_ws(buf, end)
    nxt = _skip_ws(buf, after + 1) if buf.data[after : after + 1] == b"," else after
    if buf.data[nxt : nxt + 1] != b"{" or nxt == after:
        yield from _slow(b"[" + buf.data[start:], stream, skip=1)
        return
    while len(buf.data) - nxt < 64 and not buf.eof:
        buf.more(0)
    sep, brace = _separator(buf.data, end, nxt)
    yield from _cut_by(buf, start, end, sep, brace, typed(item) if typed else None)


def _cut_by(
    buf: _Buffer, prev: int, end: int, sep: bytes, brace: int, typed: Typed | None
) -> Iterator[Any]:
    """The items after the one at ``prev`` ending at ``end`` (followed by ``sep``), each
    cut where ``sep`` is next found and decoded (``typed``, or orjson); ijson takes over
    where that fails."""
    start = end + brace
    scan, misses = start, 0
    while True:
        data = buf.data
        c = data.find(sep, scan)
        if c >= 0:
            view = memoryview(data)[start:c]
            if typed is not None and not (buf.runs and buf.long_number(start, c)):
                got = typed(view)
                if got is not None:
                    yield got
                    prev, start, scan, misses = start, c + brace, c + brace, 0
                    continue
            try:
                item = orjson.loads(view)
            except orjson.JSONDecodeError as exc:
                misses += 1
                if misses > _MAX_MISSES or not _cut_short(exc):
                    break
                scan = c + 1
                continue
            item = _exact(buf, start, c, item)
            if item is _REFUSED:
                break
            yield item
            prev, start, scan, misses = start, c + brace, c + brace, 0
            continue
        if not buf.eof:
            searched = len(data) - len(sep) + 1  # a separator may straddle the new chunk
            d = buf.more(prev)
            prev, start = prev - d, start - d
            scan = max(start, searched - d)
            continue
        tail = data.rstrip(_WS)
        if tail.endswith(b"]"):  # the last item, then the end of the array
            view = memoryview(tail)[start:-1]
            long = bool(buf.runs) and buf.long_number(start, len(tail) - 1)
            got = typed(view) if typed is not None and not long else None
            if got is not None:
                yield got
                return
            try:
                item = orjson.loads(view)
            except orjson.JSONDecodeError:
                break
            item = _exact(buf, start, len(tail) - 1, item)
            if item is _REFUSED:
                break
            yield item
            return
        break
    yield from _slow(b"[" + buf.data[prev:], buf.stream, skip=1)
