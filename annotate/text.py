"""Text helpers shared by the export reader and the validators (neither imports the other).

- Offsets in a task's raw text → offsets in its normalised text. A foreign task's text may
  carry a BOM, ``\\r\\n`` line ends or decomposed (NFD) characters; Label Studio counted its
  offsets in that raw text, while every stored span is in the NFC text with ``\\n`` line
  ends (see :func:`annotate.corpus.normalise`). :class:`OffsetMap` translates one into the
  other, and says when an offset falls inside a character that normalisation merges
  (``e`` + combining acute) — such an offset cannot be kept. :func:`utf16_to_code_points`
  tests the usual cause of a shifted span: offsets counted in UTF-16 code units (as
  JavaScript does) in a text with astral characters (emoji) before it.
- Plain words for messages: value kinds, span names, closest known names.
"""

from __future__ import annotations

import difflib
import unicodedata
from array import array
from collections.abc import Iterable
from typing import Any

from annotate.corpus import normalise

__all__ = [
    "OffsetMap",
    "closest",
    "did_you_mean",
    "kind",
    "one_of",
    "schema_type",
    "span_name",
    "utf16_to_code_points",
]


def _joins_previous(ch: str) -> bool:
    # Combining marks, and Hangul medial/final jamo, compose with what precedes them.
    return bool(unicodedata.combining(ch)) or "\u1160" <= ch <= "\u11ff"


class OffsetMap:
    """Maps code-point offsets of ``raw`` to offsets of ``text`` (its normalised form).

    ``self(offset)`` is the normalised offset, or ``None`` when the offset splits a
    character that normalisation merges or is outside ``[0, len(raw)]``."""

    __slots__ = ("_map", "changed", "exact", "raw", "text")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text, _applied = normalise(raw)
        self.changed = self.text != raw
        self.exact = True
        self._map: array[int] | None = None
        if self.changed:
            self._map = self._build()
            self.exact = self._map is not None

    @classmethod
    def identity(cls, text: str) -> OffsetMap:
        """The map of a text that is already normalised (a task made by annotate)."""
        out = cls.__new__(cls)
        out.raw = out.text = text
        out.changed, out.exact, out._map = False, True, None
        return out

    def _build(self) -> array[int] | None:
        raw, n = self.raw, len(self.raw)
        out = array("q", [-1]) * (n + 1)
        pieces: list[str] = []
        pos = i = 0
        if raw.startswith("\ufeff"):
            out[0] = 0
            i = 1
        while i < n:
            out[i] = pos
            if raw[i] == "\r":
                j = i + 2 if raw.startswith("\n", i + 1) else i + 1
                piece = "\n"
            else:
                j = i + 1
                while j < n and _joins_previous(raw[j]):
                    j += 1
                piece = unicodedata.normalize("NFC", raw[i:j])
            pieces.append(piece)
            pos += len(piece)
            i = j
        out[n] = pos
        # Composition across starters (rare scripts) would break the cluster-wise mapping.
        return out if "".join(pieces) == self.text else None

    def __call__(self, offset: int) -> int | None:
        if not 0 <= offset <= len(self.raw):
            return None
        if self._map is None:
            return offset if not self.changed else None
        mapped = self._map[offset]
        return None if mapped < 0 else mapped


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code-point offset of a UTF-16 code-unit ``offset`` in ``text``; ``None`` when it
    falls inside a surrogate pair or past the end."""
    units = 0
    for index, ch in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


# ---------------------------------------------------------------------------- words

_KINDS = {
    bool: "true/false",
    int: "a whole number",
    float: "a decimal number",
    str: "text",
    list: "a list",
    dict: "an object",
    type(None): "null",
}
_SCHEMA_TYPES = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "array": "a list",
    "object": "an object",
    "boolean": "true/false",
    "null": "null",
}


def kind(value: Any) -> str:
    """What a JSON value is, for a person: ``'12' (text)``."""
    shown = repr(value) if not isinstance(value, dict | list) else ""
    if len(shown) > 40:
        shown = shown[:37] + "…"
    what = _KINDS.get(type(value), type(value).__name__)
    return f"{shown} ({what})" if shown else what


def schema_type(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_SCHEMA_TYPES.get(n, n) for n in names)


def one_of(values: Iterable[Any]) -> str:
    shown = [str(v) if v is not None else "null" for v in values]
    if len(shown) > 8:
        return ", ".join(shown[:8]) + f", … ({len(shown)} in all)"
    return ", ".join(shown)


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known name a misspelt or renamed ``word`` most likely means: same name in
    another case, a prefix (``Person`` → ``PER``, ``Datetime`` → ``DATE``), or the closest
    spelling."""
    names = [k for k in known if isinstance(k, str)]
    folded = {n.casefold(): n for n in names}
    w = word.casefold().strip()
    if not w:
        return None
    if w in folded:
        return folded[w]
    prefixes = [f for f in folded if len(f) >= 3 and (w.startswith(f) or f.startswith(w))]
    if prefixes:
        return folded[max(prefixes, key=len)]
    match = difflib.get_close_matches(w, list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def did_you_mean(word: Any, known: Iterable[str]) -> str | None:
    """A hint naming the closest known value, or listing the known ones."""
    known = list(known)
    best = closest(word, known) if isinstance(word, str) else None
    if best is not None:
        return f"did you mean {best!r}?"
    return f"known: {one_of(known)}"


def span_name(span: Any, index: int) -> str:
    """``spans[2] «Microsoft» [12, 21)`` — as much as the span's fields allow. The index is
    the record's (``$.spans[2]``); the engine renames it to the export's (``result[5]``)."""
    name = f"spans[{index}]"
    if not isinstance(span, dict):
        return name
    text = span.get("text")
    if isinstance(text, str) and text:
        shown = text if len(text) <= 30 else text[:29] + "…"
        name += f" «{shown}»"
    start, end = span.get("start"), span.get("end")
    if isinstance(start, int) and isinstance(end, int):
        name += f" [{start}, {end})"
    return name
