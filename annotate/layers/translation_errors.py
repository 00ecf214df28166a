"""Machine-translation errors, MQM style: category/subcategory, severity, correction,
comment; an explicit ``no-error`` judgement per segment; weights and segment scores."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotate.layers.base import Layer
from annotate.model import Annotation, Document, Span

if TYPE_CHECKING:  # datasets is slow to import: only the release needs it
    import datasets

__all__ = ["TranslationErrorsLayer"]


class TranslationErrorsLayer(Layer):
    name = "translation_errors"
    shows_source = True

    def weight(self, label: str, severity: str) -> float:
        """The MQM penalty of one error (MQM core weights with the WMT refinements)."""
        weights = self.taxonomy.weights
        for rule in weights.get("overrides", []):
            if rule["label"] == label and rule["severity"] in ("*", severity):
                return float(rule["weight"])
        return float(weights["severity"][severity])

    def score(self, spans: list[Span]) -> float:
        """The MQM score of a segment: the sum of its errors' weights (0 is perfect)."""
        return round(sum(self.weight(s.label, s.attrs["severity"]) for s in spans), 4)

    @property
    def two_sided(self) -> bool:
        """Whether the bound schema has errors on both sides (schema 1.1.0 on): its rows
        carry a ``side`` column, and a source-side span indexes the document's
        ``source_text``. Releases made with schema 1.0.0 keep their columns."""
        version = tuple(int(p) for p in self.taxonomy.version.split(".")[:2])
        return version >= (1, 1)

    def features(self) -> datasets.Features:
        import datasets

        tax = self.taxonomy
        side = {"side": datasets.Value("string")} if self.two_sided else {}
        return datasets.Features(
            {
                "doc_id": datasets.Value("string"),
                "segment_start": datasets.Value("int32"),
                "segment_end": datasets.Value("int32"),
                "error_id": datasets.Value("string"),
                "start": datasets.Value("int32"),
                "end": datasets.Value("int32"),
                **side,
                "span_text": datasets.Value("string"),
                "label": datasets.ClassLabel(names=list(tax.labels)),
                "category": datasets.Value("string"),
                "severity": datasets.ClassLabel(names=list(tax.choices["severity"].values)),
                "weight": datasets.Value("float32"),
                "correction": datasets.Value("string"),
                "comment": datasets.Value("string"),
            }
        )

    def rows(self, annotation: Annotation, document: Document) -> list[dict[str, Any]]:
        two_sided = self.two_sided
        out = []
        for s in sorted(annotation.spans, key=lambda s: (s.start, s.end, s.label)):
            side = s.attrs.get("side", "target")
            text = document.text if side == "target" else document.source_text or ""
            row: dict[str, Any] = {
                "doc_id": annotation.doc_id,
                "segment_start": annotation.segment_start,
                "segment_end": annotation.segment_end,
                "error_id": s.id,
                "start": s.start,
                "end": s.end,
                "span_text": text[s.start : s.end],
                "label": s.label,
                "category": s.label.split("/", 1)[0],
                "severity": s.attrs.get("severity"),
                "weight": self.weight(s.label, s.attrs["severity"]),
                "correction": s.attrs.get("correction"),
                "comment": s.attrs.get("comment"),
            }
            if two_sided:
                row["side"] = side
            out.append(row)
        return out
