"""Where the raters of a task disagree (re-exported by :mod:`annotate.agreement`):
:func:`disagreements` lists, per task, every region of the text where their versions
differ, with each rater's version of it.

Two versions agree on a span when both made it with the same offsets, label and per-span
fields (the consensus keeps exactly those); on a relation when both drew it between agreed
spans with the same label; on a segment judgement when both gave the same one. Everything
else is disputed. Disputed spans that overlap (whoever made them) form one region, so
that a boundary dispute ("San Francisco" against "Francisco") or a label dispute is one
disagreement with two versions, and a span only one rater made is one with an empty version.

Raters are the task's human annotations; predictions and ground-truth (adjudicated)
annotations are not raters.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from annotate.layers import in_layer_order
from annotate.model import Annotation, Relation, Span

__all__ = [
    "Disagreement",
    "DisagreementKind",
    "RaterVersion",
    "disagreements",
    "is_rater",
    "raters_by_task",
    "span_key",
    "task_disagreements",
]

DisagreementKind = Literal["span", "label", "attributes", "relation", "judgement"]


def span_key(span: Span) -> str:
    """What makes two raters' spans the same: offsets, label and every per-span field."""
    return json.dumps([span.start, span.end, span.label, sorted(span.attrs.items())], default=str)


def is_rater(record: Annotation) -> bool:
    """A human annotation that is not the adjudicated (ground-truth) one."""
    return record.origin == "annotation" and not record.ground_truth


@dataclass(slots=True)
class RaterVersion:
    """One rater's version of a disputed region: the spans they made in it (none: they
    marked nothing there), the relations of a disputed link, their segment judgement."""

    annotator: str
    annotation_id: int | str | None
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    judgement: str | None = None

    def describe(self) -> str:
        if self.relations:
            return ", ".join(r.label for r in self.relations)
        if self.spans:
            return ", ".join(f"{s.label} [{s.start},{s.end}) {s.text!r}" for s in self.spans)
        return "(nothing)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "annotation_id": self.annotation_id,
            "spans": [s.to_dict() for s in self.spans],
            "relations": [r.to_dict() for r in self.relations],
            "judgement": self.judgement,
        }


@dataclass(slots=True)
class Disagreement:
    """One disputed region of one task (document offsets ``[start, end)``; the segment for
    a judgement) and every rater's version of it, in annotator order."""

    layer: str
    task_key: str
    doc_id: str
    task_id: int | None
    segment: tuple[int, int]
    kind: DisagreementKind
    start: int
    end: int
    versions: dict[str, RaterVersion]
    attributes: tuple[str, ...] = ()  # the per-span fields that differ (kind "attributes")

    @property
    def annotators(self) -> list[str]:
        return list(self.versions)

    def describe(self) -> str:
        """One line: where, what kind, and each rater's version."""
        what = self.kind if not self.attributes else f"{self.kind} ({', '.join(self.attributes)})"
        if self.kind == "judgement":
            said = "; ".join(f"{a}: {v.judgement or '(none)'}" for a, v in self.versions.items())
        else:
            said = "; ".join(f"{a}: {v.describe()}" for a, v in self.versions.items())
        return f"{self.task_key} [{self.start},{self.end}) {what}: {said}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "task_key": self.task_key,
            "doc_id": self.doc_id,
            "task_id": self.task_id,
            "segment": {"start": self.segment[0], "end": self.segment[1]},
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "attributes": list(self.attributes),
            "versions": [v.to_dict() for v in self.versions.values()],
        }


def raters_by_task(records: Iterable[Annotation]) -> dict[str, list[Annotation]]:
    """Task key → its raters' annotations (one per annotator: the latest by annotation
    id), in annotator order; task keys sorted."""
    by_task: dict[str, dict[str, Annotation]] = defaultdict(dict)
    ordered = sorted(
        (r for r in records if is_rater(r)), key=lambda r: (str(r.annotation_id), r.annotator)
    )
    for rec in ordered:
        by_task[rec.task_key][rec.annotator] = rec
    return {k: [v[a] for a in sorted(v)] for k, v in sorted(by_task.items())}


def disagreements(records: Iterable[Annotation], *, layer: str | None = None) -> list[Disagreement]:
    """Every disputed region of every task that two or more raters annotated (of one
    ``layer``, or all), in layer order, then task key, then offsets."""
    found: list[Disagreement] = []
    for anns in raters_by_task(r for r in records if layer is None or r.layer == layer).values():
        if len(anns) > 1:
            found += task_disagreements(anns)
    rank = {name: i for i, name in enumerate(in_layer_order(d.layer for d in found))}
    return sorted(found, key=lambda d: (rank[d.layer], d.task_key, d.start, d.end, d.kind))


