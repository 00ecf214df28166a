"""Factual claims: claim spans with type, modality and check-worthiness, linked by an
``attributed_to`` relation to the span of their source."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotate.layers.base import Layer
from annotate.model import Annotation, Document

if TYPE_CHECKING:  # datasets is slow to import: only the release needs it
    import datasets

__all__ = ["ClaimsLayer"]


class ClaimsLayer(Layer):
    name = "claims"

    def features(self) -> datasets.Features:
        import datasets

        choices = self.taxonomy.choices
        return datasets.Features(
            {
                "doc_id": datasets.Value("string"),
                "segment_start": datasets.Value("int32"),
                "segment_end": datasets.Value("int32"),
                "claim_id": datasets.Value("string"),
                "start": datasets.Value("int32"),
                "end": datasets.Value("int32"),
                "span_text": datasets.Value("string"),
                "claim_type": datasets.ClassLabel(names=list(choices["claim_type"].values)),
                "modality": datasets.ClassLabel(names=list(choices["modality"].values)),
                "checkworthy": datasets.Value("bool"),
                "source_id": datasets.Value("string"),
                "source_start": datasets.Value("int32"),
                "source_end": datasets.Value("int32"),
                "source_text": datasets.Value("string"),
            }
        )

    def rows(self, annotation: Annotation, document: Document) -> list[dict[str, Any]]:
        by_id = {s.id: s for s in annotation.spans}
        source_of = {
            r.from_id: by_id.get(r.to_id)
            for r in annotation.relations
            if r.label == "attributed_to"
        }
        rows = []
        for s in sorted(annotation.spans, key=lambda s: (s.start, s.end)):
            if s.label != "CLAIM":
                continue
            src = source_of.get(s.id)
            rows.append(
                {
                    "doc_id": annotation.doc_id,
                    "segment_start": annotation.segment_start,
                    "segment_end": annotation.segment_end,
                    "claim_id": s.id,
                    "start": s.start,
                    "end": s.end,
                    "span_text": document.text[s.start : s.end],
                    "claim_type": s.attrs.get("claim_type"),
                    "modality": s.attrs.get("modality"),
                    "checkworthy": s.attrs.get("checkworthy") == "yes",
                    "source_id": src.id if src else None,
                    "source_start": src.start if src else None,
                    "source_end": src.end if src else None,
                    "source_text": document.text[src.start : src.end] if src else None,
                }
            )
        return rows
