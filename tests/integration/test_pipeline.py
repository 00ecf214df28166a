"""End to end against a real Label Studio: article → push → annotate (API) → pull →
validate → build → datasets.load_dataset."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from standins.submit import submit_records

from annotate.labelstudio import client as ls
from annotate.labelstudio.sync import project_title, pull, push
from annotate.model import Annotation, Relation, Span, task_key
from annotate.pins import read_pins
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.validate import validate_exports
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def _span(doc, ident: str, text: str, label: str, occurrence: int = 1, **attrs) -> Span:
    pos = -1
    for _ in range(occurrence):
        pos = doc.text.index(text, pos + 1)
    return Span(ident, pos, pos + len(text), text, label, attrs=attrs)


def _record(doc, layer: str, para: int, spans, relations=(), judgement=None) -> Annotation:
    p = doc.paragraphs[para]
    return Annotation(
        layer=layer,
        doc_id=doc.id,
        task_key=task_key(doc.id, layer, p.start, p.end),
        segment_start=p.start,
        segment_end=p.end,
        annotator="tester",
        spans=list(spans),
        relations=list(relations),
        judgement=judgement,
    )


@pytest.fixture(scope="module")
def pushed(ls_server, ls_run_id, article):
    prefix = f"test-{ls_run_id}"
    first = push(
        [article],
        layers=["entities", "claims", "translation_errors"],
        prefix=prefix,
        url=ls_server["url"],
        api_key=ls_server["api_key"],
    )
    second = push(
        [article],
        layers=["entities", "claims", "translation_errors"],
        prefix=prefix,
        url=ls_server["url"],
        api_key=ls_server["api_key"],
    )
    return prefix, first, second


def test_push_creates_one_project_per_layer_and_is_idempotent(pushed, ls_client) -> None:
    prefix, first, second = pushed
    assert [r.layer for r in first] == ["entities", "claims", "translation_errors"]
    assert all(r.created_project and r.tasks_created == 8 and r.tasks_skipped == 0 for r in first)
    assert all(
        not r.created_project and r.tasks_created == 0 and r.tasks_skipped == 8 for r in second
    )
    for r in first:
        keys = ls.existing_task_keys(ls_client, r.project_id)
        assert len(keys) == 8
    # the server accepted the generated config with the guidelines as instructions
    project = ls_client.projects.get(first[1].project_id)
    assert "attributed_to" in project.label_config
    assert project.title == project_title(prefix, "claims")
    assert "Claims" in (project.expert_instruction or "")


def test_annotation_submitted_through_the_api_comes_back_validated(
    pushed, ls_server, article, tmp_path: Path
) -> None:
    prefix, _first, _second = pushed
    creds = {"url": ls_server["url"], "api_key": ls_server["api_key"]}
    seg_texts = {
        task_key(article.id, layer, p.start, p.end): p.slice(article.text)
        for layer in ("entities", "claims", "translation_errors")
        for p in article.paragraphs
    }
    ents = _record(
        article,
        "entities",
        1,
        [
            _span(article, "e1", "Sam Altman", "PER", kb_id="Q7407093"),
            _span(article, "e2", "OpenAI", "ORG", occurrence=2),
        ],
    )
    claim = _span(
        article,
        "c1",
        "le projet pourrait atteindre 100 milliards de dollars",
        "CLAIM",
        claim_type="quantity",
        modality="hedged",
        checkworthy="yes",
    )
    source = _span(article, "s1", "The Information", "SOURCE")
    claims = _record(article, "claims", 1, [claim, source], [Relation("c1", "s1", "attributed_to")])
    err = _span(
        article,
        "t1",
        "100 $. milliard",
        "locale/currency-format",
        severity="major",
        correction="100 milliards de dollars",
    )
    errors = [
        _record(article, "translation_errors", 0, [err], judgement="errors"),
        _record(article, "translation_errors", 4, [], judgement="no-error"),
    ]
    email = f"annotator-{prefix}@annotate.local"
    for layer, recs in (("entities", [ents]), ("claims", [claims]), ("translation_errors", errors)):
        res = submit_records(
            recs,
            layer=layer,
            annotator_email=email,
            segment_texts=seg_texts,
            prefix=prefix,
            **creds,
        )
        assert res.submitted == len(recs)
        again = submit_records(
            recs,
            layer=layer,
            annotator_email=email,
            segment_texts=seg_texts,
            prefix=prefix,
            **creds,
        )
        assert (again.submitted, again.skipped) == (0, len(recs))

    labels = tmp_path / "labels"
    pulled = pull(
        layers=["entities", "claims", "translation_errors"],
        labels_dir=labels,
        prefix=prefix,
        **creds,
    )
    assert all(r.new_file and r.tasks == 8 for r in pulled)
    assert [p.layer for p in read_pins(labels / f"{prefix}.pins.json")] == [
        "claims",
        "entities",
        "translation_errors",
    ]
    for r in pulled:  # raw exports are content-addressed and what the server wrote
        assert r.path.name == f"{r.sha256}.json"
        assert isinstance(json.loads(r.path.read_bytes()), list)

    report = validate_exports([r.path for r in pulled], {article.id: article})
    assert report.ok, [str(i) for i in report.errors]
    counts = report.counts()
    assert counts["valid"] == 4
    assert counts["balanced"]  # the 20 tasks nobody annotated are counted as skipped
    by_layer = {rec.layer: rec for rec in report.valid}
    got = {(s.start, s.end, s.text, s.label) for s in by_layer["entities"].spans}
    assert got == {(s.start, s.end, s.text, s.label) for s in ents.spans}
    for rec in report.valid:  # offsets are document offsets
        for s in rec.spans:
            assert article.text[s.start : s.end] == s.text
    (c,) = [s for s in by_layer["claims"].spans if s.label == "CLAIM"]
    assert c.attrs == {"claim_type": "quantity", "modality": "hedged", "checkworthy": "yes"}
    assert [(r.from_id, r.to_id) for r in by_layer["claims"].relations] == [
        (c.id, next(s.id for s in by_layer["claims"].spans if s.label == "SOURCE"))
    ]
    judgements = sorted(
        rec.judgement or "" for rec in report.valid if rec.layer == "translation_errors"
    )
    assert judgements == ["errors", "no-error"]

    # … and on to a release that `datasets` loads
    result = build_release(
        gold_set(articles=ROOT / "data" / "articles", pins=labels / f"{prefix}.pins.json"),
        out=tmp_path / "releases",
        dataset="test",
        version="0.1.0",
        card_template=ROOT / "dataset_card.md",
    )
    ds = datasets.load_dataset(str(result.path), "entities", split="train")
    assert sorted(ds["span_text"]) == ["OpenAI", "Sam Altman"]
    mqm = datasets.load_dataset(str(result.path), "translation_errors", split="train")
    assert mqm[0]["span_text"] == "100 $. milliard"
    assert mqm.features["severity"].int2str(mqm[0]["severity"]) == "major"
