"""annotate diff --html: the diff's pages, without a browser (tests/browser has the rest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.release.diff import diff_snapshots, load_snapshot
from annotate.release.diff_view import write_diff_pages
from tests.synthetic import edited_release

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "2.0.0"


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return edited_release(RELEASE, tmp_path_factory.mktemp("edited") / "2.1.0")


def test_the_pages_are_reproducible_small_self_contained_and_count_the_diff(edited, tmp_path):
    before, after = load_snapshot(RELEASE), load_snapshot(edited)
    diff = diff_snapshots(before, after)
    pages = [
        write_diff_pages(diff, before=before, after=after, out=tmp_path / n, dataset="d")
        for n in ("a", "b")
    ]
    names = [sorted(p.name for p in r.pages) for r in pages]
    assert names[0] == names[1] and len(names[0]) == 2  # the index and the one document
    for name in names[0]:
        page = (pages[0].out / name).read_bytes()
        assert page == (pages[1].out / name).read_bytes()
        assert len(page) < 2_000_000
        assert b"<script src" not in page and b"<link " not in page and b"<img " not in page
    doc = next(p for p in pages[0].pages if p.name != "index.html").read_text(encoding="utf-8")
    for config in ("entities", "claims"):
        for kind, n in diff.configs[config].counts().items():
            blocks = re.findall(
                rf'data-layer="{config}" data-kind="{kind}" data-count="(\d+)"', doc
            )
            assert sum(map(int, blocks)) == n, (config, kind)
    assert "candidates: 3 → 4" in doc  # the judgement row that changed


def test_cli_diff_html_writes_pages_and_keeps_json(edited, tmp_path):
    runner = CliRunner()
    out = tmp_path / "pages"
    result = runner.invoke(
        app, ["diff", str(RELEASE), str(edited), "--html", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)["configs"]["entities"]["counts"]
    assert counts == {"added": 1, "removed": 1, "changed": 1}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "What changed from 2.0.0 to 2.1.0" in index
    assert len(list(out.glob("doc-*.html"))) == 1
    alone = runner.invoke(app, ["diff", str(RELEASE), str(edited), "--out", str(out)])
    assert alone.exit_code == 2
    assert "--html" in alone.output
