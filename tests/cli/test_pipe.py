"""Output that survives a pipe: through a pipe or into a file (stdout not a terminal, 80
columns), `validate` prints one problem per line, compiler style, with the whole file path
and JSON path; tables never cut a cell; `--format` picks text, json or table."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.cli._output import Format, issue_line, print_table
from annotate.corpus import read_articles
from annotate.model import Issue
from annotate.release.verify import verify_release
from annotate.validate import run_validation
from tests.conftest import ARTICLE, ROOT

runner = CliRunner()
BAD = ROOT / "tests" / "data" / "bad"
CASES = ("dangling-relation.json", "whitespace-edge.json", "stale-text.json", "truncated-json.json")


@pytest.fixture
def exports(tmp_path: Path) -> list[Path]:
    """A few bad exports under a path far longer than 80 columns."""
    where = tmp_path / "a-directory-with-a-long-name" / "exports-pulled-from-label-studio"
    where.mkdir(parents=True)
    return [Path(shutil.copy(BAD / "cases" / name, where / f"project-42-{name}")) for name in CASES]


def _expected(exports: list[Path]) -> list[Issue]:
    docs = {d.id: d for d in read_articles(BAD / "articles")}
    report = run_validation([str(p) for p in exports], docs)
    issues = report.errors + report.warnings
    assert len(issues) >= len(CASES)
    return issues


def _validate(exports: list[Path], *args: str) -> tuple[int, str]:
    argv = ["validate", *map(str, exports), "--articles", str(BAD / "articles"), *args]
    result = runner.invoke(app, argv, env={"COLUMNS": "80"})
    return result.exit_code, result.stdout


def _starts(issue: Issue) -> str:
    code = issue.code if issue.severity == "error" else f"{issue.code} (warning)"
    return f"{issue.file}:{issue.json_path}: {code}: {issue.message}"


def test_piped_validate_prints_one_whole_line_per_problem(exports: list[Path]) -> None:
    code, stdout = _validate(exports)
    assert code == 1  # the truncated export could not be read to its end
    lines = stdout.splitlines()
    for issue in _expected(exports):
        assert any(line.startswith(_starts(issue)) for line in lines), (
            f"no line for {_starts(issue)!r} in:\n{stdout}"
        )
    assert all(len(p.as_posix()) > 80 for p in exports)


def test_validate_through_a_real_pipe(exports: list[Path]) -> None:
    argv = [sys.executable, "-m", "annotate", "validate", *map(str, exports)]
    argv += ["--articles", str(BAD / "articles")]
    proc = subprocess.run(
        f"{shlex.join(argv)} | cat",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        check=False,
    )
    lines = proc.stdout.splitlines()
    for issue in _expected(exports):
        assert any(line.startswith(_starts(issue)) for line in lines), proc.stdout + proc.stderr
    assert proc.stderr == ""


def test_a_table_through_a_pipe_cuts_no_cell(exports: list[Path]) -> None:
    code, stdout = _validate(exports, "--format", "table")
    assert code == 1
    rows = [line for line in stdout.splitlines() if line.startswith("│")]
    for issue in _expected(exports):
        assert any(issue.location in row and issue.code in row for row in rows), stdout
    assert "…" not in stdout


def test_format_json_is_the_report_and_json_is_its_alias(exports: list[Path]) -> None:
    _, as_format = _validate(exports, "--format", "json")
    _, as_flag = _validate(exports, "--json")
    assert json.loads(as_format) == json.loads(as_flag)
    reported = json.loads(as_format)["errors"] + json.loads(as_format)["warnings"]
    assert [(i["file"], i["json_path"], i["code"]) for i in reported] == [
        (i.file, i.json_path, i.code) for i in _expected(exports)
    ]


def test_an_unknown_format_is_bad_usage(exports: list[Path]) -> None:
    result = runner.invoke(app, ["validate", str(exports[0]), "--format", "yaml"])
    assert result.exit_code == 2
    assert "known formats: text, json, table" in result.stderr


def test_ingest_through_a_pipe_keeps_the_whole_source_path(tmp_path: Path) -> None:
    where = tmp_path / "a-corpus-folder-whose-name-alone-is-longer-than-a-narrow-terminal"
    where.mkdir()
    article = Path(shutil.copy(ARTICLE, where / "stargate-fr.txt"))
    for fmt in ([], ["--format", "table"]):
        result = runner.invoke(app, ["ingest", str(article), *fmt], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        assert str(article) in result.stdout, result.stdout
        assert "…" not in result.stdout
    out = tmp_path / "docs.jsonl"
    as_json = runner.invoke(app, ["ingest", str(article), "--format", "json", "--out", str(out)])
    (shown,) = json.loads(as_json.stdout)  # the "wrote …" note goes to stderr
    assert shown["source"] == str(article) and shown["doc_id"] == json.loads(out.read_text())["id"]


@pytest.mark.parametrize("fmt", ["text", "table"])
def test_a_table_keeps_long_cells_and_may_be_empty(
    fmt: Format, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "x" * 150 + " and [brackets] kept"
    print_table(["name", "value"], [["a", long], ["b", 2]], fmt=fmt, title="T")
    print_table(["name", "value"], [], fmt=fmt, title="Empty")
    shown = capsys.readouterr().out
    assert any(long in line and "a" in line for line in shown.splitlines()), shown
    assert "Empty" in shown


def test_verify_formats(tmp_path: Path) -> None:
    release = ROOT / "releases" / "stargate-fr-annotations" / "1.0.0"
    as_json = runner.invoke(app, ["verify", str(release), "--no-load", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == verify_release(release, load=False).to_dict()
    as_text = runner.invoke(app, ["verify", str(release), "--no-load"], env={"COLUMNS": "80"})
    assert as_text.stdout.startswith(f"✓ {release} 1.0.0: ")


def test_verify_names_the_file_of_each_problem(tmp_path: Path) -> None:
    release = Path(
        shutil.copytree(ROOT / "releases" / "stargate-fr-annotations" / "1.0.0", tmp_path / "r")
    )
    (release / "extra.txt").write_text("not in the manifest\n", encoding="utf-8")
    result = runner.invoke(app, ["verify", str(release), "--no-load"], env={"COLUMNS": "80"})
    assert result.exit_code == 1
    problems = verify_release(release, load=False).problems
    assert [p.file for p in problems] == ["extra.txt"]
    assert result.stderr.startswith(f"{release / 'extra.txt'}:$: unexpected: "), result.stderr
    assert result.stderr.splitlines() == [issue_line(p, root=release) for p in problems]
