"""Defect 6 of issue 13 (input side): push reports every bad file and line at once and,
by default, pushes nothing; bad paths and a corrupt pins file are one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import CorpusError
from annotate.labelstudio.push_stream import push_corpus
from annotate.labelstudio.push_survey import survey_corpus

runner = CliRunner()


def corpus(tmp_path: Path) -> Path:
    """A folder with two good articles, one broken .jsonl line and one bad file."""
    folder = tmp_path / "articles"
    folder.mkdir()
    lines = [
        json.dumps({"text": "Alice rencontre Bob à Paris.", "lang": "fr"}),
        '{"text": "Une ligne cassée", "lang": ',
        json.dumps({"text": "Carol est à Lyon.", "lang": "fr"}),
    ]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\xff\xfe not UTF-8 \xc3")
    return folder


def test_every_bad_file_and_line_is_listed_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)  # it stops before connecting
    with pytest.raises(CorpusError) as caught:
        push_corpus(corpus(tmp_path), layers=["entities"])
    message = str(caught.value)
    assert "2 bad files or lines" in message and "nothing was pushed" in message
    assert "a.jsonl: line 2: invalid JSON" in message
    assert "b.txt" in message
    assert "--skip-invalid" in message


def test_the_survey_keeps_the_good_ones_and_lists_the_bad(tmp_path):
    got = survey_corpus(corpus(tmp_path), layers=["entities"], unit="document")
    assert got.good == 2 and got.documents == {"entities": 2}
    assert len(got.keys["entities"]) == 2  # one task a document
    assert len(got.problems) == 2


def test_push_stops_before_connecting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    result = runner.invoke(app, ["push", str(corpus(tmp_path)), "--layers", "entities"])
    assert result.exit_code == 1, result.output
    assert "line 2: invalid JSON" in result.output and "b.txt" in result.output
    assert "not configured" not in result.output  # it never got as far as the server
    assert "Traceback" not in result.output


def test_a_file_given_as_labels_dir_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "labels").write_text("not a folder")
    result = runner.invoke(app, ["pull", "--labels-dir", "labels", "--layers", "entities"])
    assert result.exit_code == 1, result.output
    assert "labels" in result.output and "not a folder" in result.output
    assert result.output.strip().count("\n") <= 1 and "Traceback" not in result.output


def test_a_corrupt_pins_file_through_build_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pins = tmp_path / "pins.json"
    pins.write_text('{"layers": {"entities": [{"path": ')
    root = Path(__file__).resolve().parents[1]
    result = runner.invoke(
        app,
        [
            "build",
            "--articles",
            str(root / "data" / "articles"),
            "--pins",
            str(pins),
            "--dataset",
            "demo",
            "--version",
            "1.0.0",
            "--card",
            str(root / "dataset_card.md"),
            "--out",
            str(tmp_path / "releases"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "pins.json" in result.output and "invalid JSON" in result.output
    assert "pull again" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "releases").exists()
