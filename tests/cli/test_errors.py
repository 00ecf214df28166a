"""The CLI's one error decorator: every command runs inside it, and no exception reaches the
user as a traceback — an AnnotateError names its place and hint, an OSError its file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from annotate.cli import app
from annotate.cli._errors import DEBUG_ENV, handles_errors
from annotate.errors import ConfigError, ExportError
from tests.conftest import ARTICLE

runner = CliRunner()


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found = {}
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            found.update(_commands(cmd, f"{prefix}{name} "))
        else:
            found[f"{prefix}{name}"] = cmd
    return found


def _invoke(*args: object, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={DEBUG_ENV: "", **(env or {})})


def test_every_command_runs_inside_the_error_decorator() -> None:
    commands = _commands(typer.main.get_group(app))
    assert len(commands) > 10
    unwrapped = [n for n, c in commands.items() if not getattr(c.callback, "handles_errors", 0)]
    assert not unwrapped, f"commands outside the error decorator: {unwrapped}"


def test_an_annotate_error_names_its_place_and_hint_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = ExportError(
        "span end before start",
        file="data/labels/x.json",
        task_id=3,
        annotation_id=7,
        json_path="$[0].annotations[0].result[2]",
        hint="fix the span in Label Studio and export again",
    )

    def command() -> None:
        raise err

    with pytest.raises(typer.Exit) as exit_:
        handles_errors(command)()
    assert exit_.value.exit_code == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: data/labels/x.json task=3 annotation=7 at $[0].annotations[0].result[2]: "
        "span end before start",
        "  hint: fix the span in Label Studio and export again",
    ]


def test_a_config_error_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    def command() -> None:
        raise ConfigError("unknown layer 'x'; known layers: entities")

    with pytest.raises(typer.Exit) as exit_:
        handles_errors(command)()
    assert exit_.value.exit_code == 2
    assert "error: unknown layer 'x'; known layers: entities" in capsys.readouterr().err


def test_a_truncated_export_is_an_error_line_and_a_hint_line(tmp_path: Path) -> None:
    # A real library error through a real command.
    export = tmp_path / "truncated.json"
    export.write_text('[{"id": 1, "data": {"text": "a"', encoding="utf-8")
    result = _invoke("build", "--export", export, "--out", tmp_path / "releases")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert lines[0].startswith("error: ") and "truncated.json" in lines[0], result.stderr
    assert lines[-1].strip().startswith("hint: "), result.stderr
    assert "Traceback" not in result.output


def test_a_directory_given_as_output_file_is_one_line_with_a_hint(tmp_path: Path) -> None:
    result = _invoke("ingest", ARTICLE, "--out", tmp_path)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert f"error: {tmp_path}: Is a directory" in result.stderr
    assert "hint: a file was expected here, not a directory" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_says_so() -> None:
    result = _invoke("ingest", ARTICLE, "--out", "/dev/full")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "No space left on device" in result.stderr
    assert "hint: the disk is full" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_file_that_cannot_be_written_names_it(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = _invoke("ingest", ARTICLE, "--out", locked / "docs.jsonl")
    assert result.exit_code == 1
    assert f"{locked / 'docs.jsonl'}: Permission denied" in result.stderr
    assert "hint: check the permissions" in result.stderr


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    tsv = tmp_path / "mqm.tsv"
    tsv.write_bytes(b"\xff\xfe not utf-8\n")
    result = _invoke("mqm-import", tsv, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    (line, hint) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "UTF-8" in line
    assert hint.strip().startswith("hint: ")


def test_an_exit_code_chosen_by_the_command_passes_through(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def command() -> None:
        raise typer.Exit(3)

    with pytest.raises(typer.Exit) as exit_:
        handles_errors(command)()
    assert exit_.value.exit_code == 3
    assert capsys.readouterr().err == ""


def test_an_unexpected_exception_is_reported_as_a_bug(capsys: pytest.CaptureFixture[str]) -> None:
    def command() -> None:
        raise RuntimeError("boom")

    with pytest.raises(typer.Exit) as exit_:
        handles_errors(command)()
    assert exit_.value.exit_code == 1
    err = capsys.readouterr().err
    assert "error: unexpected RuntimeError: boom" in err
    assert f"rerun with {DEBUG_ENV}=1" in err


def test_debug_lets_the_exception_through(tmp_path: Path) -> None:
    result = _invoke("ingest", ARTICLE, "--out", tmp_path, env={DEBUG_ENV: "1"})
    assert isinstance(result.exception, IsADirectoryError)


def test_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "annotate", "ingest", str(ARTICLE), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, DEBUG_ENV: "", "COLUMNS": "80"},
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0] == f"error: {tmp_path}: Is a directory"
