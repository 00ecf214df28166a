"""An empty input is refused, never taken for "nothing to do" (found by following the
README as a new team: a corpus shard with no line made `annotate tasks --out-dir` write an
empty `tasks-00000.json` and `push` print an empty table, both with exit 0; `push --tasks`
of an empty task file did the same, and so did a push whose layers no article gets)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.corpus import read_articles
from annotate.errors import CorpusError
from annotate.labelstudio.task_input import read_task_files

runner = CliRunner()

EMPTY_SHARDS = {
    "empty.jsonl": b"",
    "blank.jsonl": b"\n\r\n  \n",
    "empty.jsonl.gz": gzip.compress(b""),
}


@pytest.mark.parametrize("name", sorted(EMPTY_SHARDS))
def test_an_empty_corpus_shard_is_refused_with_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(EMPTY_SHARDS[name])
    with pytest.raises(CorpusError) as info:
        list(read_articles(path, lang="fr"))
    message = str(info.value)
    assert str(path) in message and "no article" in message, message
    assert info.value.hint and "remove it" in info.value.hint


def _corpus(tmp_path: Path) -> Path:
    """A corpus folder of one good shard and one empty one."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = {"text": "Airbus a livré 60 avions à Toulouse.", "lang": "fr"}
    (corpus / "shard-00.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
    (corpus / "shard-01.jsonl.gz").write_bytes(gzip.compress(b"\n"))
    return corpus


@pytest.fixture
def no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    return tmp_path


def test_tasks_out_dir_writes_no_shard_from_a_corpus_with_an_empty_shard(no_server) -> None:
    corpus = _corpus(no_server)
    out = no_server / "tasks"
    result = runner.invoke(app, ["tasks", str(corpus), "--layer", "entities", "--out-dir", "tasks"])
    assert result.exit_code == 1, result.output
    assert "shard-01.jsonl.gz" in result.output and "no article" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not list(out.iterdir()), "a shard was written"


def test_ingest_of_a_corpus_with_an_empty_shard_fails(no_server) -> None:
    result = runner.invoke(app, ["ingest", str(_corpus(no_server))])
    assert result.exit_code == 1, result.output
    assert "shard-01.jsonl.gz" in result.output and "no article" in result.output


def test_push_of_a_corpus_with_an_empty_shard_stops_before_connecting(no_server) -> None:
    result = runner.invoke(app, ["push", str(_corpus(no_server)), "--layers", "entities"])
    assert result.exit_code == 1, result.output
    assert "shard-01.jsonl.gz" in result.output and "nothing was pushed" in result.output
    assert "not configured" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [("tasks.json", b"[]"), ("tasks.json.gz", gzip.compress(b"[ ]\n")), ("tasks.jsonl", b"\n")],
    ids=["json", "json.gz", "jsonl"],
)
def test_an_empty_task_file_is_a_problem(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    problems: list[CorpusError] = []
    assert list(read_task_files(path, problems=problems)) == []
    assert len(problems) == 1, problems
    assert str(path) in str(problems[0]) and "no task" in str(problems[0])


def test_push_tasks_of_an_empty_shard_stops_before_connecting(no_server) -> None:
    folder = no_server / "tasks"
    folder.mkdir()
    task = {"data": {"text": "Alice.", "task_key": "k", "layer": "entities", "doc_id": "d"}}
    (folder / "tasks-00000.json").write_text(json.dumps([task]))
    (folder / "tasks-00001.json").write_text("[]")
    result = runner.invoke(app, ["push", "tasks", "--tasks", "--layers", "entities"])
    assert result.exit_code == 1, result.output
    assert "tasks-00001.json" in result.output and "no task" in result.output
    assert "nothing was pushed" in result.output and "not configured" not in result.output


def test_push_of_layers_no_article_gets_stops_before_connecting(no_server) -> None:
    corpus = no_server / "articles"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Airbus a livré 60 avions à Toulouse.\n", encoding="utf-8")
    result = runner.invoke(app, ["push", "articles", "--layers", "translation_errors"])
    assert result.exit_code == 1, result.output
    assert "no document of the articles gets a task" in result.output
    assert "nothing was pushed" in result.output and "--all-documents" in result.output
    assert "not configured" not in result.output and "Traceback" not in result.output


def test_push_tasks_of_other_layers_stops_before_connecting(no_server) -> None:
    task = {"data": {"text": "Alice.", "task_key": "k", "layer": "entities", "doc_id": "d"}}
    (no_server / "tasks.json").write_text(json.dumps([task]))
    result = runner.invoke(app, ["push", "tasks.json", "--tasks", "--layers", "claims"])
    assert result.exit_code == 1, result.output
    assert "no task of the layers claims" in result.output and "--layers" in result.output
    assert "not configured" not in result.output and "Traceback" not in result.output
