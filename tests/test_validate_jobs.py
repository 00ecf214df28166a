"""``annotate validate --jobs N`` and ``--engine dask`` (issue 16): several exports
validated at once, one per worker, give exactly the stdout, JSON report, valid records,
quarantine and exit code of ``--jobs 1``, over a folder with a record repeated across
files (which only the order can tell: the later file's copy is the duplicate), files that
fail and a file that cannot be read to its end."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app

BAD = Path(__file__).parent / "data" / "bad"
# file name in the folder → case it copies (a.json and c.json hold the same annotation,
# which b.json holds too)
FOLDER = {
    "a.json": "valid-entities",
    "b.json": "mixed-file",
    "c.json": "valid-entities",
    "d.json": "claims-valid",
    "e.json": "truncated-json",
    "f.json": "mqm-valid",
}
OUTPUTS = ("valid.jsonl", "quarantine.jsonl", "report.json")
runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> list[Path]:
    exports = tmp_path / "exports"
    exports.mkdir()
    for name, case in FOLDER.items():
        shutil.copy(BAD / "cases" / f"{case}.json", exports / name)
    return sorted(exports.iterdir())


def _validate(exports: list[Path], out: Path, fmt: str, *engine: str) -> tuple[int, str, dict]:
    """Exit code, stdout and the files of one run; the outputs go to the same paths each
    time (stdout names the quarantine) and are removed after."""
    args = [
        "validate",
        *map(str, exports),
        "--articles",
        str(BAD / "articles"),
        "--format",
        fmt,
        "-o",
        str(out / "valid.jsonl"),
        "--quarantine",
        str(out / "quarantine.jsonl"),
        "--report",
        str(out / "report.json"),
        *engine,
    ]
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)  # no part left behind
    files = {name: (out / name).read_bytes() for name in OUTPUTS}
    shutil.rmtree(out)
    return result.exit_code, result.stdout, files


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_two_jobs_give_what_one_gives(folder: list[Path], tmp_path: Path, fmt: str) -> None:
    one = _validate(folder, tmp_path / "out", fmt, "--jobs", "1")
    two = _validate(folder, tmp_path / "out", fmt, "--jobs", "2")
    assert two == one
    code, stdout, files = one
    assert code == 1  # e.json is truncated
    if fmt == "text":
        c = folder[2]
        assert f"{c}:$[0].annotations[0]: duplicate-record: " in stdout
        assert f"{folder[0]}:$[0].annotations[0]: duplicate-record" not in stdout
    counts = json.loads(files["report.json"])["issue_counts"]
    assert counts["duplicate-record"] >= 2 and counts["invalid-json"] == 1


def test_one_file_on_two_jobs_and_no_outputs(folder: list[Path], tmp_path: Path) -> None:
    args = ["validate", str(folder[1]), "--articles", str(BAD / "articles")]
    one = runner.invoke(app, args)
    two = runner.invoke(app, [*args, "--jobs", "2"])
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)
    assert "unknown-label" in one.stdout


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as started:
        yield started.scheduler_address


@pytest.mark.slow
def test_dask_gives_what_one_job_gives(folder: list[Path], tmp_path: Path, cluster: str) -> None:
    one = _validate(folder, tmp_path / "out", "text", "--jobs", "1")
    dask = _validate(folder, tmp_path / "out", "text", "--engine", "dask", "--address", cluster)
    assert dask == one
