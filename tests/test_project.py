"""annotate.toml: init scaffolds a project, every command finds the nearest one upwards,
paths are relative to the file, flags override it (issue 11, "a project file")."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ConfigError
from annotate.project import (
    PROJECT_FILE,
    current_project,
    find_project,
    init_project,
    load_project,
    packaged_guidelines,
)
from tests.conftest import ROOT


def test_init_scaffolds_a_project(tmp_path):
    project = init_project(tmp_path / "my-fr-news", language="fr", license="cc-by-4.0")
    folder = tmp_path / "my-fr-news"
    assert project.file == folder / PROJECT_FILE
    assert (project.dataset, project.prefix, project.license, project.language) == (
        "my-fr-news",
        "my-fr-news",
        "cc-by-4.0",
        "fr",
    )
    assert project.corpus == (folder / "articles",)
    assert (folder / "articles").is_dir() and not any((folder / "articles").iterdir())
    assert (folder / "guidelines.md").read_text(encoding="utf-8") == packaged_guidelines()
    assert project.guidelines == folder / "guidelines.md"
    assert "my-fr-news" in (folder / "NOTES.md").read_text(encoding="utf-8")
    assert project.notes == folder / "NOTES.md"
    assert project.labels == folder / "labels"
    assert project.releases == folder / "releases"
    assert project.pins == folder / "labels" / "my-fr-news.pins.json"
    with pytest.raises(ConfigError, match="already exists"):
        init_project(folder)


def test_the_nearest_project_file_upwards_is_found(tmp_path):
    outer = init_project(tmp_path / "outer", dataset="outer-set")
    inner = init_project(tmp_path / "outer" / "nested" / "inner", dataset="inner-set")
    deep = tmp_path / "outer" / "nested" / "inner" / "articles" / "2026"
    deep.mkdir(parents=True)
    assert find_project(deep) == inner
    assert find_project(tmp_path / "outer" / "nested") == outer
    assert find_project(tmp_path) is None
    # outside any project nothing defaults to someone else's corpus or dataset
    bare = current_project(tmp_path)
    assert (bare.dataset, bare.corpus) == ("", ())


def test_paths_are_relative_to_the_file_and_unknown_keys_are_named(tmp_path):
    (tmp_path / PROJECT_FILE).write_text(
        '[project]\ndataset = "x"\n[paths]\ncorpus = ["a", "../b"]\nlabels = "lab"\n',
        encoding="utf-8",
    )
    project = load_project(tmp_path / PROJECT_FILE)
    assert project.corpus == (tmp_path / "a", (tmp_path / ".." / "b").resolve())
    assert project.labels == tmp_path / "lab"
    (tmp_path / PROJECT_FILE).write_text(
        '[project]\ndataset = "x"\n[paths]\ncorpuss = "a"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="corpuss") as info:
        load_project(tmp_path / PROJECT_FILE)
    assert info.value.json_path == "$.paths.corpuss"
    assert "corpus" in (info.value.hint or "")


def test_the_bundled_article_is_a_project_of_this_repository():
    project = find_project(ROOT / "data" / "articles")
    assert project is not None and project.file == ROOT / PROJECT_FILE
    assert project.dataset == "stargate-fr-annotations"
    assert project.corpus == (ROOT / "data" / "articles",)
    # its 1.0.0 was built from the legacy pins, which stay its pins until it pulls again
    assert project.pins == ROOT / "data" / "labels" / "pins.json"
    assert project.notes == ROOT / "data" / "labels" / "NOTES.md"


def test_cli_init_then_ingest_reads_the_project(tmp_path, monkeypatch):
    runner = CliRunner()
    made = runner.invoke(app, ["init", str(tmp_path / "news"), "--language", "fr"])
    assert made.exit_code == 0, made.output
    (tmp_path / "news" / "articles" / "a.txt").write_text(
        "Un article original.\n\nDeux paragraphes.\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "news" / "articles")
    # no PATH and no --lang: the corpus and the language come from annotate.toml
    ingested = runner.invoke(app, ["ingest", "--out", str(tmp_path / "docs.jsonl")])
    assert ingested.exit_code == 0, ingested.output
    (doc,) = [json.loads(line) for line in (tmp_path / "docs.jsonl").read_text().splitlines()]
    assert doc["lang"] == "fr" and doc["source_path"].endswith("a.txt")
    monkeypatch.chdir(tmp_path)
    outside = runner.invoke(app, ["ingest"])
    assert outside.exit_code == 2
    assert "annotate init" in outside.output