def task_disagreements(anns: list[Annotation]) -> list[Disagreement]:
    """The disputed regions among the versions ``anns`` of one task (one per rater)."""
    keys = [{span_key(s): s for s in a.spans} for a in anns]
    agreed = set.intersection(*(set(k) for k in keys))
    disputed = sorted(
        ((s, i) for i, k in enumerate(keys) for key, s in k.items() if key not in agreed),
        key=lambda si: (si[0].start, si[0].end, si[0].label),
    )
    out = [_span_disagreement(anns, region) for region in _regions(disputed)]
    out += _relation_disagreements(anns, keys, agreed)
    judgements = {a.judgement for a in anns}
    if len(judgements) > 1:
        seg = (anns[0].segment_start, anns[0].segment_end)
        out.append(
            _make(anns, "judgement", seg, {a.annotator: _version(a, judgement=True) for a in anns})
        )
    return out


def _regions(disputed: list[tuple[Span, int]]) -> list[list[tuple[Span, int]]]:
    """Disputed spans (sorted by start) grouped into runs of overlapping ones."""
    regions: list[list[tuple[Span, int]]] = []
    end = -1
    for s, i in disputed:
        if regions and s.start < end:
            regions[-1].append((s, i))
            end = max(end, s.end)
        else:
            regions.append([(s, i)])
            end = s.end
    return regions


def _span_disagreement(anns: list[Annotation], region: list[tuple[Span, int]]) -> Disagreement:
    versions = {a.annotator: _version(a) for a in anns}
    for s, i in region:
        versions[anns[i].annotator].spans.append(s)
    made = [v.spans for v in versions.values()]
    kind: DisagreementKind = "span"
    attributes: tuple[str, ...] = ()
    if all(len(m) == 1 for m in made) and len({(m[0].start, m[0].end) for m in made}) == 1:
        if len({m[0].label for m in made}) > 1:
            kind = "label"
        else:
            kind = "attributes"
            names = sorted({k for m in made for k in m[0].attrs})
            attributes = tuple(
                n
                for n in names
                if len({json.dumps(m[0].attrs.get(n), default=str) for m in made}) > 1
            )
    start = min(s.start for s, _ in region)
    end = max(s.end for s, _ in region)
    return _make(anns, kind, (start, end), versions, attributes)


def _relation_disagreements(
    anns: list[Annotation], keys: list[dict[str, Span]], agreed: set[str]
) -> list[Disagreement]:
    """One disagreement per pair of agreed spans that the raters link differently."""
    links: dict[tuple[str, str], dict[int, list[Relation]]] = defaultdict(dict)
    for i, a in enumerate(anns):
        by_id = {s.id: span_key(s) for s in a.spans}
        for r in a.relations:
            k_from, k_to = by_id.get(r.from_id, ""), by_id.get(r.to_id, "")
            if k_from in agreed and k_to in agreed:
                links[(k_from, k_to)].setdefault(i, []).append(r)
    spans = keys[0]
    out = []
    for (k_from, k_to), by_rater in sorted(links.items()):
        labels = [sorted(r.label for r in by_rater.get(i, [])) for i in range(len(anns))]
        if all(lab == labels[0] for lab in labels):
            continue
        versions = {a.annotator: _version(a) for a in anns}
        for i, rels in by_rater.items():
            versions[anns[i].annotator].relations = rels
        start = min(spans[k_from].start, spans[k_to].start)
        end = max(spans[k_from].end, spans[k_to].end)
        out.append(_make(anns, "relation", (start, end), versions))
    return out


def _version(ann: Annotation, *, judgement: bool = False) -> RaterVersion:
    return RaterVersion(
        ann.annotator, ann.annotation_id, judgement=ann.judgement if judgement else None
    )


def _make(
    anns: list[Annotation],
    kind: DisagreementKind,
    where: tuple[int, int],
    versions: dict[str, RaterVersion],
    attributes: tuple[str, ...] = (),
) -> Disagreement:
    base = anns[0]
    return Disagreement(
        layer=base.layer,
        task_key=base.task_key,
        doc_id=base.doc_id,
        task_id=next((a.task_id for a in anns if a.task_id is not None), None),
        segment=(base.segment_start, base.segment_end),
        kind=kind,
        start=where[0],
        end=where[1],
        versions=versions,
        attributes=attributes,
    )
