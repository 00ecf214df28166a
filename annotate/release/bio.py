"""Entities as token tags: a French-aware tokeniser, spans ⇄ BIO tags, CoNLL files.

Tokens come from spaCy's rule-based French tokenizer (``spacy.blank("fr")``: no model),
which splits elisions (« d’OpenAI » → « d’ » + « OpenAI », « l’IA », « qu’il ») and keeps
« aujourd’hui » and « États-Unis » whole. A token that a span boundary falls inside is
split at that boundary, so that every span can be tagged and no span is lost; the
number of such splits is reported.

The CoNLL file (``formats/entities.conll``) has one ``token<TAB>tag`` line per token
(IOB2 tags: ``B-ORG``, ``I-ORG``, ``O``), a blank line after each sentence, and a
``-DOCSTART-<TAB><doc_id>`` line before each annotated segment, which CoNLL readers skip.
Only segments that were annotated are written: a paragraph nobody annotated is not a
paragraph without entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError
from annotate.model import Document

__all__ = [
    "DOCSTART",
    "BioSegment",
    "ConllStats",
    "Token",
    "bio_segments",
    "french_nlp",
    "read_conll",
    "spans_to_tags",
    "tags_to_spans",
    "tokenize",
    "write_conll",
]

DOCSTART = "-DOCSTART-"
SpanTuple = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the document: ``text == document.text[start:end]``; ``space`` is the
    whitespace that follows it (spaCy's ``whitespace_``); whitespace-only tokens are kept
    (spaCy keeps them) and marked ``is_space``."""

    text: str
    start: int
    end: int
    space: str = ""

    @property
    def is_space(self) -> bool:
        return not self.text.strip()


@cache
def french_nlp() -> Any:
    """spaCy's blank French pipeline: its rule-based tokenizer, no model to download."""
    import spacy

    return spacy.blank("fr")


def tokenize(
    text: str, start: int = 0, end: int | None = None, *, cuts: Iterable[int] = ()
) -> list[Token]:
    """The tokens of ``text[start:end]`` (offsets into ``text``), split at ``cuts``."""
    end = len(text) if end is None else end
    nlp = french_nlp()
    doc = nlp.make_doc(text[start:end])
    inner = sorted({c for c in cuts if start < c < end})
    out: list[Token] = []
    i = 0
    for t in doc:
        t_start = start + t.idx
        t_end = t_start + len(t.text)
        pieces = []
        while i < len(inner) and inner[i] <= t_start:
            i += 1
        pos = t_start
        j = i
        while j < len(inner) and inner[j] < t_end:
            pieces.append((pos, inner[j]))
            pos = inner[j]
            j += 1
        pieces.append((pos, t_end))
        for k, (a, b) in enumerate(pieces):
            last = k == len(pieces) - 1
            out.append(Token(text[a:b], a, b, t.whitespace_ if last else ""))
    return out


def spans_to_tags(tokens: Sequence[Token], spans: Iterable[SpanTuple]) -> list[str]:
    """IOB2 tags of ``tokens`` for non-overlapping ``spans`` (start, end, label) whose
    boundaries are token boundaries (see :func:`tokenize`'s ``cuts``)."""
    tags = ["O"] * len(tokens)
    by_start = {t.start: i for i, t in enumerate(tokens)}
    by_end = {t.end: i for i, t in enumerate(tokens)}
    for start, end, label in sorted(spans):
        first, last = by_start.get(start), by_end.get(end)
        if first is None or last is None:
            raise ReleaseError(
                f"span [{start}, {end}) {label} does not start and end on token boundaries",
                hint="tokenize with cuts at the span boundaries",
            )
        if any(tags[k] != "O" for k in range(first, last + 1)):
            raise ReleaseError(f"span [{start}, {end}) {label} overlaps another span")
        tags[first] = f"B-{label}"
        for k in range(first + 1, last + 1):
            tags[k] = f"I-{label}"
    return tags


def tags_to_spans(tokens: Sequence[Token], tags: Sequence[str]) -> list[SpanTuple]:
    """The spans (start, end, label) of IOB2 tags; an ``I-`` that does not continue a span
    of its label starts one (as conlleval reads it)."""
    spans: list[SpanTuple] = []
    open_: list[Any] | None = None
    for tok, tag in zip(tokens, tags, strict=True):
        kind, _, label = tag.partition("-")
        if kind == "I" and open_ is not None and open_[2] == label:
            open_[1] = tok.end
            continue
        if open_ is not None:
            spans.append((open_[0], open_[1], open_[2]))
            open_ = None
        if kind in ("B", "I"):
            open_ = [tok.start, tok.end, label]
    if open_ is not None:
        spans.append((open_[0], open_[1], open_[2]))
    return spans


@dataclass(slots=True)
class BioSegment:
    """One annotated segment as tokens and tags, cut into sentences."""

    doc_id: str
    start: int
    end: int
    tokens: list[Token]
    tags: list[str]
    sentences: list[tuple[int, int]]  # token index ranges [i, j)
    kb_ids: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(slots=True)
class ConllStats:
    segments: int = 0
    tokens: int = 0
    spans: int = 0
    split_tokens: int = 0
    skipped: list[str] = field(default_factory=list)  # spans that overlap another


