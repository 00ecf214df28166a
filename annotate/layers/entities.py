"""Named entities: flat, non-overlapping mentions with an optional Wikidata id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotate.layers.base import Layer
from annotate.layers.presentation import ReleaseView, sorted_counts
from annotate.model import Annotation, Document

if TYPE_CHECKING:  # datasets is slow to import: only the release needs it
    import datasets

__all__ = ["EntitiesLayer"]


class EntitiesLayer(Layer):
    name = "entities"
    formats = ("conll", "spacy")
    task_categories = ("token-classification",)
    task_ids = ("named-entity-recognition",)
    tags = ("named-entities",)
    plot_title = "Entities per label"
    person_labels = ("PER",)
    card_template = """### Entities per label

| label | count |
|---|---:|
{% for label, n in entity_labels -%}
| {{ label }} | {{ n }} |
{% endfor %}"""

    def card_context(self, data: ReleaseView) -> dict[str, Any]:
        return {"entity_labels": sorted_counts(data.count(self.name, "label"))}

    def features(self) -> datasets.Features:
        import datasets

        return datasets.Features(
            {
                "doc_id": datasets.Value("string"),
                "segment_start": datasets.Value("int32"),
                "segment_end": datasets.Value("int32"),
                "span_id": datasets.Value("string"),
                "start": datasets.Value("int32"),
                "end": datasets.Value("int32"),
                "span_text": datasets.Value("string"),
                "label": datasets.ClassLabel(names=list(self.taxonomy.labels)),
                "kb_id": datasets.Value("string"),
            }
        )

    def rows(self, annotation: Annotation, document: Document) -> list[dict[str, Any]]:
        return [
            {
                "doc_id": annotation.doc_id,
                "segment_start": annotation.segment_start,
                "segment_end": annotation.segment_end,
                "span_id": s.id,
                "start": s.start,
                "end": s.end,
                "span_text": document.text[s.start : s.end],
                "label": s.label,
                "kb_id": s.attrs.get("kb_id"),
            }
            for s in sorted(annotation.spans, key=lambda s: (s.start, s.end, s.label))
        ]
