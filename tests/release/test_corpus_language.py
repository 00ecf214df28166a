"""A release gives an article without a language of its own the project's language, as
``ingest``, ``push`` and ``validate`` do (found by following the README as a new team: an
English article in a ``language = "fr"`` project was ``fr`` in its tasks and in ``annotate
ingest``, but the release detected ``en`` and its card said ``multilingual``, en + fr).

The manifest records the language the corpus was read with (``corpus_lang``), so that
``reproduce`` reads it so again; releases that record none detected it and rebuild so."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from annotate.cli import app
from annotate.corpus import read_articles
from annotate.model import Span
from annotate.release.manifest import read_manifest
from annotate.release.tables import read_rows

runner = CliRunner()

# English: detection says en; the project's language is fr
TEXT = "Apple unveiled a new iPhone in Cupertino on Tuesday, and analysts expect strong sales.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths, write_export_of) -> Path:
    root = tmp_path / "news"
    made = runner.invoke(app, ["init", str(root), "--language", "fr", "--license", "cc-by-4.0"])
    assert made.exit_code == 0, made.output
    (root / "articles" / "apple.txt").write_text(TEXT, encoding="utf-8")
    (root / "requirements.lock").write_bytes((paths.root / "requirements.lock").read_bytes())
    doc = next(iter(read_articles(root / "articles", lang="fr")))  # as push reads it
    start = doc.text.index("Apple")
    span = Span("e1", start, start + 5, "Apple", "ORG")
    write_export_of(root / "exports" / "entities.json", doc, "entities", [span], paragraphs=[0])
    monkeypatch.chdir(root)
    return root


def _card_languages(release: Path) -> list[str]:
    front = (release / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    return list(yaml.safe_load(front)["language"])


def test_a_release_reads_the_corpus_in_the_project_language_and_reproduces(project) -> None:
    built = runner.invoke(app, ["build", "--export", "exports/entities.json", "--version", "1.0.0"])
    assert built.exit_code == 0, built.output
    release = project / "releases" / "news" / "1.0.0"
    documents = read_rows(release / "documents" / "train.parquet")
    assert [d["lang"] for d in documents] == ["fr"]
    assert _card_languages(release) == ["fr"]
    assert read_manifest(release)["corpus_lang"] == "fr"
    again = runner.invoke(app, ["reproduce", str(release), "--export", "exports/entities.json"])
    assert again.exit_code == 0, again.output
    assert "files identical" in again.output