def bio_segments(
    documents: Mapping[str, Document],
    segments: Iterable[dict[str, Any]],
    spans: Iterable[dict[str, Any]],
    *,
    layer: str = "entities",
    stats: ConllStats | None = None,
) -> list[BioSegment]:
    """Tokens and tags of every annotated segment of ``layer`` (rows of the ``segments``
    config) with the span rows that fall in it."""
    stats = stats if stats is not None else ConllStats()
    by_segment: dict[tuple[str, int, int], list[SpanTuple]] = {}
    kb_ids: dict[tuple[str, int, int], str] = {}
    for r in spans:
        key = (r["doc_id"], r["segment_start"], r["segment_end"])
        by_segment.setdefault(key, []).append((r["start"], r["end"], str(r["label"])))
        if r.get("kb_id"):
            kb_ids[(r["doc_id"], r["start"], r["end"])] = str(r["kb_id"])
    out = []
    for seg in sorted(segments, key=lambda r: (r["doc_id"], r["segment_start"])):
        if seg["layer"] != layer:
            continue
        doc = documents[seg["doc_id"]]
        key = (seg["doc_id"], seg["segment_start"], seg["segment_end"])
        kept: list[SpanTuple] = []
        for s in sorted(by_segment.get(key, [])):
            if kept and s[0] < kept[-1][1]:
                stats.skipped.append(f"{doc.id[:12]} [{s[0]}, {s[1]}) {s[2]} overlaps")
                continue
            kept.append(s)
        cuts = {c for s in kept for c in s[:2]}
        plain = tokenize(doc.text, key[1], key[2])
        tokens = tokenize(doc.text, key[1], key[2], cuts=cuts)
        stats.split_tokens += len(tokens) - len(plain)
        starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
        for s in [s for s in kept if s[0] not in starts or s[1] not in ends]:
            # only a span that begins or ends in whitespace cannot be cut into tokens
            stats.skipped.append(
                f"{doc.id[:12]} [{s[0]}, {s[1]}) {s[2]} begins or ends in whitespace"
            )
            kept.remove(s)
        tags = spans_to_tags(tokens, kept)
        out.append(
            BioSegment(
                doc.id,
                key[1],
                key[2],
                tokens,
                tags,
                _sentences(doc, key[1], key[2], tokens, tags),
                {(s, e): kb_ids[(doc.id, s, e)] for s, e, _ in kept if (doc.id, s, e) in kb_ids},
            )
        )
        stats.segments += 1
        stats.tokens += sum(1 for t in tokens if not t.is_space)
        stats.spans += len(kept)
    return out


def _sentences(
    doc: Document, start: int, end: int, tokens: list[Token], tags: list[str]
) -> list[tuple[int, int]]:
    """Token ranges of the document's sentences in the segment, not cutting an entity."""
    bounds = {s.start for s in doc.sentences if start < s.start < end}
    ranges, first = [], 0
    for i, tok in enumerate(tokens):
        if i > first and tok.start in bounds and not tags[i].startswith("I-"):
            ranges.append((first, i))
            first = i
    if first < len(tokens):
        ranges.append((first, len(tokens)))
    return ranges


def write_conll(segments: Iterable[BioSegment], path: Path) -> int:
    """Write the CoNLL file; returns the number of token lines."""
    lines: list[str] = []
    n = 0
    for seg in segments:
        lines += [f"{DOCSTART}\t{seg.doc_id}", ""]
        for i, j in seg.sentences:
            words = [(t, tag) for t, tag in zip(seg.tokens[i:j], seg.tags[i:j], strict=True)]
            words = [(t, tag) for t, tag in words if not t.is_space]
            if not words:
                continue
            lines += [f"{t.text}\t{tag}" for t, tag in words]
            lines.append("")
            n += len(words)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return n


def read_conll(path: Path, documents: Mapping[str, Document]) -> list[tuple[str, int, int, str]]:
    """The spans (doc_id, start, end, label) of a CoNLL file written by :func:`write_conll`,
    placed back in the documents' text: each sentence is found at the first place at or
    after the previous one where its tokens appear separated only by whitespace."""
    out: list[tuple[str, int, int, str]] = []
    doc: Document | None = None
    pos = 0
    block: list[tuple[str, str]] = []

    def flush() -> None:
        nonlocal pos
        if not block:
            return
        if doc is None:
            raise ReleaseError("tokens before the first -DOCSTART- line", file=path)
        pattern = r"\s*".join(re.escape(w) for w, _ in block)
        m = re.compile(pattern).search(doc.text, pos)
        if m is None:
            raise ReleaseError(
                f"sentence {' '.join(w for w, _ in block)[:60]!r}… is not in document {doc.id[:12]}",
                file=path,
            )
        tokens, at = [], m.start()
        for word, _ in block:
            at = doc.text.index(word, at)
            tokens.append(Token(word, at, at + len(word)))
            at += len(word)
        pos = at
        out.extend(
            (doc.id, s, e, label) for s, e, label in tags_to_spans(tokens, [t for _, t in block])
        )
        block.clear()

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(DOCSTART):
            flush()
            doc_id = line.partition("\t")[2].strip()
            if doc_id not in documents:
                raise ReleaseError(
                    f"unknown document {doc_id!r}", file=path, json_path=f"line {lineno}"
                )
            if doc is None or doc.id != doc_id:
                pos = 0
            doc = documents[doc_id]
        elif not line.strip():
            flush()
        else:
            word, _, tag = line.rpartition("\t")
            block.append((word, tag))
    flush()
    return out
