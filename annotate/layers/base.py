"""What every annotation layer shares: a Label Studio config generated from the layer's
taxonomy, and the conversion between Label Studio results and :class:`Span`s.

A layer's module subclasses :class:`Layer` only for what is its own (release rows,
features, scores); the generic span/choice/relation machinery lives here.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from annotate.layers.labeling import (
    FROM_NAME,
    SOURCE_NAME,
    SOURCE_PREFIX,
    TO_NAME,
    label_config,
)
from annotate.layers.presentation import LayerRelease
from annotate.model import Annotation, Document, Issue, Relation, Span
from annotate.schemas import SchemaSet, Taxonomy, active_schemas

if TYPE_CHECKING:  # datasets is slow to import: only the release needs it
    import datasets

__all__ = [
    "FROM_NAME",
    "SOURCE_NAME",
    "SOURCE_PREFIX",
    "TO_NAME",
    "Converted",
    "Layer",
    "new_region_id",
    "region_id",
    "source_control",
]


def region_id(span_id: str) -> str:
    """A span id Label Studio can use as a region id: its frontend builds a CSS class from
    the id, and a dot or other punctuation leaves the region uncoloured in the text."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", span_id)


def source_control(item: dict[str, Any]) -> Any:
    """The control a result item fills: ``source_severity`` on the source object is the
    ``severity`` of a source-side region."""
    name = item.get("from_name")
    if item.get("to_name") == SOURCE_NAME and isinstance(name, str):
        return name.removeprefix(SOURCE_PREFIX)
    return name


def new_region_id() -> str:
    """A region id in Label Studio's style (10 URL-safe characters)."""
    return secrets.token_urlsafe(8)[:10]


@dataclass(slots=True)
class Converted:
    """The spans, relations and judgement read from one Label Studio result list."""

    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    judgement: str | None = None
    issues: list[Issue] = field(default_factory=list)


