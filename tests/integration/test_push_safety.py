"""Issue 13, defects 2 and 7, against a real Label Studio: two pushes racing can't
duplicate a task; a failure during the import says how far it got and that a rerun
completes it, and the listing after a failed import is part of the import's retry loop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from label_studio_sdk import LabelStudio

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls
from annotate.labelstudio import rest
from annotate.labelstudio.sync import project_title
from tests.integration.test_labelstudio_client import LABEL_CONFIG, task

pytestmark = pytest.mark.integration

# Runs `annotate push` in a process of its own. Its first listing of a project's tasks
# waits (after listing) until the other process has listed too, so that both import keys
# neither saw: the race of defect 2, every time rather than now and then.
DRIVER = """
import sys, time
from pathlib import Path
from annotate.labelstudio import client as ls

me, other = Path(sys.argv[1]), Path(sys.argv[2])
name = "task_keys" if hasattr(ls, "task_keys") else "existing_task_keys"
listing = getattr(ls, name)
state = {"first": True}

def listed_then_wait(*args, **kwargs):
    out = listing(*args, **kwargs)
    if state["first"]:
        state["first"] = False
        me.touch()
        deadline = time.monotonic() + 120
        while not other.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return out

setattr(ls, name, listed_then_wait)
from annotate.cli import app
app(sys.argv[3:], prog_name="annotate")
"""


def _corpus(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"text": f"Paragraphe {i} : Alice rencontre Bob à Paris.", "lang": "fr"})
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_pushes_racing_leave_one_task_per_key(
    ls_server: dict[str, str], ls_client: LabelStudio, ls_run_id: str, tmp_path: Path
) -> None:
    corpus = _corpus(tmp_path, 120)
    prefix = f"race-{ls_run_id}"
    env = {
        **os.environ,
        "LABEL_STUDIO_URL": ls_server["url"],
        "LABEL_STUDIO_API_KEY": ls_server["api_key"],
    }
    marks = [tmp_path / "a.listed", tmp_path / "b.listed"]
    args = ["push", str(corpus), "--layers", "entities", "--prefix", prefix]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(me), str(other), *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other in (marks, marks[::-1])
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    title = project_title(prefix, "entities")
    projects = [p for p in ls_client.projects.list(title=title) if p.title == title]
    try:
        for p, (out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, out + err
        assert all(m.exists() for m in marks)  # both listed before either imported
        assert len(projects) == 1
        assert len(ls.existing_task_keys(ls_client, projects[0].id)) == 120
        assert ls_client.projects.get(projects[0].id).task_number == 120
    finally:
        for project in projects:
            ls_client.projects.delete(project.id)


@pytest.fixture
def project(ls_client: LabelStudio, ls_run_id: str, request: pytest.FixtureRequest) -> Any:
    title = f"safe {ls_run_id} {request.node.name}"[:50]
    project_id, _ = ls.ensure_project(ls_client, title=title, label_config=LABEL_CONFIG)
    yield project_id
    ls_client.projects.delete(project_id)


def _failing_after(real: Any, *, ok_calls: int, error: Exception, times: int) -> Any:
    """`real` that answers `ok_calls` times, then raises `error` `times` times, then answers."""
    calls = {"n": 0}

    def call(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if ok_calls < calls["n"] <= ok_calls + times:
            raise error
        return real(*args, **kwargs)

    return call


def _failing_listing(
    monkeypatch: pytest.MonkeyPatch, *, ok_calls: int, error: Exception, times: int
) -> None:
    """The task listing (GET api/tasks/) answers `ok_calls` times, then fails `times` times."""
    real = rest.Api.call
    failing = _failing_after(real, ok_calls=ok_calls, error=error, times=times)

    def call(self: rest.Api, method: str, path: str, **options: Any) -> Any:
        listing = method == "GET" and path == "api/tasks/"
        return (failing if listing else real)(self, method, path, **options)

    monkeypatch.setattr(rest.Api, "call", call)


def test_a_listing_that_fails_after_a_failed_import_is_retried_with_it(
    ls_client: LabelStudio, project: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    real_import = ls._post_tasks

    def committed_then_lost(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(ls, "_post_tasks", real_import)
        real_import(*args, **kwargs)
        raise httpx.ReadTimeout("the answer was lost")

    monkeypatch.setattr(ls, "_post_tasks", committed_then_lost)
    down = httpx.ConnectError("connection refused")
    _failing_listing(monkeypatch, ok_calls=1, error=down, times=2)
    tasks = [task(f"l{i}", f"Listing {i}.") for i in range(4)]
    result = ls.import_tasks(ls_client, project, tasks, batch_size=2)
    assert (result.created, result.skipped) == (4, 0)
    assert sorted(ls.existing_task_keys(ls_client, project)) == ["l0", "l1", "l2", "l3"]


def test_a_failed_import_says_how_many_were_imported_and_that_a_rerun_completes_it(
    ls_client: LabelStudio, project: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    # the first batch goes through; then the server stops answering, listings included
    down = httpx.ConnectError("connection refused")
    monkeypatch.setattr(
        ls,
        "_post_tasks",
        _failing_after(ls._post_tasks, ok_calls=1, error=down, times=99),
    )
    _failing_listing(monkeypatch, ok_calls=1, error=down, times=99)
    tasks = [task(f"f{i}", f"Failure {i}.") for i in range(5)]
    with pytest.raises(LabelStudioError) as caught:
        ls.import_tasks(ls_client, project, tasks, batch_size=2)
    message = str(caught.value)
    assert "importing 2 tasks" in message
    assert "2 of 5 new tasks were imported before the failure" in message
    assert "rerun the same push" in message and "without duplicates" in message

    monkeypatch.undo()
    again = ls.import_tasks(ls_client, project, tasks, batch_size=2)
    assert (again.created, again.skipped) == (3, 2)
    assert ls_client.projects.get(project).task_number == 5


def test_a_failed_first_listing_says_nothing_was_imported(
    ls_client: LabelStudio, project: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    down = httpx.ConnectError("connection refused")
    _failing_listing(monkeypatch, ok_calls=0, error=down, times=99)
    with pytest.raises(LabelStudioError) as caught:
        ls.import_tasks(ls_client, project, [task("x", "X.")])
    assert "0 of 1 new tasks were imported" in str(caught.value)
    assert "rerun the same push" in str(caught.value)


def test_skip_invalid_pushes_the_good_articles_and_exits_1_with_the_list(
    ls_server: dict[str, str],
    ls_client: LabelStudio,
    ls_run_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from annotate.cli import app

    folder = tmp_path / "articles"
    folder.mkdir()
    good = json.dumps({"text": "Alice rencontre Bob à Paris.", "lang": "fr"})
    (folder / "a.jsonl").write_text(f'{good}\n{{"text": \n', encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\xff not UTF-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server["url"])
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server["api_key"])
    prefix = f"skip-{ls_run_id}"
    args = ["push", str(folder), "--layers", "entities", "--prefix", prefix]
    title = project_title(prefix, "entities")

    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1, refused.output
    assert "line 2" in refused.output and "b.txt" in refused.output
    assert ls.find_project(ls_client, title=title) is None  # nothing was pushed

    result = CliRunner().invoke(app, [*args, "--skip-invalid"])
    project_id = ls.find_project(ls_client, title=title)
    try:
        assert result.exit_code == 1, result.output
        assert "line 2" in result.output and "b.txt" in result.output
        assert project_id is not None
        assert ls_client.projects.get(project_id).task_number == 1
    finally:
        if project_id is not None:
            ls_client.projects.delete(project_id)
