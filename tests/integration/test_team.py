"""Annotation by a team against a real Label Studio (issue 14, items 1–2): push with
--annotators-per-task sets the project's overlap (checked through the projects API, and
idempotent), two annotators submit different versions, `status` counts them, and the
pulled exports give `agreement` its disagreement."""

from __future__ import annotations

import json

import pytest
from standins.submit import submit_records
from typer.testing import CliRunner

from annotate.agreement import agreement_report
from annotate.cli import app
from annotate.labelstudio import client as ls
from annotate.labelstudio.sync import project_title, pull, push, status
from annotate.labelstudio.team import TeamSettings
from annotate.model import Annotation, Span, task_key
from annotate.pipeline import gold_set

pytestmark = pytest.mark.integration


def _span(doc, text: str, label: str, occurrence: int = 1) -> Span:
    pos = -1
    for _ in range(occurrence):
        pos = doc.text.index(text, pos + 1)
    return Span(f"{label}-{pos}", pos, pos + len(text), text, label)


def _record(doc, para: int, spans: list[Span]) -> Annotation:
    p = doc.paragraphs[para]
    return Annotation(
        layer="entities",
        doc_id=doc.id,
        task_key=task_key(doc.id, "entities", p.start, p.end),
        segment_start=p.start,
        segment_end=p.end,
        annotator="x",
        spans=spans,
    )


def test_overlap_status_and_agreement(
    ls_server, ls_client, ls_run_id, article, tmp_path, monkeypatch
):
    prefix = f"overlap-{ls_run_id}"  # not team-…: test_team_review uses that one
    creds = {"url": ls_server["url"], "api_key": ls_server["api_key"]}
    team = TeamSettings(annotators_per_task=2, show_predictions=False)
    [first] = push([article], layers=["entities"], prefix=prefix, team=team, **creds)
    assert first.settings_changed == [
        "maximum_annotations",
        "show_collab_predictions",
    ]  # a new project has 1 and True; overlap 100 % and show_overlap_first off are defaults
    project = ls_client.projects.get(first.project_id)
    assert project.maximum_annotations == 2
    assert project.overlap_cohort_percentage == 100
    assert project.show_collab_predictions is False
    [again] = push([article], layers=["entities"], prefix=prefix, team=team, **creds)
    assert again.settings_changed == [] and again.tasks_created == 0

    # A marks "Sam Altman" and "OpenAI" in paragraph 1 and annotates paragraph 2;
    # B marks "Sam Altman" only in paragraph 1 and skips paragraph 2
    seg_texts = {
        task_key(article.id, "entities", p.start, p.end): p.slice(article.text)
        for p in article.paragraphs
    }
    altman, openai = _span(article, "Sam Altman", "PER"), _span(article, "OpenAI", "ORG", 2)
    para2 = article.paragraphs[2]
    a_recs = [_record(article, 1, [altman, openai]), _record(article, 2, [])]
    b_recs = [_record(article, 1, [altman])]
    for who, recs in (("a", a_recs), ("b", b_recs)):
        submitted = submit_records(
            recs,
            layer="entities",
            annotator_email=f"{who}-{prefix}@annotate.local",
            segment_texts=seg_texts,
            prefix=prefix,
            **creds,
        )
        assert submitted.submitted == len(recs)
    b_user = ls.ensure_user(ls_client, email=f"b-{prefix}@annotate.local")
    skipped_task = ls.existing_task_keys(ls_client, first.project_id)[
        task_key(article.id, "entities", para2.start, para2.end)
    ]
    ls_client.annotations.create(skipped_task, result=[], was_cancelled=True, completed_by=b_user)

    [layer] = status(layers=["entities"], prefix=prefix, **creds)
    assert (layer.tasks, layer.annotators_per_task) == (8, 2)
    # paragraph 1: 2 submitted; paragraph 2: 1 submitted (A) and B's skip; 6 untouched
    assert layer.by_annotations == {0: 6, 1: 1, 2: 1}
    assert (layer.skipped, layer.done, layer.remaining) == (1, 1, 7)
    people = {a.name: (a.submitted, a.skipped) for a in layer.annotators}
    assert people == {f"a-{prefix}": (2, 0), f"b-{prefix}": (1, 1)}
    assert all(a.last_activity for a in layer.annotators)

    # the same through the CLI, as JSON
    monkeypatch.setenv("LABEL_STUDIO_URL", creds["url"])
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", creds["api_key"])
    shown = CliRunner().invoke(
        app, ["status", "--layers", "entities", "--prefix", prefix, "--json"]
    )
    assert shown.exit_code == 0, shown.output
    [as_json] = json.loads(shown.output)
    assert as_json["tasks_by_annotations"] == {"0": 6, "1": 1, "2": 1}
    assert as_json["remaining"] == 7

    # pulled, the two versions of paragraph 1 disagree on "OpenAI" only
    labels = tmp_path / "labels"
    pull(layers=["entities"], labels_dir=labels, prefix=prefix, **creds)
    gold = gold_set(articles=[article], pins=labels / f"{prefix}.pins.json")
    report = agreement_report(gold.records)
    [dispute] = report.disagreements
    assert (dispute.start, dispute.end, dispute.kind) == (openai.start, openai.end, "span")
    [pair] = report.pairs
    # A against B, exact: tp = 1 (Sam Altman), fp = 0, fn = 1 (OpenAI) → F1 = 2/3
    assert pair.f1("exact") == pytest.approx(2 / 3)

    # a new overlap: half of the tasks get three annotators, shown first
    wider = TeamSettings(annotators_per_task=3, overlap=50, sampling="uniform")
    [changed] = push([article], layers=["entities"], prefix=prefix, team=wider, **creds)
    assert changed.settings_changed == [
        "maximum_annotations",
        "overlap_cohort_percentage",
        "sampling",
        "show_overlap_first",
    ]
    project = ls_client.projects.get(first.project_id)
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (3, 50)
    assert (project.sampling, project.show_overlap_first) == ("Uniform sampling", True)
    assert project.title == project_title(prefix, "entities")
