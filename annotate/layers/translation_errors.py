"""Machine-translation errors, MQM style: category/subcategory, severity, correction,
comment; an explicit ``no-error`` judgement per segment; weights and segment scores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from annotate.layers.base import Layer
from annotate.layers.presentation import ReleaseView, bar_panel, sorted_counts
from annotate.model import Annotation, Document, Span

if TYPE_CHECKING:  # datasets is slow to import: only the release needs it
    import datasets
    from matplotlib.axes import Axes

__all__ = ["TranslationErrorsLayer"]


_SEVERITY_COLOURS = {"minor": "#f5c242", "major": "#f58231", "critical": "#c0392b"}

_CARD = """### Translation errors per category and severity

| MQM category | count |
|---|---:|
{% for label, n in mqm_labels -%}
| {{ label }} | {{ n }} |
{% endfor %}
| severity | count |
|---|---:|
{% for label, n in mqm_severities -%}
| {{ label }} | {{ n }} |
{% endfor %}
### MQM score per paragraph

Sum of error weights (MQM core: minor 1, major 5, critical 10; WMT refinements: minor
punctuation 0.1, non-translation 25); lower is better; also per 100 words.

| doc | paragraph | words | MQM score | per 100 words |
|---|---:|---:|---:|---:|
{% for p in mqm_paragraphs -%}
| `{{ p.doc }}` | {{ p.index }}{% if p.boilerplate %} (boilerplate){% endif %}\
{% if not p.judged %} (not judged){% endif %} | {{ p.words }} | {{ p.score }} | {{ p.per100 }} |
{% endfor %}"""


class TranslationErrorsLayer(Layer):
    name = "translation_errors"
    shows_source = True
    boilerplate_notice = (
        "Boilerplate: this paragraph is not article content (a notice, a credit line), "
        "but it is translated: judge it like any other paragraph."
    )
    formats = ("mqm",)
    task_categories = ("translation",)
    tags = ("mqm", "machine-translation")
    plot_title = "Translation errors per category and severity"
    column_descriptions: ClassVar[Mapping[str, str]] = {
        "error_id": "The error span's id, unique within its annotation.",
        "category": "The MQM top-level category: the part of the label before '/'.",
        "weight": "The error's MQM penalty: its severity's weight, or the scheme's override"
        " for its label and severity.",
    }
    card_template = _CARD

    def applies_to(self, document: Document) -> bool:
        """MQM judges a translation: only machine-translated documents (their metadata says
        ``machine_translated`` or names a ``source_lang``)."""
        return document.machine_translated or document.source_lang is not None

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
    def alone_in_segment(self) -> frozenset[str]:
        """Schema 1.2.0 declares it; before, the rule ("more than one non-translation in a
        segment, or non-translation together with other error spans") was the code's."""
        if self._version() < (1, 2):
            return frozenset({"non-translation"})
        return super().alone_in_segment

    def _version(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.taxonomy.version.split(".")[:2])

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

    # ---------------------------------------------------------------- card and plot
    def card_context(self, data: ReleaseView) -> dict[str, Any]:
        return {
            "mqm_labels": sorted_counts(data.count(self.name, "label")),
            "mqm_severities": sorted_counts(data.count(self.name, "severity")),
            "mqm_paragraphs": self._paragraph_scores(data),
        }

    def _paragraph_scores(self, data: ReleaseView) -> list[dict[str, Any]]:
        """The MQM score of every paragraph of every document, and per 100 words."""
        per_segment: dict[tuple[str, int, int], float] = {}
        errors = data.count(
            self.name, "doc_id", "segment_start", "segment_end", "label", "severity"
        )
        for (doc_id, start, end, label, severity), n in errors.items():
            key = (doc_id, start, end)
            per_segment[key] = per_segment.get(key, 0.0) + n * self.weight(label, severity)
        segments = data.count("segments", "layer", "doc_id", "segment_start", "segment_end")
        judged = {key[1:] for key in segments if key[0] == self.name}
        paragraphs = []
        for d in sorted(data.documents.values(), key=lambda d: d.id):
            for p in d.paragraphs:
                words = len(d.text[p.start : p.end].split())
                key = (d.id, p.start, p.end)
                score = round(per_segment.get(key, 0.0), 2)
                paragraphs.append(
                    {
                        "doc": d.id[:12],
                        "index": p.index,
                        "words": words,
                        "score": score,
                        "per100": round(100 * score / words, 2) if words else 0.0,
                        "boilerplate": p.boilerplate,
                        "judged": key in judged,
                    }
                )
        return paragraphs

    def plot_panel(self, ax: Axes, data: ReleaseView) -> str:
        """Errors per category, stacked by severity."""
        errors = data.count(self.name, "label", "severity")
        by_label: Counter[str] = Counter()
        for (label, _), n in errors.items():
            by_label[str(label)] += n
        title = self.panel_title()
        counts = sorted_counts(by_label)
        if not counts:
            bar_panel(ax, title, counts)
            return title
        from matplotlib.ticker import MaxNLocator

        ax.set_title(title, fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        names = [n for n, _ in counts]
        left = [0] * len(names)
        for severity, colour in _SEVERITY_COLOURS.items():
            stack = [errors.get((n, severity), 0) for n in names]
            ax.barh(range(len(names)), stack, left=left, color=colour, label=severity)
            left = [a + b for a, b in zip(left, stack, strict=True)]
        ax.legend(fontsize=8, loc="lower right")
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.invert_yaxis()
        return title
