"""Release 2.1.0 of the bundled article (issue 14, "use it on our own dataset"): pass A and
the independent pass C as two raters per task, adjudicated through `annotate review`;
published by `annotate release` from the stargate-fr-v3 exports. It verifies, reproduces
byte for byte, and its provenance records the decisions of `data/reference/adjudication-v3.md`."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from annotate.cli import app

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "2.1.0"
runner = CliRunner()


@pytest.mark.slow
def test_2_1_0_verifies_and_reproduces(monkeypatch):
    monkeypatch.chdir(ROOT)
    verified = runner.invoke(app, ["verify", str(RELEASE)])
    assert verified.exit_code == 0, verified.output
    reproduced = runner.invoke(app, ["reproduce", str(RELEASE), "--format", "json"])
    assert reproduced.exit_code == 0, reproduced.output
    assert json.loads(reproduced.stdout)["ok"] is True


def _provenance() -> dict[tuple[int, int, str], list[dict]]:
    """(start, end, layer) → the provenance entries of that span, over every segment."""
    out: dict[tuple[int, int, str], list[dict]] = {}
    for seg in pq.read_table(RELEASE / "segments" / "train.parquet").to_pylist():
        for entry in seg["provenance"]:
            out.setdefault((entry["start"], entry["end"], seg["layer"]), []).append(entry)
    return out


def _rater_with(span_text: str, layer: str) -> str:
    """The pseudonym of the rater (not the adjudicator) who marked ``span_text``."""
    rows = pq.read_table(RELEASE / "annotations" / "train.parquet").to_pylist()
    (name,) = {
        r["annotator"]
        for r in rows
        if r["origin"] == "annotation" and r["layer"] == layer and r["span_text"] == span_text
    }
    return name


def test_provenance_names_the_adjudicators_decisions():
    """Three decisions of the log, checked against the release's rows: « basé » (only A
    marked it; the adjudicator left it out), « est appelé » (C's shorter span chosen over
    A's « et est appelé »), « de la tranche » (A's major chosen over C's minor)."""
    layer = "translation_errors"
    a, c = _rater_with("basé", layer), _rater_with("est appelé", layer)
    assert a != c
    prov = _provenance()
    [base] = prov[(171, 175, layer)]
    assert (base["decision"], base["raters"]) == ("rejected", [a])
    [shorter] = prov[(383, 393, layer)]
    assert (shorter["decision"], shorter["raters"]) == ("chosen", [c])
    [longer] = prov[(380, 393, layer)]
    assert (longer["decision"], longer["raters"]) == ("rejected", [a])
    tranche = {e["decision"]: e["raters"] for e in prov[(1192, 1205, layer)]}
    assert tranche == {"chosen": [a], "rejected": [c]}
    gold = pq.read_table(RELEASE / "translation_errors" / "train.parquet").to_pylist()
    [tranche_row] = [r for r in gold if (r["start"], r["end"]) == (1192, 1205)]
    assert tranche_row["weight"] == 5.0  # major (severity is stored as a ClassLabel index)
    assert not [r for r in gold if (r["start"], r["end"]) == (171, 175)]


def test_the_card_says_who_annotated_and_ships_the_viewer_and_the_diff():
    card = (RELEASE / "README.md").read_text(encoding="utf-8")
    assert "*annotator C*" in card and "adjudication-v3.md" in card
    assert "(viewer/index.html)" in card and "(agreement.png)" in card
    manifest = json.loads((RELEASE / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["previous"] == "2.0.0" and manifest["provenance"] is True
    listed = {f["path"] for f in manifest["files"]}
    assert {"viewer/index.html", "diff/2.0.0/index.html", "agreement.png"} <= listed
    changelog = (RELEASE.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "2.1.0/diff/2.0.0/index.html" in changelog
