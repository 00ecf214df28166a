"""No silent publication: build/release refuse an empty release, records of documents not
in the corpus and quarantined records unless a flag accepts them (issue 11, items 1, 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ReleaseError
from annotate.release.guard import Acceptance
from annotate.release.manifest import read_manifest

NEW_ARTICLE = "Le conseil municipal de Rennes a voté mardi un budget de 12 millions d'euros.\n"


def _empty_exports(exports: list[Path], tmp_path: Path) -> list[Path]:
    """The same tasks as ``exports`` with every annotation removed (a push nobody labelled)."""
    out = []
    for path in exports:
        tasks = json.loads(path.read_text(encoding="utf-8"))
        for task in tasks:
            task["annotations"] = []
        target = tmp_path / "empty" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(tasks), encoding="utf-8")
        out.append(target)
    return out


def _new_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "rennes.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (corpus / "rennes.meta.json").write_text('{"lang": "fr"}', encoding="utf-8")
    return corpus


def test_a_release_without_annotations_is_refused(build, exports, tmp_path):
    empty = _empty_exports(exports, tmp_path)
    with pytest.raises(ReleaseError, match="no valid annotation") as info:
        build(empty)
    assert "--allow-no-annotations" in str(info.value)
    assert not (tmp_path / "releases" / "demo" / "1.0.0").exists()
    result = build(empty, accept=Acceptance(no_annotations=True))
    manifest = read_manifest(result.path)
    assert manifest["accepted"] == {"no_annotations": 0}
    assert manifest["counts"] == {"documents": 1}  # empty layers are left out
    card = (result.path / "README.md").read_text(encoding="utf-8")
    assert "## Known gaps" in card and "--allow-no-annotations" in card


def test_records_of_documents_not_in_the_corpus_are_refused(build, exports, tmp_path):
    corpus = _new_corpus(tmp_path)
    with pytest.raises(ReleaseError, match="not in the corpus") as info:
        build(exports, articles=corpus)
    assert "--allow-missing-documents" in str(info.value)
    # accepting the missing documents leaves nothing: that is refused on its own
    with pytest.raises(ReleaseError, match="no valid annotation"):
        build(exports, articles=corpus, accept=Acceptance(missing_documents=True))


def test_quarantined_records_are_refused(build, exports, tmp_path, layers, make_exports):
    bad = layers.copy()
    bad.entities[0].label = "NOT-A-LABEL"
    broken = make_exports("bad", bad)
    with pytest.raises(ReleaseError, match="held back 1 record") as info:
        build(broken)
    assert "--allow-quarantined" in str(info.value)
    result = build(broken, accept=Acceptance(quarantined=True))
    assert read_manifest(result.path)["accepted"] == {"quarantined": 1}
    assert "failed validation were left out" in (result.path / "README.md").read_text()


def test_cli_build_refuses_with_exit_1_and_reads_every_articles_path(exports, tmp_path, paths):
    runner = CliRunner()
    base = ["build", "--dataset", "demo", "--version", "1.0.0", "--card", str(paths.card)]
    base += ["--out", str(tmp_path / "releases")]
    for e in exports:
        base += ["--export", str(e)]
    corpus = _new_corpus(tmp_path)
    refused = runner.invoke(app, [*base, "--articles", str(corpus)])
    assert refused.exit_code == 1, refused.output
    assert "--allow-missing-documents" in refused.output
    # repeated --articles: both corpora are read (it used to keep the last one only)
    both = runner.invoke(app, [*base, "--articles", str(corpus), "--articles", str(paths.articles)])
    assert both.exit_code == 0, both.output
    manifest = read_manifest(tmp_path / "releases" / "demo" / "1.0.0")
    assert manifest["counts"]["documents"] == 2
