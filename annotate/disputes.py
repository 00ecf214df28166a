"""Where the raters of a task disagree (re-exported by :mod:`annotate.agreement`):
:func:`disagreements` lists, per task, every region of the text where their versions
differ, with each rater's version of it; :func:`notes` lists where they differ only in
free text.

The one definition of a disagreement, which the consensus gold (:mod:`annotate.gold`),
``annotate agreement``, ``annotate review`` and the gold's provenance
(:mod:`annotate.provenance`) share, is :func:`span_keyer`: two versions agree on a span
when both made it with the same offsets, label and per-span fields but free text (a field
the schema marks ``free_text``: the MQM comment, where two raters word one decision
differently; a difference there is a *note*, not a dispute); on a relation when both drew
it between agreed spans with the same label; on a segment judgement when both gave the
same one. Everything else is disputed. Releases made before this definition
(``agreement_definition`` 1, what a manifest without one means) counted free text too, and
rebuild so.

Disputed spans that overlap (whoever made them) form one region, so that a boundary
dispute ("San Francisco" against "Francisco") or a label dispute is one disagreement with
two versions, and a span only one rater made is one with an empty version.

Raters are the task's human annotations; predictions and ground-truth (adjudicated)
annotations are not raters.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from annotate.errors import ConfigError
from annotate.layers import get_layer, in_layer_order
from annotate.model import (
    AGREEMENT_DEFINITION,
    AGREEMENT_DEFINITIONS,
    Annotation,
    Relation,
    Span,
)

__all__ = [
    "AGREEMENT_DEFINITION",
    "AGREEMENT_DEFINITIONS",
    "Disagreement",
    "DisagreementKind",
    "RaterVersion",
    "disagreements",
    "free_text_fields",
    "is_rater",
    "keyed_once",
    "notes",
    "raters_by_task",
    "span_key",
    "span_keyer",
    "task_disagreements",
    "task_notes",
]

# "free_text": not a disagreement but a note (notes()): the raters agree on the span and
# word a free-text field differently
DisagreementKind = Literal["span", "label", "attributes", "relation", "judgement", "free_text"]


# json.dumps(..., default=str) without making an encoder per call (the same text)
_ENCODE = json.JSONEncoder(default=str).encode


def span_key(span: Span, *, ignore: Collection[str] = ()) -> str:
    """Offsets, label and every per-span field but those named in ``ignore``, as a string."""
    attrs = sorted((k, v) for k, v in span.attrs.items() if k not in ignore)
    return _ENCODE([span.start, span.end, span.label, attrs])


def keyed_once(keyer: Callable[[Span], str]) -> Callable[[Span], str]:
    """``keyer``, making each span's key once (a key is a ``json.dumps``; callers that
    compare the same spans several times, as the viewer's notes then disputes, share
    one). It keeps the spans it has keyed alive: make one per task, or per release."""
    made: dict[int, tuple[Span, str]] = {}  # id → the span (kept alive) and its key

    def key(span: Span) -> str:
        hit = made.get(id(span))
        if hit is not None and hit[0] is span:
            return hit[1]
        text = keyer(span)
        made[id(span)] = (span, text)
        return text

    return key


def free_text_fields(layer: str) -> frozenset[str]:
    """The per-span fields of ``layer`` its schema (the active set) marks ``free_text``."""
    fields = get_layer(layer).taxonomy.text_fields
    return frozenset(name for name, spec in fields.items() if spec.get("free_text"))


def span_keyer(layer: str, *, definition: int = AGREEMENT_DEFINITION) -> Callable[[Span], str]:
    """What makes two raters' spans of ``layer`` the same decision (the module's
    definition): offsets, label and the fields that are not free text; under
    ``definition`` 1 (releases that record none), every field."""
    if definition not in AGREEMENT_DEFINITIONS:
        raise ConfigError(
            f"unknown agreement definition {definition!r}",
            hint=f"known: {', '.join(map(str, AGREEMENT_DEFINITIONS))}; "
            "the release may need a newer annotate",
        )
    free = free_text_fields(layer) if definition > 1 else frozenset()
    return lambda span: span_key(span, ignore=free)


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
        return f"{self.task_key} [{self.start},{self.end}) {what}: {self.said()}"

    def said(self, sep: str = "; ") -> str:
        """Each rater's version (a judgement; the free text of a note; else the spans)."""
        if self.kind == "judgement":
            parts = [f"{a}: {v.judgement or '(none)'}" for a, v in self.versions.items()]
        elif self.kind == "free_text":  # the same span: only the fields' words
            parts = [f"{a}: {self._fields(v)}" for a, v in self.versions.items()]
        elif self.kind == "attributes":  # the same span: the fields it differs in too
            parts = [f"{a}: {v.describe()} {self._fields(v)}" for a, v in self.versions.items()]
        else:
            parts = [f"{a}: {v.describe()}" for a, v in self.versions.items()]
        return sep.join(parts)

    def _fields(self, version: RaterVersion) -> str:
        return ", ".join(f"{n}={s.attrs.get(n)!r}" for s in version.spans for n in self.attributes)

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


