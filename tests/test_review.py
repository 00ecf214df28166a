"""annotate review without a server (issue 14): the disagreement list, the review project's
tasks and config, and the gold that the review project's export makes, with per-span
provenance in the release. The server side is tests/integration/test_team_review.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import datasets
import pytest

from annotate.labelstudio.review import (
    DISAGREEMENTS_FIELD,
    REVIEW_FIELD,
    disagreements,
    review_config,
    review_tasks,
)
from annotate.labelstudio.tasks import task_data
from annotate.layers import get_layer
from annotate.model import Document, Span
from annotate.names import pseudonym
from annotate.pipeline import gold_set
from annotate.release.build import build_release

PARA = 1  # « … Sam Altman … OpenAI … The Information … »


def _span(doc: Document, text: str, label: str, occurrence: int = 1, **attrs: str) -> Span:
    pos = -1
    for _ in range(occurrence):
        pos = doc.text.index(text, pos + 1)
    return Span(f"{label}-{pos}", pos, pos + len(text), text, label, attrs=dict(attrs))


def _versions(doc: Document) -> dict[str, list[Span]]:
    # A and B agree on « Sam Altman » PER; A says « The Information » is ORG, B says
    # nothing; A marks « OpenAI » (2nd) ORG, B marks it PRODUCT.
    return {
        "7": [
            _span(doc, "Sam Altman", "PER"),
            _span(doc, "The Information", "ORG"),
            _span(doc, "OpenAI", "ORG", 2),
        ],
        "8": [_span(doc, "Sam Altman", "PER"), _span(doc, "OpenAI", "PRODUCT", 2)],
    }


def _annotation(ident: int, user: str, spans: list[Span], doc: Document) -> dict[str, object]:
    seg = doc.paragraphs[PARA]
    result = get_layer("entities").to_ls_result(
        spans, [], segment_start=seg.start, segment_text=seg.slice(doc.text)
    )
    return {
        "id": ident,
        "completed_by": int(user),
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2026-12-01T10:00:00.000000Z",
    }


@pytest.fixture
def annotated(tmp_path: Path, article: Document) -> tuple[Path, Document]:
    """The annotators' export: two raters' versions of one entities task."""
    seg = article.paragraphs[PARA]
    task = {
        "id": 1,
        "data": task_data(article, "entities", seg),
        "annotations": [
            _annotation(i + 1, user, spans, article)
            for i, (user, spans) in enumerate(_versions(article).items())
        ],
        "predictions": [],
    }
    path = tmp_path / "annotators.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    return path, article


def test_disagreements_list_each_raters_version_of_the_disputed_spans(annotated) -> None:
    path, doc = annotated
    gold = gold_set(articles=[doc], exports=[path])
    (dispute,) = disagreements(gold)
    assert dispute.where == f"paragraph {PARA}"
    a, b = pseudonym("7"), pseudonym("8")
    # « Sam Altman » is shared, so not listed; the two OpenAI versions are one region
    org = _span(doc, "OpenAI", "ORG", 2)
    info = _span(doc, "The Information", "ORG")
    assert dispute.lines == [
        f"label «OpenAI» [{org.start},{org.end}): {a}: ORG [{org.start},{org.end}) | "
        f"{b}: PRODUCT [{org.start},{org.end})",
        f"span «The Information» [{info.start},{info.end}): {a}: ORG [{info.start},{info.end})"
        f" | {b}: —",
    ]
    assert disagreements(gold, layers=["claims"]) == []


def test_review_tasks_hold_each_version_as_a_prediction_named_by_pseudonym(annotated) -> None:
    path, doc = annotated
    gold = gold_set(articles=[doc], exports=[path])
    (task,) = review_tasks(disagreements(gold), gold.documents)
    seg = doc.paragraphs[PARA]
    assert task["data"][REVIEW_FIELD] is True
    assert task["data"]["task_key"] == task_data(doc, "entities", seg)["task_key"]
    assert "The Information" in task["data"][DISAGREEMENTS_FIELD]
    versions = {p["model_version"]: p["result"] for p in task["predictions"]}
    assert set(versions) == {pseudonym("7"), pseudonym("8")}
    labels = {
        v: sorted(r["value"]["labels"][0] for r in result if "labels" in r["value"])
        for v, result in versions.items()
    }
    assert labels == {pseudonym("7"): ["ORG", "ORG", "PER"], pseudonym("8"): ["PER", "PRODUCT"]}


def test_review_config_is_the_layers_with_the_disagreements_shown() -> None:
    config = ET.fromstring(review_config("entities"))
    texts = {t.get("name"): t.get("value") for t in config.iter("Text")}
    assert texts == {"text": "$text", DISAGREEMENTS_FIELD: f"${DISAGREEMENTS_FIELD}"}
    layer = ET.fromstring(get_layer("entities").label_config())
    assert [e.get("value") for e in config.iter("Label")] == [
        e.get("value") for e in layer.iter("Label")
    ]


def test_the_review_projects_annotation_is_the_gold_with_provenance(
    annotated, tmp_path: Path
) -> None:
    path, doc = annotated
    gold = gold_set(articles=[doc], exports=[path])
    (task,) = review_tasks(disagreements(gold), gold.documents)
    # the adjudicator keeps A's « The Information » ORG, takes B's PRODUCT, adds nothing
    decided = [
        _span(doc, "Sam Altman", "PER"),
        _span(doc, "The Information", "ORG"),
        _span(doc, "OpenAI", "PRODUCT", 2),
    ]
    review_export = tmp_path / "review.json"
    review_export.write_text(
        json.dumps([{**task, "id": 2, "annotations": [_annotation(3, "9", decided, doc)]}]),
        encoding="utf-8",
    )
    gold = gold_set(articles=[doc], exports=[path, review_export])
    (choice,) = gold.choices.values()
    assert choice.rule == "ground_truth" and choice.annotation.origin == "adjudication"
    result = build_release(gold, out=tmp_path / "out", dataset="t", version="1.0.0")
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"] is True
    (segment,) = datasets.load_dataset(str(result.path), "segments", split="train")
    a, b, adj = pseudonym("7"), pseudonym("8"), pseudonym("9")
    assert segment["raters"] == sorted([a, b])
    decisions = [
        (p["span_text"], p["label"], p["decision"], p["raters"]) for p in segment["provenance"]
    ]
    assert decisions == [
        ("Sam Altman", "PER", "kept", sorted([a, b])),
        ("OpenAI", "PRODUCT", "chosen", [b]),
        ("The Information", "ORG", "chosen", [a]),
        ("OpenAI", "ORG", "rejected", [a]),
    ]
    rows = datasets.load_dataset(str(result.path), "annotations", split="train")
    by_rater = {
        (r["annotator"], r["span_text"], r["label"]): (r["origin"], r["decision"]) for r in rows
    }
    assert by_rater[(adj, "OpenAI", "PRODUCT")] == ("adjudication", "chosen")
    assert by_rater[(a, "OpenAI", "ORG")] == ("annotation", "rejected")
    assert by_rater[(b, "OpenAI", "PRODUCT")] == ("annotation", "kept")
    assert by_rater[(a, "The Information", "ORG")] == ("annotation", "kept")
