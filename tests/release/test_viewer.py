"""annotate view: the static viewer's pages, without a browser (tests/browser has the rest)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from annotate.cli import app
from annotate.release.viewer import write_viewer

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "1.0.0"


def test_the_viewer_is_reproducible_small_and_self_contained(tmp_path):
    a = write_viewer(RELEASE, out=tmp_path / "a")
    b = write_viewer(RELEASE, out=tmp_path / "b")
    names = sorted(p.name for p in a.pages)
    assert names == sorted(p.name for p in b.pages)
    docs = pq.read_table(RELEASE / "documents" / "train.parquet").num_rows
    assert len(names) == docs + 1
    for name in names:
        page = (a.out / name).read_bytes()
        assert page == (b.out / name).read_bytes()
        assert len(page) < 2_000_000
        # nothing to fetch: no script, style or image from elsewhere
        assert b"<script src" not in page and b"<link " not in page and b"<img " not in page


def test_cli_view_writes_the_pages(tmp_path):
    result = CliRunner().invoke(app, ["view", str(RELEASE), "--out", str(tmp_path / "v")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v" / "index.html").is_file()
    missing = CliRunner().invoke(app, ["view", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "manifest.json" in missing.output
