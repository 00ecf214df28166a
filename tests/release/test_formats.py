"""Training formats: French tokens, spans ⇄ BIO tags, CoNLL and DocBin files."""

from __future__ import annotations

import pytest

from annotate.errors import ConfigError, ReleaseError
from annotate.release.bio import (
    bio_segments,
    read_conll,
    spans_to_tags,
    tags_to_spans,
    tokenize,
    write_conll,
)
from annotate.release.docbin import read_docbin, write_docbin
from annotate.release.formats import FORMATS, check_formats
from annotate.release.tables import read_rows


def test_french_tokens_split_elisions():
    text = "Sam Altman, PDG d’OpenAI, parle de l’IA aujourd’hui aux États-Unis."
    words = [t.text for t in tokenize(text)]
    assert words[:6] == ["Sam", "Altman", ",", "PDG", "d’", "OpenAI"]
    assert "l’" in words and "IA" in words
    assert "aujourd’hui" in words and "États-Unis" in words
    assert all(text[t.start : t.end] == t.text for t in tokenize(text))


def test_tokens_are_cut_at_span_boundaries():
    text = "Les Régulateurs britanniques"
    # a span inside a token (as an annotator might mark "Régul"): the token is cut there
    tokens = tokenize(text, cuts=[4, 9])
    assert [t.text for t in tokens] == ["Les", "Régul", "ateurs", "britanniques"]
    assert tags_to_spans(tokens, spans_to_tags(tokens, [(4, 9, "MISC")])) == [(4, 9, "MISC")]
    with pytest.raises(ReleaseError, match="token boundaries"):
        spans_to_tags(tokenize(text), [(4, 9, "MISC")])


def test_bio_round_trip_for_the_bundled_article(document, layers):
    """spans → tags → spans gives the same spans, for every paragraph of the article."""
    spans = [(s.start, s.end, s.label) for s in layers.entities]
    back = []
    for para in document.paragraphs:
        inside = [s for s in spans if para.start <= s[0] and s[1] <= para.end]
        tokens = tokenize(
            document.text, para.start, para.end, cuts=[c for s in inside for c in s[:2]]
        )
        tags = spans_to_tags(tokens, inside)
        assert tags.count("O") < len(tags) or not inside
        back += tags_to_spans(tokens, tags)
    assert back == sorted(spans)
    assert len(back) == 30


def test_iob2_reading_follows_conlleval():
    tokens = tokenize("Microsoft et OpenAI Stargate")
    # I- without a B- starts a span; a change of type closes one
    assert tags_to_spans(tokens, ["I-ORG", "O", "B-ORG", "I-FAC"]) == [
        (0, 9, "ORG"),
        (13, 19, "ORG"),
        (20, 28, "FAC"),
    ]


def test_conll_and_docbin_files_round_trip(build, exports, tmp_path):
    path = build(exports, formats=("conll", "spacy")).path
    docs = {r["doc_id"]: r for r in read_rows(path / "documents/train.parquet")}
    rows = read_rows(path / "entities/train.parquet")
    expected = sorted((r["doc_id"], r["start"], r["end"], r["label"]) for r in rows)
    documents = _documents(docs)
    assert sorted(read_conll(path / "formats/entities.conll", documents)) == expected
    assert sorted(read_docbin(path / "formats/entities.spacy")) == expected

    conll = (path / "formats/entities.conll").read_text(encoding="utf-8")
    assert "d’\tO\nOpenAI\tB-ORG\n" in conll
    assert "100\tB-MONEY\nmilliards\tI-MONEY\nde\tI-MONEY\ndollars\tI-MONEY\n" in conll
    # only annotated paragraphs: the boilerplate one (not annotated) is absent
    assert "traduit automatiquement" not in conll.replace("\n", " ")
    assert "\n\n" in conll  # sentences are separated


def _documents(rows):
    from annotate.model import Document, Segment

    out = {}
    for doc_id, r in rows.items():
        out[doc_id] = Document(
            id=doc_id,
            text=r["text"],
            lang=r["lang"],
            sentences=[
                Segment(s["start"], s["end"], i, "sentence") for i, s in enumerate(r["sentences"])
            ],
        )
    return out


def test_docbin_carries_kb_ids_and_is_deterministic(document, tmp_path, build, exports):
    path = build(exports).path
    segments = read_rows(path / "segments/train.parquet")
    rows = read_rows(path / "entities/train.parquet")
    segs = bio_segments({document.id: document}, segments, rows)
    write_docbin(segs, tmp_path / "a.spacy")
    write_docbin(segs, tmp_path / "b.spacy")
    assert (tmp_path / "a.spacy").read_bytes() == (tmp_path / "b.spacy").read_bytes()
    from spacy.tokens import DocBin

    from annotate.release.bio import french_nlp

    docs = list(
        DocBin().from_bytes((tmp_path / "a.spacy").read_bytes()).get_docs(french_nlp().vocab)
    )
    assert [d.text for d in docs] == [
        document.text[s.start : s.end] for s in segs
    ]  # the Doc is exactly the segment
    kb = {e.text: e.kb_id_ for d in docs for e in d.ents}
    assert kb["Microsoft"] == "Q2283"
    n = write_conll(segs, tmp_path / "x.conll")
    assert n == sum(1 for s in segs for t in s.tokens if not t.is_space)


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(ConfigError, match="known formats: conll, spacy, mqm"):
        check_formats(["bio"])
    assert check_formats(["mqm", "conll"]) == ["conll", "mqm"]
    assert set(FORMATS) == {"conll", "spacy", "mqm"}
