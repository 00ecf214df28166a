"""Long texts cut into pieces a spaCy pipeline accepts.

spaCy refuses a text longer than ``nlp.max_length`` (error E088: the parser and the NER
need about 1 GB of memory per 100,000 characters). Such a text is cut at paragraph ends,
else sentence ends, else after a space, else (one unbroken word) at the limit; each piece
is processed alone and the pieces' docs are joined again with ``Doc.from_docs``, so every
offset is the document's own. Texts within the limit are processed whole, as before.
"""

from __future__ import annotations

import bisect

from annotate.model import Document

__all__ = ["CHUNK_CHARS", "chunk_ranges"]

# The size of the pieces of a text over nlp.max_length: small enough that the parser's
# memory stays bounded (a 20 MB paragraph is 200 pieces, one at a time).
CHUNK_CHARS = 100_000


def _last_boundary(boundaries: list[int], low: int, high: int) -> int | None:
    """The largest boundary b with low < b <= high, or None."""
    i = bisect.bisect_right(boundaries, high)
    if i and boundaries[i - 1] > low:
        return boundaries[i - 1]
    return None


def chunk_ranges(document: Document, max_length: int) -> list[tuple[int, int]]:
    """``[start, end)`` pieces covering the document's text, in order, each at most
    ``min(max_length, CHUNK_CHARS)`` characters; the whole text when it is within
    ``max_length``."""
    text = document.text
    if len(text) <= max_length:
        return [(0, len(text))]
    limit = max(1, min(max_length, CHUNK_CHARS))
    paragraphs = sorted(
        {p.end for p in document.paragraphs} | {p.start for p in document.paragraphs}
    )
    sentences = sorted({s.end for s in document.sentences} | {s.start for s in document.sentences})
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        high = start + limit
        end = _last_boundary(paragraphs, start, high) or _last_boundary(sentences, start, high)
        if end is None:
            space = max(text.rfind(" ", start, high), text.rfind("\n", start, high))
            end = space + 1 if space >= start else high
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces
