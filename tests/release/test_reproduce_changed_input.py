"""reproduce after an article was edited names the article (found by following the README
as a new team: the rebuild stopped on "annotation record(s) refer to documents that are
not in the corpus" with the hint to pass --articles or --allow-missing-documents, neither
of which reproduces the release; the edited file was the cause)."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from annotate.cli import app
from annotate.pipeline import gold_set
from annotate.release.build import build_release

runner = CliRunner()


def test_reproduce_names_the_edited_article(tmp_path: Path, paths, monkeypatch) -> None:
    root = tmp_path / "project"
    shutil.copytree(paths.root / "data" / "articles", root / "data" / "articles")
    shutil.copytree(paths.root / "data" / "labels", root / "data" / "labels")
    for name in ("dataset_card.md", "requirements.lock", "annotate.toml"):
        shutil.copy(paths.root / name, root / name)
    release = build_release(
        gold_set(articles=root / "data" / "articles", pins=root / "data" / "labels" / "pins.json"),
        out=root / "releases",
        dataset="demo",
        version="1.0.0",
        card_template=root / "dataset_card.md",
        project_root=root,
    ).path
    article = root / "data" / "articles" / "stargate-fr.txt"
    article.write_text(article.read_text(encoding="utf-8") + "Une phrase ajoutée.\n", "utf-8")
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["reproduce", str(release), "--pins", "data/labels/pins.json"])
    assert result.exit_code == 1, result.output
    assert "data/articles/stargate-fr.txt" in result.output, result.output
    assert "changed since it was built" in result.output and "git checkout" in result.output
    assert "Traceback" not in result.output
