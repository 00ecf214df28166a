"""Issue 16, "push imports shards in batches", against a real Label Studio: a push of a
corpus sharded into several .jsonl / .jsonl.gz files streams (the first tasks are sent
before most of the corpus is made into tasks, predictions included), imports each task
once, and a rerun adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from annotate.cli import app
from annotate.labelstudio import client as ls
from annotate.labelstudio import rest
from annotate.labelstudio import tasks as task_module
from annotate.labelstudio.sync import project_title
from tests.engine.corpus_shards import write_corpus_shards

pytestmark = pytest.mark.integration

runner = CliRunner()
DOCUMENTS = 150  # in 3 shards (one gzipped); a heading and a paragraph each: 300 tasks


@pytest.fixture
def server_env(ls_server: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server["url"])
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server["api_key"])


def test_a_sharded_corpus_streams_into_the_project_each_task_once(
    server_env: None,
    ls_client: LabelStudio,
    ls_run_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = write_corpus_shards(tmp_path / "corpus", DOCUMENTS, per_shard=50)
    assert len(list(corpus.iterdir())) == 3
    prefix = f"stream-{ls_run_id}"
    args = ["push", str(corpus), "--layers", "entities", "--prefix", prefix]
    args += ["--predictors", "entities.rules", "--jobs", "1", "--no-cache"]

    made = {"tasks": 0, "at_first_import": -1}
    real_data, real_post = task_module.task_data, ls._post_tasks

    def counted_data(*a: Any, **k: Any) -> Any:
        made["tasks"] += 1
        return real_data(*a, **k)

    def first_post(*a: Any, **k: Any) -> Any:
        if made["at_first_import"] < 0:
            made["at_first_import"] = made["tasks"]
        return real_post(*a, **k)

    monkeypatch.setattr(task_module, "task_data", counted_data)
    monkeypatch.setattr(ls, "_post_tasks", first_post)
    monkeypatch.setattr(ls, "IMPORT_BATCH_SIZE", 40)
    first = runner.invoke(app, args)
    project_id = ls.find_project(ls_client, title=project_title(prefix, "entities"))
    try:
        assert first.exit_code == 0, first.output
        assert made["tasks"] == 2 * DOCUMENTS
        # the first batch went out long before the corpus was made into tasks
        assert 0 < made["at_first_import"] < DOCUMENTS
        assert project_id is not None
        keys, count = ls.task_keys(ls_client, project_id)
        assert count == 2 * DOCUMENTS and len(keys) == count  # each task once
        assert all(len(ids) == 1 for ids in keys.values())
        with_predictions = [
            t for t in ls_client.tasks.list(project=project_id, fields="all") if t.predictions
        ]
        assert with_predictions  # predictions computed batch by batch came along

        again = runner.invoke(app, args)
        assert again.exit_code == 0, again.output
        assert ls.task_keys(ls_client, project_id)[1] == 2 * DOCUMENTS  # a rerun adds nothing
        assert "300" in again.output  # … every task was already there
    finally:
        if project_id is not None:
            ls_client.projects.delete(project_id)


def test_task_shards_of_annotate_tasks_push_as_they_are(
    server_env: None, ls_client: LabelStudio, ls_run_id: str, tmp_path: Path
) -> None:
    corpus = write_corpus_shards(tmp_path / "corpus", DOCUMENTS, per_shard=50)
    out = ["--jobs", "1", "--no-cache", "--out-dir", str(tmp_path / "tasks"), "--shard-size", "70"]
    made = runner.invoke(
        app,
        ["tasks", str(corpus), "--layer", "entities", "--predictors", "entities.rules", *out],
    )
    assert made.exit_code == 0, made.output
    assert len(list((tmp_path / "tasks").glob("tasks-*.json"))) == 5
    prefix = f"shards-{ls_run_id}"
    push = ["push", str(tmp_path / "tasks"), "--tasks", "--layers", "entities", "--prefix", prefix]
    first = runner.invoke(app, push)
    project_id = ls.find_project(ls_client, title=project_title(prefix, "entities"))
    try:
        assert first.exit_code == 0, first.output
        assert project_id is not None
        keys, count = ls.task_keys(ls_client, project_id)
        assert count == 2 * DOCUMENTS and len(keys) == count
        assert any(t.predictions for t in ls_client.tasks.list(project=project_id, fields="all"))
        again = runner.invoke(app, push)
        assert again.exit_code == 0, again.output
        # the articles themselves make the same tasks: a push of them adds nothing either
        articles = ["push", str(corpus), "--layers", "entities", "--prefix", prefix]
        same = runner.invoke(app, [*articles, "--predictors", "none"])
        assert same.exit_code == 0, same.output
        assert ls.task_keys(ls_client, project_id)[1] == 2 * DOCUMENTS
    finally:
        if project_id is not None:
            ls_client.projects.delete(project_id)


def test_a_failure_mid_stream_says_how_far_it_got_and_a_rerun_completes_it(
    server_env: None,
    ls_client: LabelStudio,
    ls_run_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    from annotate.errors import LabelStudioError
    from annotate.labelstudio.push_stream import push_corpus

    corpus = write_corpus_shards(tmp_path / "corpus", 60, per_shard=20)  # 120 tasks
    prefix = f"fail-{ls_run_id}"
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    real_post, calls = ls._post_tasks, {"n": 0}

    def down_after_two(*a: Any, **k: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 2:
            raise httpx.ConnectError("connection refused")
        return real_post(*a, **k)

    monkeypatch.setattr(ls, "_post_tasks", down_after_two)
    with pytest.raises(LabelStudioError) as caught:
        push_corpus(corpus, layers=["entities"], prefix=prefix, batch_size=25)
    monkeypatch.setattr(ls, "_post_tasks", real_post)
    project_id = ls.find_project(ls_client, title=project_title(prefix, "entities"))
    try:
        message = str(caught.value)
        assert "50 of 120 new tasks were imported before the failure" in message
        assert "rerun the same push" in message
        again = push_corpus(corpus, layers=["entities"], prefix=prefix, batch_size=25)
        assert [(r.tasks_created, r.tasks_skipped) for r in again.results] == [(70, 50)]
        assert project_id is not None and ls.task_keys(ls_client, project_id)[1] == 120
    finally:
        if project_id is not None:
            ls_client.projects.delete(project_id)
