"""``annotate validate`` without exports validates those the project's pins name, what build
and release read (found by following the README as a new team: after a second pull its
``annotate validate labels/*/*.json`` also read the export the first pull left, which pull
keeps for the releases made from it, and reported its fixed problems again)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.pins import label_exports
from annotate.project import load_project
from tests.conftest import ROOT

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's project (corpus, pinned exports) with an earlier pull's export left
    beside a pinned one."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "articles", root / "data" / "articles")
    shutil.copytree(ROOT / "data" / "labels", root / "data" / "labels")
    shutil.copy(ROOT / "annotate.toml", root / "annotate.toml")
    pinned = label_exports(load_project(root / "annotate.toml").pins)
    shutil.copy(pinned[0], pinned[0].with_name("earlier-pull.json"))
    monkeypatch.chdir(root)
    return root


def test_validate_without_exports_reads_the_pinned_ones(project: Path) -> None:
    pinned = label_exports(load_project(project / "annotate.toml").pins)
    given = runner.invoke(app, ["validate", *map(str, pinned), "--format", "text"])
    default = runner.invoke(app, ["validate", "--format", "text"])
    assert default.exit_code == 0, default.output
    assert default.output == given.output
    assert "received" in default.output and "earlier-pull" not in default.output
    globbed = sorted(project.glob("data/labels/*/*.json"))
    assert any(p.name == "earlier-pull.json" for p in globbed)  # what a glob would read


def test_validate_without_exports_or_pins_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["init", "news", "--language", "fr", "--license", "cc-by-4.0"])
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(tmp_path / "news")
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2, result.output
    assert "no pins file" in result.output and "annotate pull" in result.output
    assert "news.pins.json" in result.output and "Traceback" not in result.output
