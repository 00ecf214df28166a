"""Documents (+ predictions) → Label Studio tasks: one task per segment and layer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotate.layers import get_layer
from annotate.layers.labeling import NOTICE_FIELD
from annotate.model import Document, Segment, Unit, task_key
from annotate.preannotate import Prediction

__all__ = ["KEY_FIELD", "make_tasks", "task_data"]

KEY_FIELD = "task_key"


def task_data(doc: Document, layer: str, seg: Segment) -> dict[str, Any]:
    """The ``data`` of the task that covers ``seg``: its text and where it comes from, the
    line shown above it (a boilerplate paragraph's notice, else empty), and the document's
    source text, for a layer that marks errors in it."""
    lay = get_layer(layer)
    data: dict[str, Any] = {
        "text": seg.slice(doc.text),
        KEY_FIELD: task_key(doc.id, layer, seg.start, seg.end),
        "doc_id": doc.id,
        "layer": layer,
        "unit": seg.unit,
        "segment_index": seg.index,
        "segment_start": seg.start,
        "segment_end": seg.end,
        "boilerplate": seg.boilerplate,
        NOTICE_FIELD: lay.boilerplate_notice if seg.boilerplate else "",
        "lang": doc.lang,
        "title": doc.title or "",
    }
    if doc.source_text and lay.shows_source:
        data["source_text"] = doc.source_text
    return data


def make_tasks(
    documents: Iterable[Document],
    layer: str,
    *,
    unit: Unit = "paragraph",
    predictions: Iterable[Prediction] = (),
) -> list[dict[str, Any]]:
    """Label Studio tasks for one layer; each prediction's spans that fall inside a segment
    become that task's prediction (with the predictor's ``model_version``)."""
    lay = get_layer(layer)
    by_doc: dict[str, list[Prediction]] = {}
    for p in predictions:
        if p.layer == layer:
            by_doc.setdefault(p.doc_id, []).append(p)
    tasks = []
    for doc in documents:
        for seg in doc.segments(unit):
            task: dict[str, Any] = {"data": task_data(doc, layer, seg)}
            preds = []
            for p in by_doc.get(doc.id, []):
                spans = [s for s in p.spans if seg.start <= s.start and s.end <= seg.end]
                ids = {s.id for s in spans}
                rels = [r for r in p.relations if r.from_id in ids and r.to_id in ids]
                if not spans:
                    continue
                scores = [s.score for s in spans if s.score is not None]
                pred: dict[str, Any] = {
                    "model_version": p.model_version,
                    "result": lay.to_ls_result(
                        spans, rels, segment_start=seg.start, segment_text=seg.slice(doc.text)
                    ),
                }
                if scores:
                    pred["score"] = round(sum(scores) / len(scores), 4)
                preds.append(pred)
            if preds:
                task["predictions"] = preds
            tasks.append(task)
    return tasks
