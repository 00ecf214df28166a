"""push --tasks input (annotate.labelstudio.task_input): every bad task, line or file of
the task files is listed at once, before anything is sent; the good ones come in order."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import CorpusError
from annotate.labelstudio.task_input import read_task_files

runner = CliRunner()


def _task(key: str, layer: str = "entities") -> dict[str, object]:
    return {"data": {"text": "Alice.", "task_key": key, "layer": layer, "doc_id": "d"}}


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "tasks-00000.json").write_text(
        json.dumps([_task("a"), {"data": {"text": "no key"}}, _task("b")], indent=2)
    )
    lines = [json.dumps(_task("c")), "{not json", json.dumps(_task("d", "nope"))]
    (folder / "tasks-00001.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    (folder / "tasks-00002.json").write_text('[{"data": {"task_key": "e", "layer": "claims"}}, ')
    return folder


def test_every_bad_task_line_and_file_is_listed_and_the_good_ones_come_in_order(
    tmp_path: Path,
) -> None:
    problems: list[CorpusError] = []
    got = list(read_task_files(_folder(tmp_path), problems=problems))
    assert [t["data"]["task_key"] for t in got] == ["a", "b", "c", "e"]
    text = [str(p) for p in problems]
    assert len(text) == 4, text
    assert "tasks-00000.json" in text[0] and "task #1" in text[0] and "task_key" in text[0]
    assert "line 2: invalid JSON" in text[1]
    assert "line 3: unknown layer 'nope'" in text[2]
    assert "tasks-00002.json" in text[3] and "cannot read the tasks" in text[3]


def test_push_tasks_stops_before_connecting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    result = runner.invoke(app, ["push", str(_folder(tmp_path)), "--tasks", "--layers", "all"])
    assert result.exit_code == 1, result.output
    assert "4 bad files or lines" in result.output and "nothing was pushed" in result.output
    assert "not configured" not in result.output and "Traceback" not in result.output


def test_a_folder_without_task_files_is_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["push", "empty", "--tasks", "--layers", "entities"])
    assert result.exit_code == 1, result.output
    assert "no task files" in result.output and "Traceback" not in result.output
