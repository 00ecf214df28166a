"""Factual claims: claim spans with type, modality and check-worthiness, linked by
``attributed_to`` relations to the spans of their sources.

A claim may have several sources (« selon Microsoft et OpenAI »). Since schema version 2
the ``claims`` config keeps them all, as a list of ``{source_id, start, end, text}`` in
text order; releases made with schema version 1 (1.0.0) had one ``source_*`` column each
and kept only the last relation, and are rebuilt that way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from annotate.layers.base import Layer
from annotate.layers.presentation import ReleaseView, sorted_counts
from annotate.model import Annotation, Document

if TYPE_CHECKING:  # datasets is slow to import: only the release needs it
    import datasets

__all__ = ["ClaimsLayer"]


class ClaimsLayer(Layer):
    name = "claims"
    task_categories = ("text-classification",)
    task_ids = ("fact-checking",)
    tags = ("claims",)
    count_column = "claim_type"
    plot_title = "Claims per type"
    column_descriptions: ClassVar[Mapping[str, str]] = {
        "claim_id": "The CLAIM span's id, unique within its annotation.",
        "sources": "Every SOURCE span the claim is attributed to (attributed_to), with its"
        " id, offsets and text; empty when the text names none.",
        "source_id": "The id of the SOURCE span the claim is attributed to (schema 1.x: one).",
        "source_start": "Offset of the source's first character.",
        "source_end": "Offset just past the source's last character.",
        "source_text": "The text of the source span.",
    }
    card_template = """### Claims per type and modality

| claim type | count |
|---|---:|
{% for label, n in claim_types -%}
| {{ label }} | {{ n }} |
{% endfor %}
| modality | count |
|---|---:|
{% for label, n in claim_modalities -%}
| {{ label }} | {{ n }} |
{% endfor %}"""

    def card_context(self, data: ReleaseView) -> dict[str, Any]:
        return {
            "claim_types": sorted_counts(data.count(self.name, "claim_type")),
            "claim_modalities": sorted_counts(data.count(self.name, "modality")),
        }

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
                **(self._source_columns() if self._single_source else self._sources_column()),
            }
        )

    @property
    def _single_source(self) -> bool:
        # schema 1.x: one source per claim, in four columns (kept for rebuilding 1.0.0)
        return int(self.taxonomy.version.split(".")[0]) < 2

    @staticmethod
    def _source_columns() -> dict[str, Any]:
        import datasets

        return {
            "source_id": datasets.Value("string"),
            "source_start": datasets.Value("int32"),
            "source_end": datasets.Value("int32"),
            "source_text": datasets.Value("string"),
        }

    @staticmethod
    def _sources_column() -> dict[str, Any]:
        import datasets

        return {
            "sources": datasets.List(
                {
                    "source_id": datasets.Value("string"),
                    "start": datasets.Value("int32"),
                    "end": datasets.Value("int32"),
                    "text": datasets.Value("string"),
                }
            )
        }

    def rows(self, annotation: Annotation, document: Document) -> list[dict[str, Any]]:
        by_id = {s.id: s for s in annotation.spans}
        sources: dict[str, list[Any]] = {}
        for r in annotation.relations:
            if r.label == "attributed_to" and r.to_id in by_id:
                sources.setdefault(r.from_id, []).append(by_id[r.to_id])
        last_source = {
            r.from_id: by_id.get(r.to_id)
            for r in annotation.relations
            if r.label == "attributed_to"
        }
        rows = []
        for s in sorted(annotation.spans, key=lambda s: (s.start, s.end)):
            if s.label != "CLAIM":
                continue
            row = {
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
            }
            if self._single_source:
                src = last_source.get(s.id)  # what schema 1 kept: the last relation
                row |= {
                    "source_id": src.id if src else None,
                    "source_start": src.start if src else None,
                    "source_end": src.end if src else None,
                    "source_text": document.text[src.start : src.end] if src else None,
                }
            else:
                unique = {src.id: src for src in sources.get(s.id, [])}.values()
                row["sources"] = [
                    {
                        "source_id": src.id,
                        "start": src.start,
                        "end": src.end,
                        "text": document.text[src.start : src.end],
                    }
                    for src in sorted(unique, key=lambda x: (x.start, x.end, x.id))
                ]
            rows.append(row)
        return rows