class Layer(LayerRelease):
    """One annotation layer, bound to the schema set it reads its taxonomy from (the
    active one when none is given: the package's, or a release's own copy while that
    release is rebuilt). Subclasses set ``name`` and add their release rows; they may look
    at ``self.taxonomy.version`` where a published format changed between versions.
    What a release shows of the layer (card section, plot panel, formats) comes from
    :class:`~annotate.layers.presentation.LayerRelease`."""

    name: ClassVar[str]
    # whether regions may also be marked in a document's source text (tasks carry it)
    shows_source: ClassVar[bool] = False
    # the line above a boilerplate paragraph's text (the guidelines' "Boilerplate")
    boilerplate_notice: ClassVar[str] = (
        "Boilerplate: this paragraph is not article content (a notice, a credit line); "
        "nothing is expected here: submit it without spans."
    )

    def __init__(self, schemas: SchemaSet | None = None) -> None:
        self.schemas = schemas or active_schemas()

    @property
    def taxonomy(self) -> Taxonomy:
        return self.schemas.taxonomy(self.name)

    def default_relation(self) -> str | None:
        """The relation an unlabelled arrow stands for, only if the schema names one
        (``"default": true``); otherwise an arrow without a label is a problem."""
        defaults = [n for n, r in self.taxonomy.relations.items() if r.get("default") is True]
        return defaults[0] if len(defaults) == 1 else None

    def applies_to(self, document: Document) -> bool:
        """Whether this layer is annotated on ``document`` (``push`` offers it only then,
        unless told to push every document)."""
        return True

    @property
    def alone_in_segment(self) -> frozenset[str]:
        """Labels that must be alone in their segment (``x-annotate.alone_in_segment``)."""
        return frozenset(self.taxonomy.alone_in_segment)

    def judgement_for(self, spans: list[Span]) -> str | None:
        """The segment judgement that ``spans`` imply, for a layer whose schema asks for
        one (a per-segment choice of ``errors`` / ``no-error``); ``None`` otherwise."""
        for choice in self.taxonomy.segment_choices():
            if {"errors", "no-error"} <= set(choice.values):
                return "errors" if spans else "no-error"
        return None

    # ---------------------------------------------------------------- Label Studio config
    def label_config(self, *, title: str | None = None, source: bool = False) -> str:
        """The Label Studio labeling config (XML) of this layer, from its taxonomy (see
        :func:`annotate.layers.labeling.label_config`). With ``source`` (tasks whose
        documents have a source text, for a layer that :attr:`shows_source`), the source is
        shown beside the target with its own labels and per-region controls."""
        return label_config(self.taxonomy, title=title, source=source)

    # ---------------------------------------------------------------- spans ⇄ results
    def to_ls_result(
        self,
        spans: list[Span],
        relations: list[Relation],
        *,
        judgement: str | None = None,
        segment_start: int = 0,
        segment_text: str,
        source_text: str | None = None,
    ) -> list[dict[str, Any]]:
        """Label Studio result items for spans in *document* offsets, on a task whose text
        starts at ``segment_start``; a span with ``side: "source"`` becomes a region of the
        ``source`` object, in offsets of ``source_text``."""
        tax = self.taxonomy
        out: list[dict[str, Any]] = []
        for span in spans:
            if span.attrs.get("side") == "source":
                start, end, to_name = span.start, span.end, SOURCE_NAME
                base = {"start": start, "end": end, "text": (source_text or "")[start:end]}
                prefix = SOURCE_PREFIX
            else:
                start, end = span.start - segment_start, span.end - segment_start
                base = {"start": start, "end": end, "text": segment_text[start:end]}
                to_name, prefix = TO_NAME, ""
            common = {"id": region_id(span.id), "to_name": to_name, "origin": "manual"}
            item: dict[str, Any] = {
                **common,
                "from_name": prefix + FROM_NAME,
                "type": "labels",
                "value": {**base, "labels": [span.label]},
            }
            if span.score is not None:
                item["score"] = span.score
            out.append(item)
            for choice in tax.region_choices():
                value = span.attrs.get(choice.name)
                if value is not None and tax.choice_applies(choice, span.label):
                    out.append(
                        {
                            **common,
                            "from_name": prefix + choice.name,
                            "type": "choices",
                            "value": {**base, "choices": [value]},
                        }
                    )
            for name in tax.text_fields:
                value = span.attrs.get(name)
                if value:
                    out.append(
                        {
                            **common,
                            "from_name": prefix + name,
                            "type": "textarea",
                            "value": {**base, "text": [value]},
                        }
                    )
        for rel in relations:
            out.append(
                {
                    "from_id": region_id(rel.from_id),
                    "to_id": region_id(rel.to_id),
                    "type": "relation",
                    "direction": "right",
                    "labels": [rel.label],
                }
            )
        if judgement is not None:
            name = tax.segment_choices()[0].name
            out.append(
                {
                    "id": new_region_id(),
                    "from_name": name,
                    "to_name": TO_NAME,
                    "type": "choices",
                    "origin": "manual",
                    "value": {"choices": [judgement]},
                }
            )
        return out

    def from_ls_result(
        self,
        result: list[dict[str, Any]],
        *,
        segment_start: int,
        segment_text: str,
        json_path: str = "$.result",
        source_text: str | None = None,
    ) -> Converted:
        """Spans (in document offsets), relations and judgement from a Label Studio result
        list. ``value.text`` is never trusted: the span text is recomputed from the offsets,
        and a difference is reported as a warning. A region of the ``source`` object is a
        span with ``side: "source"`` in offsets of ``source_text``."""
        tax = self.taxonomy
        out = Converted()
        regions: dict[str, Span] = {}
        extras: list[tuple[int, dict[str, Any]]] = []
        segment_names = {c.name for c in tax.segment_choices()}
        for i, item in enumerate(result):
            where = f"{json_path}[{i}]"
            kind = item.get("type")
            if kind == "relation":
                labels = item.get("labels") or []
                label = labels[0] if labels else (self.default_relation() or "")
                out.relations.append(
                    Relation(str(item.get("from_id")), str(item.get("to_id")), label)
                )
                continue
            value = item.get("value") or {}
            if kind == "choices" and item.get("from_name") in segment_names:
                choices = value.get("choices") or []
                out.judgement = choices[0] if choices else None
                continue
            if kind in ("labels", "hypertextlabels") or (
                kind not in ("choices", "textarea") and "labels" in value
            ):
                labels = value.get("labels") or []
                start, end = value.get("start"), value.get("end")
                if not isinstance(start, int) or not isinstance(end, int):
                    out.issues.append(
                        Issue(
                            "offset-type",
                            f"start/end must be integers, got {start!r}/{end!r}",
                            json_path=f"{where}.value",
                        )
                    )
                    continue
                if not labels:
                    out.issues.append(
                        Issue("no-label", "region has no label", json_path=f"{where}.value.labels")
                    )
                    continue
                if len(labels) > 1:
                    out.issues.append(
                        Issue(
                            "many-labels",
                            f"region has {len(labels)} labels {labels}; one expected",
                            json_path=f"{where}.value.labels",
                        )
                    )
                on_source = item.get("to_name") == SOURCE_NAME
                if on_source and source_text is None:
                    out.issues.append(
                        Issue(
                            "no-source",
                            "the region is on the source, but the document has no source text",
                            json_path=f"{where}.to_name",
                        )
                    )
                    continue
                known = source_text if on_source and source_text is not None else segment_text
                text = known[start:end] if 0 <= start <= end <= len(known) else ""
                given = value.get("text")
                if isinstance(given, str) and given != text and text:
                    out.issues.append(
                        Issue(
                            "stale-text",
                            f"value.text {given!r} differs from the text at [{start}, {end}) {text!r}; recomputed",
                            severity="warning",
                            json_path=f"{where}.value.text",
                        )
                    )
                rid = str(item.get("id") or new_region_id())
                shift = 0 if on_source else segment_start
                span = Span(
                    id=rid,
                    start=start + shift,
                    end=end + shift,
                    text=text,
                    label=labels[0],
                    score=item.get("score"),
                    attrs={"side": "source"} if on_source else {},
                )
                regions[rid] = span
                out.spans.append(span)
            else:
                extras.append((i, item))
        for i, item in extras:
            rid = str(item.get("id"))
            name = source_control(item)
            value = item.get("value") or {}
            target = regions.get(rid)
            if target is None:
                out.issues.append(
                    Issue(
                        "orphan-region-field",
                        f"{name!r} refers to region {rid!r}, which has no label",
                        json_path=f"{json_path}[{i}]",
                    )
                )
                continue
            if item.get("type") == "choices":
                choices = value.get("choices") or []
                target.attrs[str(name)] = choices[0] if choices else None
            elif item.get("type") == "textarea":
                texts = value.get("text") or []
                texts = [texts] if isinstance(texts, str) else texts  # one text, not its letters
                joined = "\n".join(t for t in texts if isinstance(t, str)).strip()
                target.attrs[str(name)] = joined or None
        return out

    # ---------------------------------------------------------------- release
    def features(self) -> datasets.Features:
        """The Hugging Face features of this layer's release rows."""
        raise NotImplementedError

    def rows(self, annotation: Annotation, document: Document) -> list[dict[str, Any]]:
        """The release rows of one (gold) annotation."""
        raise NotImplementedError
