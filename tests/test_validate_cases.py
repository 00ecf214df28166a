"""The bad-input corpus (tests/data/bad/): every case, run through the CLI in-process,
gives exactly its expected issues (code, severity, JSON path in the export), counts and
exit code, and never crashes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from annotate.cli import app

BAD = Path(__file__).parent / "data" / "bad"
CASES: list[dict[str, Any]] = json.loads((BAD / "cases.json").read_text(encoding="utf-8"))


def run_case(case: dict[str, Any], tmp_path: Path) -> tuple[Any, dict[str, Any] | None]:
    args = [
        str(BAD / case["file"]),
        "--articles",
        str(BAD / "articles"),
        "--json",
        "--output",
        str(tmp_path / "valid.jsonl"),
        "--quarantine",
        str(tmp_path / "quarantine.jsonl"),
        *case["args"],
    ]
    result = CliRunner().invoke(app, ["validate", *args])
    report = json.loads(result.stdout) if result.exit_code != 2 else None
    return result, report


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        path = BAD / case["file"]
        if path.exists() and "external" not in case["file"]:
            assert path.stat().st_size < 16_000, f"{case['name']}: keep committed cases small"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    result, report = run_case(case, tmp_path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == case["exit_code"], result.output
    if report is None:
        return
    issues = report["errors"] + report["warnings"]
    if "expect_codes" in case:
        assert dict(Counter(i["code"] for i in issues)) == case["expect_codes"]
    else:
        got = Counter((i["severity"], i["code"], i["json_path"]) for i in issues)
        want = Counter((e["severity"], e["code"], e["json_path"]) for e in case["expect"])
        assert got == want, json.dumps(issues, ensure_ascii=False, indent=1)
    counts = report["counts"]
    assert counts["balanced"], counts
    for key, value in case.get("counts", {}).items():
        assert counts[key] == value, (key, counts)
    for issue in issues:  # every issue is located and worded
        assert issue["file"], issue
        assert issue["json_path"].startswith("$"), issue
        assert issue["message"], issue
    valid = [json.loads(x) for x in (tmp_path / "valid.jsonl").read_text().splitlines()]
    quarantined = (tmp_path / "quarantine.jsonl").read_text().splitlines()
    assert len(valid) == counts["valid"]
    assert len(quarantined) == counts["quarantined"]
    if "valid_spans" in case:
        spans = [[s["start"], s["end"], s["text"]] for r in valid for s in r["spans"]]
        assert spans == case["valid_spans"]


def test_every_record_error_names_its_task_annotation_and_annotator(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["name"] == "mixed-file")
    _result, report = run_case(case, tmp_path)
    assert report is not None
    errors = report["errors"]
    assert {i["task_id"] for i in errors} == {2, 4}, "both bad tasks are reported"
    for issue in errors:
        assert issue["task_id"] in (2, 4)
        assert issue["annotation_id"] in (102, 104)
        assert issue["annotator"] == "1"
        assert issue["record_id"]


def test_quarantine_keeps_each_rejected_record_whole(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["name"] == "mixed-file")
    run_case(case, tmp_path)
    exported = json.loads((BAD / case["file"]).read_text(encoding="utf-8"))
    entries = [json.loads(x) for x in (tmp_path / "quarantine.jsonl").read_text().splitlines()]
    assert [e["raw"] for e in entries] == [
        exported[1]["annotations"][0],
        exported[3]["annotations"][0],
    ]
    assert [e["source"]["json_path"] for e in entries] == [
        "$[1].annotations[0]",
        "$[3].annotations[0]",
    ]
    assert all(e["errors"] and e["record"]["layer"] == "entities" for e in entries)
    hint = entries[0]["errors"][0]["hint"]
    assert "did you mean 'ORG'?" in hint


def test_the_human_table(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["name"] == "mixed-file")
    args = [str(BAD / case["file"]), "--articles", str(BAD / "articles")]
    result = CliRunner().invoke(app, ["validate", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "unknown-label" in result.stdout
    assert "6 received: 4 valid, 2 quarantined, 0 skipped" in result.stdout
    assert "2 record(s) held back" in result.stdout


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(app, ["validate", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for text in ("Exit codes", "0 the run completed", "1 an input could not", "2 bad usage"):
        assert text in result.stdout
