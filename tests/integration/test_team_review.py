"""Issue 14's acceptance against the real server: two annotators submit different versions
of the same tasks, their disagreements are listed and measured, `review` makes the
adjudication projects with both versions as predictions, the adjudicator submits, and
`pull --review` + `build` publish a gold whose provenance names each disputed span's
decision.

The versions (bundled article): entities, paragraph 1 — A: « Sam Altman » PER,
« The Information » ORG, « OpenAI » (2nd) ORG; B: « Sam Altman » PER, « OpenAI » PRODUCT.
MQM judgements of paragraphs 4, 5, 6 — A: no-error, no-error, errors (« co-fondateur »);
B: no-error, errors (« investissement … années »), errors (« co-fondateur »).
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from standins.submit import submit_records
from typer.testing import CliRunner

from annotate.agreement import agreement_report
from annotate.cli import app
from annotate.errors import ReleaseError
from annotate.labelstudio import client as ls
from annotate.labelstudio.review import review
from annotate.labelstudio.sync import project_title, pull, push, review_title
from annotate.labelstudio.team import TeamSettings, project_status
from annotate.model import Annotation, Document, Span, task_key
from annotate.names import pseudonym
from annotate.pins import read_annotators, read_pins
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from tests.conftest import ARTICLE

pytestmark = pytest.mark.integration

LAYERS = ["entities", "translation_errors"]
ENT_PARA = 1


def _span(doc: Document, text: str, label: str, occurrence: int = 1, **attrs: str) -> Span:
    pos = -1
    for _ in range(occurrence):
        pos = doc.text.index(text, pos + 1)
    return Span(f"{label[:3]}{pos}", pos, pos + len(text), text, label, attrs=dict(attrs))


def _rec(doc: Document, layer: str, para: int, spans: list[Span], judgement=None) -> Annotation:
    p = doc.paragraphs[para]
    return Annotation(
        layer=layer,
        doc_id=doc.id,
        task_key=task_key(doc.id, layer, p.start, p.end),
        segment_start=p.start,
        segment_end=p.end,
        annotator="stand-in",
        spans=spans,
        judgement=judgement,
    )


def _cofondateur(doc: Document) -> Span:
    return _span(
        doc, "co-fondateur", "fluency/spelling", severity="minor", correction="cofondateur"
    )


def _versions(doc: Document) -> dict[str, dict[str, list[Annotation]]]:
    per, info = _span(doc, "Sam Altman", "PER"), _span(doc, "The Information", "ORG")
    awkward = _span(
        doc,
        "investissement de plusieurs milliards de dollars sur plusieurs années",
        "style/awkward",
        severity="minor",
    )
    mqm = "translation_errors"
    return {
        "a": {
            "entities": [
                _rec(doc, "entities", ENT_PARA, [per, info, _span(doc, "OpenAI", "ORG", 2)])
            ],
            mqm: [
                _rec(doc, mqm, 4, [], "no-error"),
                _rec(doc, mqm, 5, [], "no-error"),
                _rec(doc, mqm, 6, [_cofondateur(doc)], "errors"),
            ],
        },
        "b": {
            "entities": [
                _rec(doc, "entities", ENT_PARA, [per, _span(doc, "OpenAI", "PRODUCT", 2)])
            ],
            mqm: [
                _rec(doc, mqm, 4, [], "no-error"),
                _rec(doc, mqm, 5, [awkward], "errors"),
                _rec(doc, mqm, 6, [_cofondateur(doc)], "errors"),
            ],
        },
        # the adjudicator: A's « The Information », B's PRODUCT; paragraph 5 has no error
        "adjudicator": {
            "entities": [
                _rec(doc, "entities", ENT_PARA, [per, info, _span(doc, "OpenAI", "PRODUCT", 2)])
            ],
            mqm: [_rec(doc, mqm, 5, [], "no-error")],
        },
    }


def _submit(records, layer, email, creds, prefix, doc, *, project=None):
    texts = {r.task_key: doc.text[r.segment_start : r.segment_end] for r in records}
    return submit_records(
        records,
        layer=layer,
        annotator_email=email,
        segment_texts=texts,
        prefix=prefix,
        project=project,
        only_present=project is not None,
        **creds,
    )


@pytest.fixture(scope="module")
def team(ls_server, ls_run_id, article, tmp_path_factory):
    """Pushed, annotated by two raters and pulled: (prefix, creds, labels, pins, users)."""
    prefix = f"team-{ls_run_id}"
    creds = {"url": ls_server["url"], "api_key": ls_server["api_key"]}
    push(
        [article],
        layers=LAYERS,
        prefix=prefix,
        team=TeamSettings(annotators_per_task=2, show_predictions=False),
        **creds,
    )
    users = {}
    for rater in ("a", "b"):
        email = f"rater-{rater}-{ls_run_id}@annotate.local"
        for layer, records in _versions(article)[rater].items():
            users[rater] = _submit(records, layer, email, creds, prefix, article).user_id
    labels = tmp_path_factory.mktemp("team-labels")
    pull(layers=LAYERS, labels_dir=labels, prefix=prefix, **creds)
    return prefix, creds, labels, labels / f"{prefix}.pins.json", users


def _names(pins: Path, users: dict[str, int]) -> dict[str, str]:
    handles = read_annotators(pins)
    return {rater: pseudonym(handles[str(uid)]) for rater, uid in users.items()}


def test_status_counts_the_tasks_both_raters_did(team, ls_client) -> None:
    prefix = team[0]
    entities = ls.find_project(ls_client, title=project_title(prefix, "entities"))
    assert entities is not None
    status = project_status(
        ls_client, layer="entities", project_id=entities, title=project_title(prefix, "entities")
    )
    # 8 paragraph tasks, two per task asked; both raters did paragraph 1 only
    assert (status.annotators_per_task, status.tasks, status.done) == (2, 8, 1)


def test_agreement_lists_the_disagreements_and_matches_the_hand_computed_figures(
    team, article, tmp_path
) -> None:
    _prefix, _creds, _labels, pins, _users = team
    gold = gold_set(articles=[article], pins=pins)
    report = agreement_report(gold.records)
    (ents,) = [p for p in report.pairs if p.layer == "entities"]
    # exact: only PER matches; A made 3, B 2 → P = 1/3 or 1/2, R the other; F1 = 2/5
    assert ents.f1("exact") == pytest.approx(0.4)
    # judgements A [no, no, err], B [no, err, err]: po = 2/3, pe = 2/3·1/3 + 1/3·2/3 = 4/9,
    # kappa = (2/3 − 4/9) / (1 − 4/9) = 2/5
    (judged,) = [
        c
        for c in report.choices()
        if c.layer == "translation_errors" and c.kappa is not None and c.items == 3
    ]
    assert judged.kappa == pytest.approx(0.4)
    kinds = sorted((d.layer, d.kind) for d in report.disagreements)
    assert kinds == [
        ("entities", "label"),
        ("entities", "span"),
        ("translation_errors", "judgement"),
        ("translation_errors", "span"),
    ]
    # two tasks have disputes and no adjudication yet: no silent consensus
    assert len(gold.needs_review()) == 2
    with pytest.raises(ReleaseError, match="annotate review"):
        build_release(gold, out=tmp_path, dataset="team", version="1.0.0")
    shown = CliRunner().invoke(
        app, ["agreement", "--articles", str(ARTICLE), "--pins", str(pins), "--json"]
    )
    assert shown.exit_code == 0, shown.output
    listed = json.loads(shown.stdout)["disagreements"]
    assert sorted((d["layer"], d["kind"]) for d in listed) == kinds


def test_review_makes_the_adjudication_tasks_with_both_versions_as_predictions(
    team, article, ls_client
) -> None:
    prefix, creds, _labels, pins, users = team
    gold = gold_set(articles=[article], pins=pins)
    first = review(gold, prefix=prefix, **creds)
    assert [(r.layer, r.disputed, r.tasks_created) for r in first] == [
        ("entities", 1, 1),
        ("translation_errors", 1, 1),
    ]
    again = review(gold, prefix=prefix, **creds)  # idempotent
    assert [(r.tasks_created, r.tasks_skipped) for r in again] == [(0, 1), (0, 1)]
    names = _names(pins, users)
    for r in first:
        project = ls_client.projects.get(r.project_id)
        assert project.title == review_title(prefix, r.layer)
        assert "$disagreements" in (project.label_config or "")
        (task,) = ls_client.tasks.list(project=r.project_id, fields="all")
        assert task.data["review"] is True and task.data["disagreements"]

        predictions = ls_client.predictions.list(task=task.id)
        assert sorted(p.model_version for p in predictions) == sorted(names.values())


def test_the_adjudication_pulled_is_the_gold_and_the_release_names_each_decision(
    team, article, ls_run_id, tmp_path
) -> None:
    prefix, creds, labels, pins, users = team
    gold = gold_set(articles=[article], pins=pins)
    review(gold, prefix=prefix, **creds)  # no-op when the test above ran
    email = f"adjudicator-{ls_run_id}@annotate.local"
    for layer, records in _versions(article)["adjudicator"].items():
        done = _submit(
            records, layer, email, creds, prefix, article, project=review_title(prefix, layer)
        )
        assert done.submitted + done.skipped == 1
    results = pull(layers=LAYERS, labels_dir=labels, prefix=prefix, review=True, **creds)
    assert all(r.pinned for r in results)
    assert sorted(p.project for p in read_pins(pins)) == sorted(
        [f"{prefix} · Named entities", f"{prefix} · Translation errors (MQM)"]
        + [review_title(prefix, layer) for layer in LAYERS]
    )
    gold = gold_set(articles=[article], pins=pins)
    assert gold.needs_review() == []
    built = build_release(gold, out=tmp_path, dataset="team", version="1.0.0", project_root=labels)
    names = _names(pins, users)
    a, b = names["a"], names["b"]
    segments = datasets.load_dataset(str(built.path), "segments", split="train")
    decided = {
        (row["layer"], p["span_text"], p["label"]): (p["decision"], p["raters"])
        for row in segments
        for p in row["provenance"]
        if p["decision"] != "kept"
    }
    assert decided == {
        ("entities", "The Information", "ORG"): ("chosen", [a]),
        ("entities", "OpenAI", "PRODUCT"): ("chosen", [b]),
        ("entities", "OpenAI", "ORG"): ("rejected", [a]),
        (
            "translation_errors",
            "investissement de plusieurs milliards de dollars sur plusieurs années",
            "style/awkward",
        ): ("rejected", [b]),
    }
    para5 = article.paragraphs[5]
    (judged,) = [
        r
        for r in segments
        if r["layer"] == "translation_errors" and r["segment_start"] == para5.start
    ]
    assert (judged["judgement"], judged["judgement_decision"]) == ("no-error", "chosen")
    rows = datasets.load_dataset(str(built.path), "annotations", split="train")
    assert {r["origin"] for r in rows} == {"annotation", "adjudication"}
    entities = datasets.load_dataset(str(built.path), "entities", split="train")
    label = entities.features["label"].int2str
    assert [label(r["label"]) for r in entities if r["span_text"] == "OpenAI"] == ["PRODUCT"]
