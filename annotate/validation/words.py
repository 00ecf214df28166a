"""Plain words for validation messages: value kinds, span names, closest known names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = [
    "closest",
    "did_you_mean",
    "kind",
    "one_of",
    "schema_type",
    "span_name",
]

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
