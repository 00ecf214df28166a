"""The provenance columns of a release (:mod:`annotate.provenance`), since the manifest
flag ``provenance``: releases made before (1.0.0, 2.0.0) have none and rebuild without.

``segments`` gets, per task, the raters whose versions the gold was chosen from
(``raters``), the decision about the gold judgement (``judgement_decision``) and one
entry per disputed or kept span (``provenance``: the gold's spans and the raters' spans it
rejected, each with its decision, the raters who had it and what the gold changed).
``annotations`` gets, per row, the record's ``origin`` (``annotation``, or
``adjudication``: the adjudicator's, pulled from a review project) and ``decision``: what
the gold did with that row's span. Raters appear as pseudonyms, as everywhere in a release.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import datasets

from annotate.model import Annotation, Document, GoldChoice, Span
from annotate.names import pseudonym
from annotate.provenance import Provenance, provenance, raters_of
from annotate.release.tables import ANNOTATION_FEATURES, SEGMENT_FEATURES

__all__ = [
    "ANNOTATION_PROVENANCE_FEATURES",
    "SEGMENT_PROVENANCE_FEATURES",
    "add_row_decisions",
    "segment_provenance",
    "task_provenance",
]

_NAMES = datasets.List(datasets.Value("string"))

SEGMENT_PROVENANCE_FEATURES = datasets.Features(
    {
        **SEGMENT_FEATURES,
        "raters": _NAMES,
        "judgement_decision": datasets.Value("string"),
        "provenance": datasets.List(
            {
                "span_id": datasets.Value("string"),
                "start": datasets.Value("int32"),
                "end": datasets.Value("int32"),
                "span_text": datasets.Value("string"),
                "label": datasets.Value("string"),
                "decision": datasets.Value("string"),
                "raters": _NAMES,
                "changes": _NAMES,
            }
        ),
    }
)

ANNOTATION_PROVENANCE_FEATURES = datasets.Features(
    {
        **ANNOTATION_FEATURES,
        "origin": datasets.Value("string"),
        "decision": datasets.Value("string"),
    }
)


def task_provenance(choices: dict[str, GoldChoice]) -> dict[str, Provenance]:
    """Task key → the provenance of its gold."""
    return {key: provenance(choice) for key, choice in choices.items()}


def _names(names: Iterable[str]) -> list[str]:
    return sorted(pseudonym(n) for n in names)


def _text(span: Span, doc: Document) -> str:
    side = span.attrs.get("side", "target")
    text = doc.text if side == "target" else doc.source_text or ""
    return text[span.start : span.end]


def segment_provenance(prov: Provenance, doc: Document) -> dict[str, Any]:
    """The provenance columns of one task's ``segments`` row."""
    return {
        "raters": _names(prov.raters),
        "judgement_decision": prov.judgement,
        "provenance": [
            {
                "span_id": d.span.id,
                "start": d.span.start,
                "end": d.span.end,
                "span_text": _text(d.span, doc),
                "label": d.span.label,
                "decision": d.decision,
                "raters": _names(d.raters),
                "changes": list(d.changes),
            }
            for d in prov.spans
        ],
    }


def add_row_decisions(
    rows: list[dict[str, Any]],
    records: Iterable[Annotation],
    choices: dict[str, GoldChoice],
    provenances: dict[str, Provenance],
) -> None:
    """Add ``origin`` and ``decision`` to the ``annotations`` rows, which
    :func:`annotate.release.tables.annotation_rows` made from ``records`` in their order
    (one row per span, or one for an annotation without spans; predictions left out)."""
    i = 0
    for rec in records:
        if rec.origin == "prediction":
            continue
        choice = choices.get(rec.task_key)
        prov = provenances.get(rec.task_key)
        in_gold = choice is not None and rec is choice.annotation
        rater = choice is not None and any(rec is r for r in raters_of(choice))
        spans: list[Span | None] = [*rec.spans] or [None]
        for span in spans:
            row = rows[i]
            if row["span_id"] != (span.id if span else None):  # rows and records out of step
                raise AssertionError(f"annotation row {i} is not of record {rec.record_id}")
            decision = None
            if span is not None and prov is not None and (in_gold or rater):
                decision = prov.of_span(span, in_gold=in_gold)
            row["origin"] = rec.origin
            row["decision"] = decision
            i += 1
