"""Release 2.0.0 of the bundled article: published from the committed inputs by
`annotate release`; it verifies, reproduces byte for byte, and keeps every claim source."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from annotate.cli import app

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "releases" / "stargate-fr-annotations"
runner = CliRunner()

pytestmark = pytest.mark.slow


def test_2_0_0_verifies_and_reproduces(monkeypatch):
    monkeypatch.chdir(ROOT)
    verified = runner.invoke(app, ["verify", str(RELEASES / "2.0.0")])
    assert verified.exit_code == 0, verified.output
    reproduced = runner.invoke(app, ["reproduce", str(RELEASES / "2.0.0"), "--format", "json"])
    assert reproduced.exit_code == 0, reproduced.output
    assert '"ok": true' in reproduced.stdout


def test_2_0_0_keeps_the_sources_1_0_0_lost():
    old = pq.read_table(RELEASES / "1.0.0" / "claims" / "train.parquet").to_pylist()
    new = pq.read_table(RELEASES / "2.0.0" / "claims" / "train.parquet").to_pylist()
    assert [r["claim_id"] for r in old] == [r["claim_id"] for r in new]
    for before, after in zip(old, new, strict=True):
        kept = [s["source_id"] for s in after["sources"]]
        if before["source_id"]:  # what 1.0.0 had is still there
            assert before["source_id"] in kept
    assert sum(len(r["sources"]) for r in new) > sum(1 for r in old if r["source_id"])
    assert (RELEASES / "2.0.0" / "viewer" / "index.html").is_file()
