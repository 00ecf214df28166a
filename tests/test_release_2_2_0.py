"""Release 2.2.0 of the bundled article: 2.1.0's pinned inputs (the stargate-fr-v3 exports)
released again by `annotate release` under the session-5 fixes: agreement definition 2
(an MQM comment worded otherwise is a note, not a dispute), card v3 (Cohen's κ and
Krippendorff's α), agreement.png with κ and α, viewer format 3 (notes apart from
disputes). It verifies, reproduces byte for byte, loads with `datasets.load_dataset`, and
its card, changelog and viewer carry the figures `annotate agreement` reports on the same
pins (computed here, not copied from the card)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import datasets
import pytest
from typer.testing import CliRunner

from annotate.cli import app

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "2.2.0"
PINS = ROOT / "data" / "labels" / "stargate-fr-v3.pins.json"
runner = CliRunner()


@pytest.fixture(scope="module")
def agreement() -> dict[str, Any]:
    """`annotate agreement --json` on the pins the release was made from."""
    result = runner.invoke(app, ["agreement", "--pins", str(PINS), "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((RELEASE / "manifest.json").read_text("utf-8"))
    return manifest


@pytest.mark.slow
def test_2_2_0_verifies_and_reproduces(monkeypatch):
    monkeypatch.chdir(ROOT)
    verified = runner.invoke(app, ["verify", str(RELEASE)])
    assert verified.exit_code == 0, verified.output
    reproduced = runner.invoke(app, ["reproduce", str(RELEASE), "--format", "json"])
    assert reproduced.exit_code == 0, reproduced.output
    assert json.loads(reproduced.stdout)["ok"] is True


def test_every_config_loads_with_load_dataset(tmp_path):
    manifest = _manifest()
    docs = datasets.load_dataset(str(RELEASE), "documents", split="train", cache_dir=str(tmp_path))
    text = {d["doc_id"]: d["text"] for d in docs}
    for config in manifest["configs"]:
        rows = datasets.load_dataset(str(RELEASE), config, split="train", cache_dir=str(tmp_path))
        assert rows.num_rows == manifest["counts"][config], config
        for r in rows:
            if r.get("span_text") is not None and r.get("start") is not None:
                assert text[r["doc_id"]][r["start"] : r["end"]] == r["span_text"], config


def test_made_from_2_1_0s_inputs_under_definition_2():
    manifest = _manifest()
    before = json.loads((RELEASE.parent / "2.1.0" / "manifest.json").read_text("utf-8"))
    assert manifest["previous"] == "2.1.0" and manifest["bump"]["level"] == "minor"
    assert manifest["inputs"][1:] == before["inputs"][1:]  # all but the card template
    assert manifest["card_template"] == "annotate:release/cards/v3.md"
    assert (manifest["agreement_definition"], manifest["viewer_format"]) == (2, 3)
    assert manifest["changelog_format"] == 2
    assert "agreement_definition" not in before and before["viewer_format"] == 2


def test_card_and_changelog_give_annotate_agreements_figures(agreement):
    """The disputes and notes (definition 2), the 35 disagreements of definition 1 that
    2.1.0 was adjudicated under, and every κ and α of the choices and judgements."""
    from annotate.disputes import disagreements
    from annotate.pipeline import gold_set

    n, m = len(agreement["disagreements"]), len(agreement["notes"])
    assert n and m
    gold = gold_set(articles=[ROOT / "data" / "articles"], pins=PINS)
    old = len(disagreements(gold.records, definition=1))
    lines = (RELEASE / "README.md").read_text("utf-8").splitlines()
    card = " ".join(" ".join(lines).split())
    assert "(agreement definition 2: " in card
    assert f"**{n} disputed regions** and **{m} notes**" in card
    for row in agreement["choices"]:
        cells = [row["layer"], row["choice"], row["annotators"], row["items"]]
        cells += ["" if row[k] is None else row[k] for k in ("observed", "kappa", "alpha")]
        assert "| " + " | ".join(map(str, cells)) + " |" in lines, row
    changelog = (RELEASE.parent / "CHANGELOG.md").read_text("utf-8")
    entry = changelog[changelog.index("## 2.2.0") : changelog.index("## 2.1.0")]
    assert f"{n} disputes and {m} notes instead of {old} disagreements" in entry
    assert "cards/v3.md" in entry and "viewer: format 2 → 3" in entry
    assert "Cohen's κ and Krippendorff's α" in entry
    assert entry.strip() in (RELEASE / "CHANGELOG.md").read_text("utf-8")  # the release's copy


def test_the_viewer_marks_annotate_agreements_notes_and_disputes(agreement):
    """Every rater's span of a note is marked a note on the page, and as many spans as
    the disputed regions' versions hold are marked disputes."""
    page = next((RELEASE / "viewer").glob("doc-*.html")).read_text("utf-8")
    payload = re.search(r'<script type="application/json" id="vw-data">(.*?)</script>', page)
    assert payload is not None
    raw = json.loads(payload[1])["raw"]
    marked = {
        (who, span_id): mark
        for who, span_id, mark in zip(raw["annotator"], raw["span_id"], raw["mark"], strict=True)
        if mark
    }
    noted = {
        (v["annotator"], s["id"])
        for d in agreement["notes"]
        for v in d["versions"]
        for s in v["spans"]
    }
    assert noted == {k for k, mark in marked.items() if mark == "note"}
    disputed = {
        (v["annotator"], s["id"])
        for d in agreement["disagreements"]
        for v in d["versions"]
        for s in v["spans"]
    }
    assert disputed <= {k for k, mark in marked.items() if mark == "dispute"}
