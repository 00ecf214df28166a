"""`annotate agreement` on pulled exports, before any release (issue 14): the report, the
list of disagreements, --json and --heatmap, against counts worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from annotate.cli import app
from annotate.names import pseudonym

# raters are shown by the pseudonyms a release gives them (user ids 1 and 2 here)
ONE, TWO = pseudonym("1"), pseudonym("2")


def _second_rater(layers, make_exports) -> Path:
    """User 2's entities: user 1's without the article's last entity, and the first
    "Stargate" a PRODUCT instead of a FAC."""
    theirs = layers.copy()
    theirs.entities.pop()
    next(s for s in theirs.entities if s.text == "Stargate").label = "PRODUCT"
    [path, *_] = make_exports("rater-b", theirs)
    tasks = json.loads(path.read_text(encoding="utf-8"))
    for task in tasks:
        for ann in task["annotations"]:
            ann["id"] += 1000
            ann["completed_by"] = {"id": 2}
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def _run(paths, exports: list[Path], *extra: str):
    args = ["agreement", "--articles", str(paths.articles)]
    for e in exports:
        args += ["--export", str(e)]
    return CliRunner().invoke(app, [*args, *extra])


def test_agreement_json_matches_hand_counts(exports, layers, make_exports, paths):
    second = _second_rater(layers, make_exports)
    result = _run(paths, [*exports, second], "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["raters"]["entities"] == sorted([ONE, TWO])
    # user 1 has n entities; user 2 has n - 1, one relabelled. Exact, overall: tp = n - 2
    # (all but the dropped one and the relabelled one), fp = 1 (PRODUCT), fn = 2 (the
    # dropped one, FAC) → F1 = 2tp/(2tp + fp + fn) = 2(n - 2)/(2(n - 2) + 3)
    n = len(layers.entities)
    [overall] = [
        r
        for r in report["spans"]
        if r["layer"] == "entities" and r["matching"] == "exact" and r["label"] == "overall"
    ]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (n - 2, 1, 2)
    assert overall["f1"] == round(2 * (n - 2) / (2 * (n - 2) + 3), 4)
    [fac] = [
        r
        for r in report["spans"]
        if r["label"] == "FAC" and r["matching"] == "exact" and r["layer"] == "entities"
    ]
    stargates = sum(1 for s in layers.entities if s.text == "Stargate")
    # FAC: user 1 has every Stargate, user 2 all but one → tp = s - 1, fn = 1 → F1 = 2(s-1)/(2s-1)
    assert (fac["tp"], fac["fp"], fac["fn"]) == (stargates - 1, 0, 1)
    assert fac["f1"] == round(2 * (stargates - 1) / (2 * stargates - 1), 4)
    confused = [r for r in report["confusion"] if r["label_a"] != r["label_b"]]
    first, second = sorted([ONE, TWO])
    label_a, label_b = ("FAC", "PRODUCT") if first == ONE else ("PRODUCT", "FAC")
    assert confused == [
        {
            "layer": "entities",
            "annotators": f"{first} vs {second}",
            "label_a": label_a,
            "label_b": label_b,
            "spans": 1,
        }
    ]
    kinds = [(d["layer"], d["kind"]) for d in report["disagreements"]]
    assert sorted(kinds) == [("entities", "label"), ("entities", "span")]
    dropped = next(d for d in report["disagreements"] if d["kind"] == "span")
    by = {v["annotator"]: v for v in dropped["versions"]}
    assert [s["text"] for s in by[ONE]["spans"]] == [layers.entities[-1].text]
    assert by[TWO]["spans"] == []


def test_agreement_tables_and_heatmap(exports, layers, make_exports, paths, tmp_path):
    second = _second_rater(layers, make_exports)
    png = tmp_path / "out" / "agreement.png"
    result = _run(paths, [*exports, second], "--heatmap", str(png), "--format", "text")
    assert result.exit_code == 0, result.output
    assert "2 disagreement(s)" in result.output and "annotate review" in result.output
    assert "FAC" in result.output and "PRODUCT" in result.output
    import matplotlib.image

    image = matplotlib.image.imread(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.shape[0] > 100 and image.shape[1] > 100


def test_one_rater_has_no_agreement_and_no_heatmap(exports, paths, tmp_path):
    result = _run(paths, exports, "--format", "text")
    assert result.exit_code == 0, result.output
    assert "no task has two raters" in result.output
    refused = _run(paths, exports, "--heatmap", str(tmp_path / "x.png"))
    assert refused.exit_code == 2 and "two raters" in refused.output  # nothing to draw
    assert not (tmp_path / "x.png").exists()
