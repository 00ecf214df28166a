"""Helpers for the predictor tests: run a predictor on an invented French text, and load
the hand-checked fixtures (beside these tests, in ``data/``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotate.corpus import make_document
from annotate.model import Annotation, Document, Relation, Span
from annotate.preannotate import Prediction, run_predictors

DATA = Path(__file__).parent / "data"

Predict = Callable[[str, str], Prediction]


def predict_text(name: str, text: str) -> Prediction:
    """One predictor's prediction for one French text."""
    return run_predictors([name], [make_document(text, lang="fr")])[0]


def found(prediction: Prediction) -> set[tuple[str, str]]:
    """The (text, label) pairs of a prediction."""
    return {(s.text, s.label) for s in prediction.spans}


def load_json(name: str) -> dict[str, Any]:
    return dict(json.loads((DATA / name).read_text(encoding="utf-8")))


def gold_annotation(document: Document, layer: str, item: dict[str, Any]) -> Annotation:
    """A fixture's spans (and relations) as one document-wide ground-truth annotation."""
    spans = [Span.from_dict({"id": f"gold-{i}", **s}) for i, s in enumerate(item["spans"])]
    ids = {s.get("id", f"gold-{i}"): spans[i].id for i, s in enumerate(item["spans"])}
    relations = [
        Relation(ids[r["from_id"]], ids[r["to_id"]], r["label"]) for r in item.get("relations", [])
    ]
    return Annotation(
        layer=layer,
        doc_id=document.id,
        task_key=f"{document.id[:16]}:{layer}:0-{len(document.text)}",
        segment_start=0,
        segment_end=len(document.text),
        annotator="fixture",
        origin="adjudication",
        ground_truth=True,
        spans=spans,
        relations=relations,
    )


def held_out(name: str) -> tuple[list[Document], list[Annotation]]:
    """A held-out set: its documents and their gold annotations."""
    data = load_json(name)
    docs = [make_document(d["text"], lang="fr") for d in data["documents"]]
    golds = [
        gold_annotation(doc, data["layer"], d)
        for doc, d in zip(docs, data["documents"], strict=True)
    ]
    return docs, golds
