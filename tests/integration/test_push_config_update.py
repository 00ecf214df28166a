"""A push after the labeling config changed (hotkeys, required judgement, the notice line,
room for relation labels) brings an existing project's config up to date without adding a
task — also when the project's tasks were imported before their data had a ``notice`` —
and a second push changes nothing. Against a real Label Studio."""

from __future__ import annotations

import re
from typing import Any

import pytest

from annotate.corpus import read_articles
from annotate.labelstudio import client as ls
from annotate.labelstudio import projects as ls_projects
from annotate.labelstudio.sync import push
from annotate.labelstudio.tasks import KEY_FIELD, make_tasks
from annotate.layers import get_layer
from annotate.layers.labeling import NOTICE_FIELD
from annotate.model import Relation, Span
from tests.conftest import ARTICLE

pytestmark = pytest.mark.integration

LAYER = "claims"


def _old_config() -> str:
    """The config as pushes before this change made it: no hotkeys, no required choice,
    no notice line, no style."""
    config = get_layer(LAYER).label_config()
    config = re.sub(r' (hotkey|required|requiredMessage)="[^"]*"', "", config)
    config = re.sub(r'\s*<Header value="\$notice"[^>]*/>', "", config)
    return re.sub(r"\s*<Style>.*?</Style>", "", config, flags=re.S)


def _project(client: Any, project_id: int) -> Any:
    return client.projects.get(project_id)


def test_push_updates_an_old_projects_config_and_adds_no_task(
    ls_server: dict[str, str], ls_client: Any, ls_run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = next(iter(read_articles(ARTICLE)))
    prefix = f"config-{ls_run_id}"
    title = f"{prefix} · {get_layer(LAYER).taxonomy.title}"
    old_tasks = make_tasks([doc], LAYER)
    for t in old_tasks:
        del t["data"][NOTICE_FIELD]  # imported before tasks had one
    # an arrow, as annotators drew them with the old config
    text = doc.paragraphs[1].slice(doc.text)
    spans = [Span("s1", 0, 13, text[0:13], "SOURCE"), Span("c1", 40, 60, text[40:60], "CLAIM")]
    result = get_layer(LAYER).to_ls_result(spans, [], segment_text=text)
    result.append(
        {"from_id": "c1", "to_id": "s1", "type": "relation", "direction": "right",
         "labels": ["attributed_to"]}
    )  # fmt: skip
    project_id, _ = ls.ensure_project(ls_client, title=title, label_config=_old_config())
    try:
        ls.import_tasks(ls_client, project_id, old_tasks, key_field=KEY_FIELD)
        task = next(
            t for t in ls_client.tasks.list(project=project_id) if t.data["segment_index"] == 1
        )
        ls_client.annotations.create(id=task.id, result=result)

        updates: list[dict[str, Any]] = []
        real_update = ls_projects.update_project

        def counted(client: Any, project: int, fields: dict[str, Any]) -> None:
            updates.append(fields)
            real_update(client, project, fields)

        monkeypatch.setattr(ls_projects, "update_project", counted)
        (first,) = push(
            [doc], layers=[LAYER], prefix=prefix, url=ls_server["url"], api_key=ls_server["api_key"]
        )
        assert (first.project_id, first.created_project) == (project_id, False)
        assert (first.tasks_created, first.tasks_skipped) == (0, len(old_tasks))
        assert _project(ls_client, project_id).label_config == get_layer(LAYER).label_config()

        assert len(updates) == 1 and "label_config" in updates[0]  # the old config replaced
        updates.clear()
        (second,) = push(
            [doc], layers=[LAYER], prefix=prefix, url=ls_server["url"], api_key=ls_server["api_key"]
        )
        assert (second.tasks_created, second.tasks_skipped) == (0, len(old_tasks))
        assert updates == []  # the config is up to date: nothing sent
        # the annotator's labelled arrow still reads as attributed_to
        (annotation,) = ls_client.annotations.list(id=task.id)
        back = get_layer(LAYER).from_ls_result(
            annotation.result, segment_start=0, segment_text=text
        )
        assert back.relations == [Relation("c1", "s1", "attributed_to")]
    finally:
        ls_client.projects.delete(project_id)
