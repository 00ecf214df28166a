"""The CLI: every command documented with an example; bad usage exits 2 with the known names."""

from __future__ import annotations

import json
from typing import Any

import typer.main
from typer.testing import CliRunner

from annotate.cli import app
from tests.conftest import ARTICLE

runner = CliRunner()


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    out = {}
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out.update(_commands(cmd, f"{prefix}{name} "))
        else:
            out[f"{prefix}{name}"] = cmd
    return out


def test_every_command_has_help_with_an_example() -> None:
    commands = _commands(typer.main.get_group(app))
    assert {"ingest", "tasks", "push", "pull", "validate", "build", "schema check"} <= set(commands)
    for name, cmd in commands.items():
        assert cmd.help and "Example:" in cmd.help, f"`annotate {name}` has no example in its help"


def test_ingest_writes_documents(tmp_path) -> None:
    out = tmp_path / "docs.jsonl"
    result = runner.invoke(app, ["ingest", str(ARTICLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (doc,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert doc["id"].startswith("b32979745a7c") and len(doc["paragraphs"]) == 8


def test_tasks_command_makes_one_task_per_paragraph(tmp_path) -> None:
    out = tmp_path / "tasks.json"
    result = runner.invoke(app, ["tasks", str(ARTICLE), "--layer", "claims", "--out", str(out)])
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 8
    assert {t["data"]["layer"] for t in tasks} == {"claims"}
    assert len({t["data"]["task_key"] for t in tasks}) == 8


def test_unknown_layer_is_bad_usage() -> None:
    result = runner.invoke(app, ["tasks", str(ARTICLE), "--layer", "entity"])
    assert result.exit_code == 2
    assert "known layers: entities, claims, translation_errors" in result.output


def test_missing_article_fails_with_the_path() -> None:
    result = runner.invoke(app, ["ingest", "no/such/file.txt"])
    assert result.exit_code == 1
    assert "no/such/file.txt" in result.output