def disagreements(
    records: Iterable[Annotation],
    *,
    layer: str | None = None,
    definition: int = AGREEMENT_DEFINITION,
) -> list[Disagreement]:
    """Every disputed region of every task that two or more raters annotated (of one
    ``layer``, or all), in layer order, then task key, then offsets."""
    return _per_task(records, layer, lambda anns: task_disagreements(anns, definition=definition))


def notes(records: Iterable[Annotation], *, layer: str | None = None) -> list[Disagreement]:
    """Where raters agree on a span but word its free text differently (kind
    ``free_text``, ``attributes`` naming the fields): no dispute, something to read."""
    return _per_task(records, layer, task_notes)


def _per_task(
    records: Iterable[Annotation],
    layer: str | None,
    find: Callable[[list[Annotation]], list[Disagreement]],
) -> list[Disagreement]:
    found: list[Disagreement] = []
    for anns in raters_by_task(r for r in records if layer is None or r.layer == layer).values():
        if len(anns) > 1:
            found += find(anns)
    rank = {name: i for i, name in enumerate(in_layer_order(d.layer for d in found))}
    return sorted(found, key=lambda d: (rank[d.layer], d.task_key, d.start, d.end, d.kind))


def task_disagreements(
    anns: list[Annotation],
    *,
    definition: int = AGREEMENT_DEFINITION,
    span_key: Callable[[Span], str] | None = None,
) -> list[Disagreement]:
    """The disputed regions among the versions ``anns`` of one task (one per rater).
    ``span_key``: the layer's :func:`span_keyer` under ``definition``, if the caller has
    one (:func:`keyed_once`: shared with :func:`task_notes`)."""
    span_key = keyed_once(span_key or span_keyer(anns[0].layer, definition=definition))
    keys = [{span_key(s): s for s in a.spans} for a in anns]
    agreed = set.intersection(*(set(k) for k in keys))
    disputed = sorted(
        ((s, i) for i, k in enumerate(keys) for key, s in k.items() if key not in agreed),
        key=lambda si: (si[0].start, si[0].end, si[0].label),
    )
    out = [_span_disagreement(anns, region) for region in _regions(disputed)]
    out += _relation_disagreements(anns, keys, agreed, span_key)
    judgements = {a.judgement for a in anns}
    if len(judgements) > 1:
        seg = (anns[0].segment_start, anns[0].segment_end)
        out.append(
            _make(anns, "judgement", seg, {a.annotator: _version(a, judgement=True) for a in anns})
        )
    return out


def task_notes(
    anns: list[Annotation], *, span_key: Callable[[Span], str] | None = None
) -> list[Disagreement]:
    """The spans of one task that its raters (``anns``) all made alike but for free text
    (a note each, every rater's span as their version). ``span_key``: the layer's
    :func:`span_keyer` (the current definition), if the caller has one."""
    layer = anns[0].layer
    free = sorted(free_text_fields(layer))
    span_key = span_key or span_keyer(layer)
    keys = [{span_key(s): s for s in a.spans} for a in anns]
    out = []
    for key in sorted(set.intersection(*(set(k) for k in keys))):
        made = [k[key] for k in keys]
        fields = tuple(n for n in free if _differ([s.attrs.get(n) for s in made]))
        if fields:
            versions = {a.annotator: _version(a) for a in anns}
            for a, s in zip(anns, made, strict=True):
                versions[a.annotator].spans.append(s)
            out.append(_make(anns, "free_text", (made[0].start, made[0].end), versions, fields))
    return sorted(out, key=lambda d: (d.start, d.end))


def _differ(values: list[Any]) -> bool:
    """Whether the raters' values of one field differ as JSON text (``1``, ``1.0`` and
    ``true`` do). Strings and None compare as themselves: their JSON texts are equal
    exactly when they are."""
    if all(v is None or type(v) is str for v in values):
        return len(set(values)) > 1
    return len({_ENCODE(v) for v in values}) > 1


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
            attributes = tuple(n for n in names if _differ([m[0].attrs.get(n) for m in made]))
    start = min(s.start for s, _ in region)
    end = max(s.end for s, _ in region)
    return _make(anns, kind, (start, end), versions, attributes)


def _relation_disagreements(
    anns: list[Annotation],
    keys: list[dict[str, Span]],
    agreed: set[str],
    span_key: Callable[[Span], str],
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
