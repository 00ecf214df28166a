"""`--predictors` reads the same in push, tasks and evaluate (one parser,
annotate.cli._options.predictor_list): names with white space around them, 'none' for
no predictor, and an unknown name named with the closest known one."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.cli._errors import DEBUG_ENV
from annotate.labelstudio.push_stream import StreamedPush
from tests.conftest import ARTICLE, ROOT

runner = CliRunner()

# value given -> the predictors the library is asked to run
FORMS = [
    ("entities.rules", ["entities.rules"]),
    ("entities.rules, claims.cues", ["entities.rules", "claims.cues"]),
    ("entities.rules,\tclaims.cues\n", ["entities.rules", "claims.cues"]),
    (" entities.rules ,, claims.cues,entities.rules", ["entities.rules", "claims.cues"]),
    ("none", []),
    (" none ", []),
    ("None", []),
    ("", []),
]


def _pushed(monkeypatch: pytest.MonkeyPatch, value: str) -> Any:
    """What `annotate push --predictors value` passes to push_corpus (not run)."""
    from annotate.labelstudio import push_stream

    seen: dict[str, Any] = {}

    def fake_push_corpus(corpus: Any, **options: Any) -> StreamedPush:
        seen.update(options)
        return StreamedPush([], [])

    monkeypatch.setattr(push_stream, "push_corpus", fake_push_corpus)
    monkeypatch.chdir(ROOT)  # the repository's annotate.toml
    result = runner.invoke(app, ["push", str(ARTICLE), "--predictors", value], env={DEBUG_ENV: ""})
    return seen.get("predictors"), result


def _tasks(monkeypatch: pytest.MonkeyPatch, value: str) -> Any:
    """What `annotate tasks --predictors value` passes to write_tasks (not run)."""
    from annotate.labelstudio import task_files

    seen: dict[str, Any] = {}

    def fake_write_tasks(corpus: Any, **options: Any) -> Any:
        seen.update(options)
        return SimpleNamespace(files=[], tasks=0, documents=0)

    monkeypatch.setattr(task_files, "write_tasks", fake_write_tasks)
    result = runner.invoke(app, ["tasks", str(ARTICLE), "--predictors", value], env={DEBUG_ENV: ""})
    return seen.get("predictors"), result


@pytest.mark.parametrize(("value", "expected"), FORMS)
def test_push_reads_every_form(monkeypatch: pytest.MonkeyPatch, value: str, expected: list) -> None:
    got, result = _pushed(monkeypatch, value)
    assert result.exit_code == 0, result.output
    assert got == expected


@pytest.mark.parametrize(("value", "expected"), FORMS)
def test_tasks_reads_every_form(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: list
) -> None:
    got, result = _tasks(monkeypatch, value)
    assert result.exit_code == 0, result.output
    assert got == expected


def test_push_without_the_option_runs_the_projects_predictors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from annotate.project import current_project

    monkeypatch.chdir(ROOT)
    wanted = list(current_project().predictors)
    from annotate.labelstudio import push_stream

    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        push_stream, "push_corpus", lambda c, **o: seen.update(o) or StreamedPush([], [])
    )
    result = runner.invoke(app, ["push", str(ARTICLE)], env={DEBUG_ENV: ""})
    assert result.exit_code == 0, result.output
    assert seen["predictors"] == wanted and wanted


@pytest.mark.parametrize("command", [_pushed, _tasks])
def test_an_unknown_predictor_is_named_with_the_closest_known_one(
    monkeypatch: pytest.MonkeyPatch, command: Any
) -> None:
    got, result = command(monkeypatch, "entities.rules, entities.rule")
    assert result.exit_code == 2, result.output  # bad usage
    assert got is None  # nothing was run
    assert "unknown predictor 'entities.rule'; known: " in result.output  # the known ones
    assert "did you mean 'entities.rules'?" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [_pushed, _tasks])
def test_none_beside_a_predictor_is_refused(monkeypatch: pytest.MonkeyPatch, command: Any) -> None:
    got, result = command(monkeypatch, "none,entities.rules")
    assert result.exit_code == 2, result.output  # bad usage
    assert got is None
    assert "'none' is not a predictor" in result.output
    assert "--predictors none alone" in result.output


def test_evaluate_reads_the_same_forms() -> None:
    result = runner.invoke(
        app,
        ["evaluate", "--predictors", "entities.rule", "--layers", "entities"],
        env={DEBUG_ENV: ""},
    )
    assert result.exit_code == 2, result.output
    assert "did you mean 'entities.rules'?" in result.output
