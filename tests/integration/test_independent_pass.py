"""scripts/independent_pass.py runs end to end against the real server (issue 14, the
next release's flow): passes A and C, the review projects, an adjudication worksheet
submitted and pulled, then no task needs review and the build has provenance."""

from __future__ import annotations

import json

import pytest
from independent_pass import main

from annotate.pipeline import gold_set
from annotate.release.build import build_release
from tests.conftest import ARTICLES, ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_flow_runs_end_to_end(ls_server, ls_run_id, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server["url"])
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server["api_key"])
    prefix, labels = f"v3-{ls_run_id}", tmp_path / "labels"
    common = ["--prefix", prefix, "--labels", str(labels)]
    assert main(["annotate", *common]) == 0
    listed = capsys.readouterr().out
    assert f"{prefix} · translation_errors · review" in listed
    assert "tasks to adjudicate" in listed
    # the adjudicator takes pass A's version of every disputed paragraph
    sheet = json.loads((ROOT / "data/reference/pass-a.json").read_text(encoding="utf-8"))
    adjudication = tmp_path / "adjudication.json"
    adjudication.write_text(json.dumps({**sheet, "annotator": "adjudicator"}), encoding="utf-8")
    assert main(["adjudicate", *common, "--adjudication", str(adjudication)]) == 0
    assert "0 tasks still need review" in capsys.readouterr().out
    gold = gold_set(articles=ARTICLES, pins=labels / f"{prefix}.pins.json")
    assert {c.annotation.origin for c in gold.choices.values() if c.rule == "ground_truth"} == {
        "adjudication"
    }
    built = build_release(gold, out=tmp_path / "out", dataset="v3", version="1.0.0")
    manifest = json.loads((built.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"] is True
