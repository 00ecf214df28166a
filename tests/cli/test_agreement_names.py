"""`annotate agreement` names raters as the release, the review project and the viewer do."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from annotate.cli import app
from annotate.disputes import is_rater
from annotate.names import pseudonym
from annotate.pipeline import gold_set

ROOT = Path(__file__).resolve().parents[2]


def test_agreement_shows_the_raters_pseudonyms():
    """The v3 round's pulled exports: agreement used to print the pins' handles
    (annotator-…), which appear nowhere in the release or the review project."""
    pins = ROOT / "data" / "labels" / "stargate-fr-v3.pins.json"
    result = CliRunner().invoke(
        app,
        ["agreement", "--articles", str(ROOT / "data" / "articles"), "--pins", str(pins), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    gold = gold_set(articles=ROOT / "data" / "articles", pins=pins)
    published = {pseudonym(r.annotator) for r in gold.records if is_rater(r)}
    assert len(published) == 2
    for layer, raters in report["raters"].items():
        assert set(raters) == published, layer
    for row in report["spans"]:
        assert set(row["annotators"].split(" vs ")) == published
    for dispute in report["disagreements"]:
        assert {v["annotator"] for v in dispute["versions"]} == published


def test_the_independent_pass_summary_shows_the_pseudonyms():
    """scripts/independent_pass.py's agreement summary printed the pins' handles too."""
    from independent_pass import summary

    pins = ROOT / "data" / "labels" / "stargate-fr-v3.pins.json"
    gold = gold_set(articles=ROOT / "data" / "articles", pins=pins)
    handles = {r.annotator for r in gold.records if is_rater(r)}
    published = {pseudonym(a) for a in handles}
    lines = summary(gold)
    pairs = [line.split(": ")[0].split(" ", 4)[-1] for line in lines if line.startswith("span F1")]
    assert pairs and all(set(p.split(" vs ")) == published for p in pairs)
    for line in lines:
        assert not any(h in line for h in handles), line
