"""Score an annotation set (predictions, or one annotator) against gold, per layer.

Spans are compared per document, in document offsets:

- **exact**: same ``start``, ``end`` and label;
- **overlap**: same label and at least one shared character, matched one-to-one (the pairs
  that share the most characters first), as in the "partial" scheme of MUC/SemEval.

For each label and overall (micro-averaged; macro F1 beside it): true positives, false
positives, false negatives, precision, recall, F1. Relations (``attributed_to``) match when
their label matches and both ends match under the same scheme. Per-region choices
(``claim_type``, ``modality``, ``checkworthy``, ``severity``) are scored as accuracy over the
overlap-matched span pairs.

Only the text that gold covers is scored: a predicted span outside every gold segment of its
document is ignored (``scope="all"`` counts it). Gold with several annotators on the same
text and no ground truth is ambiguous and raises :class:`ConfigError` naming every such
task; so does a predicted set with two sources on the same text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotate.errors import ConfigError
from annotate.layers import in_layer_order
from annotate.metrics import SCHEMES, AttributeScore, Counts, MatchScores, match_spans
from annotate.model import Annotation, GoldSet, Span
from annotate.schemas import taxonomy

__all__ = [
    "EvalResult",
    "evaluate",
    "evaluate_against_gold",
    "evaluate_layers",
]


@dataclass(slots=True)
class EvalResult:
    """Precision, recall and F1 of one layer: spans per label (exact and overlap), relations,
    and per-region choices."""

    layer: str
    documents: int
    gold_spans: int
    predicted_spans: int
    spans: dict[str, MatchScores]
    relations: dict[str, MatchScores]
    attributes: dict[str, AttributeScore]
    predicted_out_of_scope: int = 0

    def rows(self) -> list[dict[str, Any]]:
        """One row per (label, scheme), the overall rows last: a table for the CLI."""
        out = []
        for scheme in SCHEMES:
            scores = self.spans[scheme]
            for label, c in sorted(scores.per_label.items()):
                out.append({"label": label, "match": scheme, **c.to_dict()})
        for scheme in SCHEMES:
            out.append(
                {"label": "overall", "match": scheme, **self.spans[scheme].overall.to_dict()}
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "documents": self.documents,
            "gold_spans": self.gold_spans,
            "predicted_spans": self.predicted_spans,
            "predicted_out_of_scope": self.predicted_out_of_scope,
            "spans": {k: v.to_dict() for k, v in self.spans.items()},
            "relations": {k: v.to_dict() for k, v in self.relations.items()},
            "attributes": {k: v.to_dict() for k, v in sorted(self.attributes.items())},
        }


# ---------------------------------------------------------------------------- grouping


@dataclass(slots=True)
class _DocSet:
    spans: list[Span] = field(default_factory=list)
    relations: list[tuple[Span, Span, str]] = field(default_factory=list)
    segments: list[tuple[int, int]] = field(default_factory=list)


def _select(annotations: Iterable[Annotation], layer: str, role: str) -> dict[str, _DocSet]:
    by_doc: dict[str, list[Annotation]] = defaultdict(list)
    for a in annotations:
        if a.layer == layer:
            by_doc[a.doc_id].append(a)
    problems: list[str] = []
    out: dict[str, _DocSet] = {}
    for doc_id, items in by_doc.items():
        truth = [a for a in items if a.ground_truth]
        if truth and role == "gold":
            items = truth
        problems.extend(_ambiguous(items))
        docset = _DocSet()
        seen: set[tuple[int, int, str]] = set()
        for a in items:
            docset.segments.append((a.segment_start, a.segment_end))
            by_id = {s.id: s for s in a.spans}
            for s in a.spans:
                if (s.start, s.end, s.label) not in seen:
                    seen.add((s.start, s.end, s.label))
                    docset.spans.append(s)
            for r in a.relations:
                if r.from_id in by_id and r.to_id in by_id:
                    docset.relations.append((by_id[r.from_id], by_id[r.to_id], r.label))
        out[doc_id] = docset
    if problems:
        raise ConfigError(
            f"{role} annotations are ambiguous: " + "; ".join(problems),
            hint=(
                "mark the adjudicated annotations as ground truth"
                if role == "gold"
                else "evaluate one annotator or model version at a time"
            ),
        )
    return out


def _ambiguous(items: list[Annotation]) -> list[str]:
    """Places where two different annotators cover the same text of one document."""
    out = []
    ordered = sorted(items, key=lambda a: (a.segment_start, a.segment_end))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.segment_start >= a.segment_end:
                break
            if a.annotator != b.annotator:
                out.append(f"task {b.task_key}: {a.annotator!r} and {b.annotator!r}")
    return out


# ---------------------------------------------------------------------------- matching


def _count(
    gold: Iterable[str], pred: Iterable[str], matched: Iterable[str], into: dict[str, list[int]]
) -> None:
    for label in gold:
        into[label][2] += 1
    for label in pred:
        into[label][1] += 1
    for label in matched:
        into[label][0] += 1
        into[label][1] -= 1
        into[label][2] -= 1


def _scores(raw: dict[str, list[int]]) -> MatchScores:
    return MatchScores({label: Counts(tp, fp, fn) for label, (tp, fp, fn) in raw.items()})


def _relation_hits(
    pairs: list[tuple[Span, Span]],
    gold_relations: list[tuple[Span, Span, str]],
    predicted_relations: list[tuple[Span, Span, str]],
) -> list[str]:
    """The labels of the predicted relations whose two ends are matched (``pairs``) to the
    ends of a gold relation with the same label, each gold relation used once."""
    to_gold = {id(ps): gs for gs, ps in pairs}
    gold_rels = {(id(a), id(b), lab) for a, b, lab in gold_relations}
    hits = []
    for a, b, lab in predicted_relations:
        ga, gb = to_gold.get(id(a)), to_gold.get(id(b))
        key = (id(ga), id(gb), lab)
        if ga is not None and gb is not None and key in gold_rels:
            gold_rels.discard(key)
            hits.append(lab)
    return hits


def _count_attributes(pairs: list[tuple[Span, Span]], attrs: dict[str, list[int]]) -> None:
    """Per region choice in ``attrs``: [agreeing pairs, pairs where gold has the choice]."""
    for gs, ps in pairs:
        for name, counts in attrs.items():
            if name in gs.attrs:
                counts[1] += 1
                counts[0] += gs.attrs.get(name) == ps.attrs.get(name)


def evaluate(
    gold: Iterable[Annotation],
    predicted: Iterable[Annotation],
    *,
    layer: str,
    scope: Literal["gold-segments", "all"] = "gold-segments",
) -> EvalResult:
    """Precision, recall and F1 of ``predicted`` against ``gold`` for one layer (annotations
    of other layers are ignored). See the module documentation for the matching rules."""
    tax = taxonomy(layer)
    gold_docs = _select(gold, layer, "gold")
    pred_docs = _select(predicted, layer, "predicted")
    span_raw: dict[str, dict[str, list[int]]] = {s: defaultdict(lambda: [0, 0, 0]) for s in SCHEMES}
    rel_raw: dict[str, dict[str, list[int]]] = {s: defaultdict(lambda: [0, 0, 0]) for s in SCHEMES}
    attrs = {c.name: [0, 0] for c in tax.region_choices()}
    n_gold = n_pred = out_of_scope = 0
    for doc_id, g in gold_docs.items():
        p = pred_docs.get(doc_id, _DocSet())
        pred_spans = p.spans
        if scope == "gold-segments":
            pred_spans = [s for s in p.spans if any(a <= s.start < b for a, b in g.segments)]
            out_of_scope += len(p.spans) - len(pred_spans)
        kept = {id(s) for s in pred_spans}
        pred_rels = [r for r in p.relations if id(r[0]) in kept and id(r[1]) in kept]
        n_gold += len(g.spans)
        n_pred += len(pred_spans)
        for scheme in SCHEMES:
            pairs = match_spans(g.spans, pred_spans, scheme)
            _count(
                (s.label for s in g.spans),
                (s.label for s in pred_spans),
                (gs.label for gs, _ in pairs),
                span_raw[scheme],
            )
            hits = _relation_hits(pairs, g.relations, pred_rels)
            _count((r[2] for r in g.relations), (r[2] for r in pred_rels), hits, rel_raw[scheme])
            if scheme == "overlap":
                _count_attributes(pairs, attrs)
    if scope == "all":
        for doc_id, p in pred_docs.items():
            if doc_id not in gold_docs:
                n_pred += len(p.spans)
                for scheme in SCHEMES:
                    _count((), (s.label for s in p.spans), (), span_raw[scheme])
                    _count((), (r[2] for r in p.relations), (), rel_raw[scheme])
    else:
        out_of_scope += sum(len(p.spans) for d, p in pred_docs.items() if d not in gold_docs)
    return EvalResult(
        layer=layer,
        documents=len(gold_docs),
        gold_spans=n_gold,
        predicted_spans=n_pred,
        spans={s: _scores(span_raw[s]) for s in SCHEMES},
        relations={s: _scores(rel_raw[s]) for s in SCHEMES} if tax.relations else {},
        attributes={k: AttributeScore(c, t) for k, (c, t) in attrs.items()},
        predicted_out_of_scope=out_of_scope,
    )


def evaluate_layers(
    gold: Iterable[Annotation],
    predicted: Iterable[Annotation],
    *,
    scope: Literal["gold-segments", "all"] = "gold-segments",
) -> dict[str, EvalResult]:
    """:func:`evaluate` for every layer that has gold annotations, in layer order."""
    gold_list = list(gold)
    pred_list = list(predicted)
    layers = in_layer_order(a.layer for a in gold_list)
    return {name: evaluate(gold_list, pred_list, layer=name, scope=scope) for name in layers}


def evaluate_against_gold(
    gold: GoldSet,
    *,
    predictors: Sequence[str] = (),
    predicted_exports: Sequence[Path] = (),
    annotator: str | None = None,
    layers: Sequence[str] | None = None,
) -> dict[str, dict[str, EvalResult]]:
    """Score each predictor, the annotations of other exports, or one annotator of the gold
    set's raters against its gold (:func:`annotate.pipeline.gold_set`, which chooses the
    gold of each task as a release does; for an annotator, the gold chosen without their
    own work): ``{what: {layer: result}}``."""
    from annotate.preannotate import as_annotation, run_predictors
    from annotate.validate import validate_exports

    documents = gold.documents
    scored: dict[str, list[Annotation]] = {}
    if predictors:
        docs = list(documents.values())
        for p in run_predictors(predictors, docs):
            scored.setdefault(p.model_version, []).append(as_annotation(p, documents[p.doc_id]))
    if predicted_exports:
        scored["exports"] = validate_exports(list(predicted_exports), documents).valid
    if annotator is not None:
        scored[annotator] = _annotations_of(gold, annotator)
    if not scored:
        raise ConfigError("nothing to evaluate: pass --predictors, --predicted or --annotator")
    out: dict[str, dict[str, EvalResult]] = {}
    for what, predicted in scored.items():
        wanted = set(layers) if layers else {a.layer for a in predicted}
        have = {a.layer for a in predicted} & wanted
        # an annotator is scored against a gold made without their work
        reference = _gold_without(gold, annotator) if what == annotator else gold.gold()
        results = evaluate_layers(reference, predicted)
        out[what] = {k: v for k, v in results.items() if k in have}
    return out


def _annotations_of(gold: GoldSet, annotator: str) -> list[Annotation]:
    mine = [r for r in gold.records if r.annotator == annotator and not r.ground_truth]
    if not mine:
        known = sorted({r.annotator for r in gold.records})
        raise ConfigError(f"no annotation by {annotator!r}; annotators: {', '.join(known)}")
    return mine


def _gold_without(gold: GoldSet, annotator: str) -> list[Annotation]:
    """The gold of the tasks ``annotator`` did, chosen as a release does from everybody's
    work but theirs (their tasks nobody else annotated have no gold, and are not scored)."""
    from annotate.gold import select_gold

    others = [r for r in gold.records if r.annotator != annotator]
    choices = select_gold(others, definition=gold.agreement_definition)
    mine = {r.task_key for r in gold.records if r.annotator == annotator}
    if not mine & set(choices):
        raise ConfigError(
            f"no gold without {annotator!r}: nobody else annotated the tasks they did",
            hint="an annotator is scored only where another annotator or an adjudicator "
            "worked; have a second annotator (push --annotators-per-task 2) or adjudicate",
        )
    return [c.annotation for key, c in choices.items() if key in mine]
