from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest

from annotate.corpus import make_document, normalise, read_articles, split_sentences
from annotate.errors import CorpusError
from tests.conftest import ARTICLE, ARTICLE_SHA256, ARTICLES


def test_bundled_article_is_byte_identical_to_the_seed() -> None:
    assert hashlib.sha256(ARTICLE.read_bytes()).hexdigest() == ARTICLE_SHA256


def test_bundled_article_metadata(article) -> None:
    assert article.id == ARTICLE_SHA256  # already NFC, \n, no BOM: id is the file's sha256
    assert article.normalisation == []
    assert article.lang == "fr"
    assert article.machine_translated is True
    assert article.source_lang == "en"
    assert len(article.text) == 2358
    assert article.boilerplate == [7]
    assert article.text[article.paragraphs[7].start :].startswith("Ce contenu a été traduit")


def test_paragraph_offsets_slice_the_lines(article) -> None:
    lines = ARTICLE.read_text(encoding="utf-8").split("\n")
    assert [p.slice(article.text) for p in article.paragraphs] == lines
    assert [p.index for p in article.paragraphs] == list(range(8))


def test_sentences_of_the_article(article) -> None:
    sentences = [s.slice(article.text) for s in article.sentences]
    assert len(sentences) == 16
    # every sentence lies inside one paragraph, in order, without surrounding space
    for s in article.sentences:
        assert any(p.start <= s.start and s.end <= p.end for p in article.paragraphs)
        assert s.slice(article.text) == s.slice(article.text).strip()
    # « 100 $. milliard. » and « Microsoft. dans » are not sentence ends (lower case follows)
    assert sentences[0].endswith("jusqu’à 100 $. milliard.")
    assert sentences[6].endswith("porte-parole de Microsoft. dans une déclaration.")
    # closing quotes stay with their sentence; elisions (d’IA) never split
    assert sentences[1].endswith("est appelé « Stargate ».")
    assert sentences[7].startswith("“Nous planifions") and sentences[7].endswith("l’IA.”")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M. Dupont est arrivé. Il a parlé.", ["M. Dupont est arrivé.", "Il a parlé."]),
        ("J. K. Rowling écrit. Elle publie.", ["J. K. Rowling écrit.", "Elle publie."]),
        ("Le taux est de 3.5 %. Il monte.", ["Le taux est de 3.5 %.", "Il monte."]),
        ("Quoi ? « Non ! » Il part.", ["Quoi ?", "« Non ! »", "Il part."]),
        (
            "Il a dit : « C’est fini. » Puis il est parti.",
            ["Il a dit : « C’est fini. »", "Puis il est parti."],
        ),
        ("Voir p. 12 du rapport. Fin.", ["Voir p. 12 du rapport.", "Fin."]),
    ],
)
def test_french_sentence_rules(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_nfc_and_crlf_are_normalised_and_recorded() -> None:
    nfd = unicodedata.normalize("NFD", "Élysée annonce.\r\nLe décret.\r\n")
    doc = make_document("\ufeff" + nfd, lang="fr")
    assert doc.text == "Élysée annonce.\nLe décret.\n"
    assert doc.normalisation == ["bom", "crlf", "nfc"]
    assert doc.id == hashlib.sha256(doc.text.encode()).hexdigest()
    assert [p.slice(doc.text) for p in doc.paragraphs] == ["Élysée annonce.", "Le décret."]


def test_lone_cr_and_blank_lines() -> None:
    doc = make_document("Un.\r\r  Deux.  \n", lang="fr")
    assert doc.normalisation == ["cr"]
    assert [p.slice(doc.text) for p in doc.paragraphs] == ["Un.", "Deux."]


def test_jsonl_reader(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    rows = [
        {"text": "Premier article.", "lang": "fr", "title": "Un"},
        {
            "text": "Second article.",
            "lang": "fr",
            "source_text": "Second article.",
            "source_lang": "en",
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    docs = list(read_articles(path))
    assert [d.title for d in docs] == ["Un", None]
    assert docs[1].source_text == "Second article."
    assert docs[0].source_path == f"{path.as_posix()}:1"


def test_markdown_reader_front_matter_and_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\nlang: fr\nlicense: CC-BY-4.0\n---\n# Le titre\nCorps du texte.\n", encoding="utf-8"
    )
    (doc,) = read_articles(path)
    assert (doc.title, doc.license, doc.text) == ("Le titre", "CC-BY-4.0", "Corps du texte.\n")


def test_directory_reader_is_sorted_and_uses_sidecars() -> None:
    docs = list(read_articles(ARTICLES))
    assert len(docs) == 1
    assert docs[0].source_path.endswith("data/articles/stargate-fr.txt")
    assert docs[0].boilerplate == [7]  # from stargate-fr.meta.json


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.txt", b"\xff\xfe not utf-8", "not UTF-8"),
        ("empty.txt", b"  \n ", "empty"),
        ("bad.jsonl", b'{"text": "x", "lang": "fr"}\n{oops\n', "line 2: invalid JSON"),
        ("nolang.jsonl", b'{"text": "x"}\n', "cannot tell the language"),
        ("bad.csv", b"a,b", "unsupported file type"),
    ],
)
def test_bad_articles_name_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CorpusError) as info:
        list(read_articles(path, lang=None if name.endswith("jsonl") else "fr"))
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_a_short_text_without_language_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Texte.", encoding="utf-8")
    with pytest.raises(CorpusError, match="cannot tell the language") as info:
        list(read_articles(path))
    assert str(path) in str(info.value)
    assert "--lang" in str(info.value)


_FRENCH = (
    "Le conseil municipal a voté mardi soir le budget de la ville pour l'année prochaine. "
    "Les habitants pourront donner leur avis lors d'une réunion publique en janvier.\n"
)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".jsonl"])
def test_language_is_detected_and_recorded_when_not_given(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    if suffix == ".jsonl":
        path.write_text(json.dumps({"text": _FRENCH}) + "\n", encoding="utf-8")
    else:
        path.write_text(_FRENCH, encoding="utf-8")
    (doc,) = read_articles(path)
    assert (doc.lang, doc.lang_detected) == ("fr", True)
    assert doc.to_dict()["lang_detected"] is True


def test_a_given_language_is_not_detected(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(_FRENCH, encoding="utf-8")
    (doc,) = read_articles(path, lang="fr")
    assert (doc.lang, doc.lang_detected) == ("fr", False)
    # the default is a default: the file's own metadata wins
    (tmp_path / "a.meta.json").write_text('{"lang": "br"}', encoding="utf-8")
    (doc,) = read_articles(path, lang="fr")
    assert (doc.lang, doc.lang_detected) == ("br", False)


def test_markdown_title_is_not_part_of_the_text(tmp_path: Path) -> None:
    # seen: a blank line after "# Title" left the text starting with "\n"
    path = tmp_path / "a.md"
    path.write_text("# Le titre\n\n\nCorps du texte.\n\nSuite.\n", encoding="utf-8")
    (doc,) = read_articles(path, lang="fr")
    assert doc.title == "Le titre"
    assert doc.text == "Corps du texte.\n\nSuite.\n"
    assert doc.text[doc.paragraphs[0].start : doc.paragraphs[0].end] == "Corps du texte."


def test_normalise_is_idempotent() -> None:
    text, applied = normalise("e\u0301\r\n")
    assert normalise(text) == (text, [])
    assert applied == ["crlf", "nfc"]
