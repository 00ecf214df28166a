"""Task files written as a stream: the JSON array is the bytes json.dumps gives, JSON Lines
hold the same tasks, shards split them and a rerun removes stale shards; gzipped JSON Lines
shards of a corpus are read line by line."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from annotate.corpus import read_articles
from annotate.errors import CorpusError
from annotate.labelstudio.task_files import json_array_text, write_tasks
from tests.engine.corpus_shards import write_corpus_shards


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_streamed_array_is_the_bytes_json_dumps_gives(count: int) -> None:
    tasks = [
        {"data": {"text": f"Ligne {i}\nsuite « citée » \u2028 fin", "n": i}, "predictions": []}
        for i in range(count)
    ]
    expected = json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"
    assert "".join(json_array_text(iter(tasks))) == expected


def test_shards_and_json_lines_hold_the_tasks_of_the_array(tmp_path: Path) -> None:
    corpus = write_corpus_shards(tmp_path / "corpus", 7, per_shard=3)
    stream = io.StringIO()
    whole = write_tasks(corpus, layer="claims", out=stream)
    tasks = json.loads(stream.getvalue())
    assert whole.documents == 7 and whole.tasks == len(tasks) == 14

    lines = tmp_path / "tasks.jsonl"
    write_tasks(corpus, layer="claims", out=lines)
    assert [json.loads(x) for x in lines.read_text(encoding="utf-8").splitlines()] == tasks

    folder = tmp_path / "shards"
    written = write_tasks(corpus, layer="claims", out=stream, out_dir=folder, shard_size=4)
    assert [p.name for p in written.files] == [f"tasks-0000{i}.json" for i in range(4)]
    shards = [json.loads(p.read_text(encoding="utf-8")) for p in written.files]
    assert [len(s) for s in shards] == [4, 4, 4, 2]
    assert [t for s in shards for t in s] == tasks

    again = write_tasks(corpus, layer="claims", out=stream, out_dir=folder, shard_size=10)
    assert sorted(p.name for p in folder.iterdir()) == ["tasks-00000.json", "tasks-00001.json"]
    assert [t for p in again.files for t in json.loads(p.read_text(encoding="utf-8"))] == tasks


def test_gzipped_shards_are_read_and_a_truncated_one_is_reported(tmp_path: Path) -> None:
    corpus = write_corpus_shards(tmp_path / "corpus", 4, per_shard=2)
    assert [p.name for p in sorted(corpus.iterdir())] == ["part-000.jsonl", "part-001.jsonl.gz"]
    assert len(list(read_articles(corpus))) == 4
    gz = corpus / "part-001.jsonl.gz"
    gz.write_bytes(gz.read_bytes()[:-12])  # the end of the stream cut off
    documents = read_articles(corpus)
    assert len([next(documents), next(documents)]) == 2  # the first shard streams out first
    with pytest.raises(CorpusError, match=r"part-001\.jsonl\.gz.*cannot read after line"):
        list(documents)
    problems: list[CorpusError] = []
    assert len(list(read_articles(corpus, problems=problems))) >= 2 and len(problems) == 1


def test_a_bad_line_in_a_gzipped_shard_names_its_line(tmp_path: Path) -> None:
    shard = tmp_path / "part.jsonl.gz"
    shard.write_bytes(gzip.compress(b'{"text": "Un texte.", "lang": "fr"}\n{"text": 3}\n'))
    with pytest.raises(CorpusError, match="line 2: expected an object with a string 'text'"):
        list(read_articles(shard))
