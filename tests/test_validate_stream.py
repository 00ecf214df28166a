"""Reports of any size are written as a stream (issue 12): a streamed run keeps the counts
per code and per file and the first examples of its issues, hands every issue on as it is
found, and still writes a JSON report that lists them all, byte for byte as a report held
in memory would be written."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.cli._output import issue_line
from annotate.model import Issue
from annotate.validate import run_validation, validate_exports
from annotate.validation.issues import dump_json_stream
from tests.synthetic import synthetic_documents, write_synthetic_export


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], int]:
    """An export whose every record fails (an unknown label), and its corpus."""
    work = tmp_path_factory.mktemp("failing")
    docs = synthetic_documents(3)
    info = write_synthetic_export(work / "export.json", docs, size=600_000, bad_every=1)
    assert info.bad == info.tasks > 200
    return work / "export.json", {d.id: d for d in docs}, info.bad


@pytest.mark.parametrize(
    ("head", "lists"),
    [
        ({"a": 1, "b": {"c": [1, 2], "d": "é"}}, {"errors": [], "warnings": []}),
        ({"a": None}, {"errors": [{"x": [1, {"y": "z"}]}, {"q": "\n"}], "warnings": [1, "w"]}),
        ({}, {"errors": [{"k": []}]}),
        ({"only": True}, {}),
    ],
)
def test_the_streamed_json_is_what_json_dumps_writes(
    head: dict[str, Any], lists: dict[str, list[Any]]
) -> None:
    out = io.StringIO()
    dump_json_stream(head, {k: iter(v) for k, v in lists.items()}, out)
    assert out.getvalue() == json.dumps({**head, **lists}, ensure_ascii=False, indent=2) + "\n"


def test_a_streamed_run_keeps_only_examples_and_counts_every_issue(
    failing: tuple[Path, dict[str, Any], int], tmp_path: Path
) -> None:
    export, docs, bad = failing
    seen: list[Issue] = []
    report = run_validation(
        [export], docs, report=tmp_path / "report.json", on_issue=seen.append, examples=5
    )
    assert len(report.record_errors) == 5  # bounded, not one per record
    assert report.issues_total == len(seen) == bad
    assert report.issue_counts() == {"unknown-label": bad}
    assert report.issue_counts_by_file() == {str(export): bad}
    kept = validate_exports([export], docs)  # holds every issue in memory
    assert [i.to_dict() for i in seen] == [i.to_dict() for i in kept.errors]
    saved = (tmp_path / "report.json").read_text(encoding="utf-8")
    whole = json.dumps(kept.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    assert saved == whole
    assert report.to_dict() == kept.to_dict()


def test_piped_validate_prints_each_problem_as_found_and_the_whole_json(
    failing: tuple[Path, dict[str, Any], int], tmp_path: Path
) -> None:
    export, docs, bad = failing
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"text": d.text}, ensure_ascii=False) + "\n" for d in docs.values()),
        encoding="utf-8",
    )
    argv = ["validate", str(export), "--articles", str(corpus)]
    text = CliRunner().invoke(app, [*argv, "--format", "text"])
    kept = validate_exports([export], docs)
    lines = [issue_line(i) for i in kept.errors]
    assert text.stdout.splitlines()[:bad] == lines
    as_json = CliRunner().invoke(app, [*argv, "--format", "json"])
    report = json.loads(as_json.stdout)
    assert len(report["errors"]) == bad and report["issue_counts"] == {"unknown-label": bad}
    table = CliRunner().invoke(app, [*argv, "--format", "table"], env={"COLUMNS": "300"})
    assert table.stdout.count("unknown-label") == 200 + 1  # 200 rows, then the code's count
    assert f"… and {bad - 200} more" in table.stdout
