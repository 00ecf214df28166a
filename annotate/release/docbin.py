"""Entities as a spaCy ``DocBin`` (``formats/entities.spacy``), ready for ``spacy train``.

One ``Doc`` per annotated segment, made from the same tokens as the CoNLL file (so the
Doc's text is exactly the segment's), with ``doc.ents`` from the gold spans and their
Wikidata ids as ``kb_id``; ``user_data`` holds the document id and the segment's offsets.
``DocBin.to_bytes`` sorts its string table, so the file depends only on the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from annotate.release.bio import BioSegment, french_nlp, tags_to_spans

__all__ = ["read_docbin", "write_docbin"]


def write_docbin(segments: Iterable[BioSegment], path: Path) -> int:
    """Write the DocBin; returns the number of Docs."""
    from spacy.tokens import Doc, DocBin

    vocab = french_nlp().vocab
    db = DocBin(store_user_data=True)
    n = 0
    for seg in segments:
        doc = Doc(
            vocab, words=[t.text for t in seg.tokens], spaces=[bool(t.space) for t in seg.tokens]
        )
        ents = []
        for start, end, label in tags_to_spans(seg.tokens, seg.tags):
            span = doc.char_span(
                start - seg.start,
                end - seg.start,
                label=label,
                kb_id=seg.kb_ids.get((start, end), ""),
            )
            if span is not None:  # always: the tokens were cut at the span boundaries
                ents.append(span)
        doc.ents = ents
        doc.user_data["doc_id"] = seg.doc_id
        doc.user_data["segment_start"] = seg.start
        doc.user_data["segment_end"] = seg.end
        db.add(doc)
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(db.to_bytes())
    return n


def read_docbin(path: Path) -> list[tuple[str, int, int, str]]:
    """The spans (doc_id, start, end, label) of a DocBin written by :func:`write_docbin`,
    in document offsets."""
    from spacy.tokens import DocBin

    out = []
    for doc in DocBin().from_bytes(path.read_bytes()).get_docs(french_nlp().vocab):
        base = int(doc.user_data["segment_start"])
        out += [
            (str(doc.user_data["doc_id"]), base + e.start_char, base + e.end_char, e.label_)
            for e in doc.ents
        ]
    return out
