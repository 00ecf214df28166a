"""Defect 1 of issue 13: a dataset name, version or Hub repo id that is a path is refused
before any work (exit 2), through build, release, --push-to-hub and reproduce; nothing is
written outside the releases directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app

runner = CliRunner()


@pytest.fixture
def no_work(monkeypatch):
    """Reading the inputs fails the test: names must be refused before."""

    def gold_set(**_kw):
        raise AssertionError("the inputs were read before the names were checked")

    monkeypatch.setattr("annotate.pipeline.gold_set", gold_set)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def _args(tmp_path, paths, exports, *extra):
    args = ["--articles", paths.articles, "--out", tmp_path / "out" / "releases"]
    args += ["--card", paths.card, *[a for e in exports for a in ("--export", e)], *extra]
    return [str(a) for a in args]


@pytest.mark.parametrize(
    ("option", "value", "what"),
    [
        ("--dataset", "../../evil", "dataset name"),
        ("--dataset", "a/b", "dataset name"),
        ("--dataset", "/tmp/evil-annotate", "dataset name"),
        ("--version", "../x", "not a semantic version"),
        ("--version", "1.0.0/../../y", "not a semantic version"),
    ],
)
@pytest.mark.parametrize("command", ["build", "release"])
def test_names_that_are_paths_are_refused(
    command, option, value, what, tmp_path, paths, exports, no_work
):
    before = _files(tmp_path)
    extra = [option, value] + (["--version", "1.0.0"] if option == "--dataset" else [])
    result = runner.invoke(app, [command, *_args(tmp_path, paths, exports, *extra)])
    assert result.exit_code == 2, result.output
    assert what in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _files(tmp_path) == before
    assert not Path("/tmp/evil-annotate").exists()


@pytest.mark.parametrize("repo", ["../evil", "org/../../evil", "a/b/c", "/abs/repo"])
def test_a_hub_repo_id_that_is_a_path_is_refused(
    repo, monkeypatch, tmp_path, paths, exports, no_work
):
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    before = _files(tmp_path)
    result = runner.invoke(
        app,
        ["release", *_args(tmp_path, paths, exports, "--dataset", "demo", "--push-to-hub", repo)],
    )
    assert result.exit_code == 2, result.output
    assert "not a Hub repository id" in result.output
    assert _files(tmp_path) == before


def test_reproduce_refuses_a_manifest_whose_names_are_paths(tmp_path, paths, exports):
    release = tmp_path / "releases" / "demo" / "1.0.0"
    built = runner.invoke(
        app, ["build", *_args(tmp_path, paths, exports, "--dataset", "demo", "--version", "1.0.0")]
    )
    assert built.exit_code == 0, built.output
    shutil.copytree(tmp_path / "out" / "releases" / "demo" / "1.0.0", release)
    manifest = json.loads((release / "manifest.json").read_text())
    manifest["dataset"] = "../../../evil"
    (release / "manifest.json").write_text(json.dumps(manifest))
    keep = tmp_path / "keep"
    result = runner.invoke(
        app,
        [
            "reproduce",
            str(release),
            "--articles",
            str(paths.articles),
            "--card",
            str(paths.card),
            *[str(a) for e in exports for a in ("--export", e)],
            "--keep",
            str(keep),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "manifest.json" in result.output and "dataset name" in result.output
    assert not (tmp_path / "evil").exists()
