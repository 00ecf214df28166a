"""Gold selection (adjudication) and inter-annotator agreement.

Choose the gold annotation of each task from the valid records.

Rules, per task: an annotation marked ``ground_truth`` in Label Studio (or of origin
``adjudication``) wins; else a single annotation is gold; else the consensus of the
annotators: the spans (with their attributes) that a strict majority of them made.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotate.layers import in_layer_order
from annotate.model import Annotation, Relation, Span

__all__ = ["GoldChoice", "pairwise_agreement", "select_gold"]


@dataclass(slots=True)
class GoldChoice:
    annotation: Annotation
    rule: str  # "ground_truth" | "single" | "consensus"
    candidates: int


def _span_key(span: Span) -> str:
    return json.dumps([span.start, span.end, span.label, sorted(span.attrs.items())], default=str)


def _consensus(anns: list[Annotation]) -> Annotation:
    votes: Counter[str] = Counter()
    first: dict[str, Span] = {}
    for ann in anns:
        for key in {_span_key(s) for s in ann.spans}:
            votes[key] += 1
        for s in ann.spans:
            first.setdefault(_span_key(s), s)
    need = len(anns) // 2 + 1
    spans = [first[k] for k, n in votes.items() if n >= need]
    kept = {id(s) for s in spans}
    # keep relations whose two ends were kept, mapping span ids through their keys
    rel_votes: Counter[tuple[str, str, str]] = Counter()
    for ann in anns:
        by_id = {s.id: _span_key(s) for s in ann.spans}
        for r in {(by_id.get(r.from_id), by_id.get(r.to_id), r.label) for r in ann.relations}:
            if r[0] and r[1]:
                rel_votes[(r[0], r[1], r[2])] += 1
    relations = [
        Relation(first[a].id, first[b].id, label)
        for (a, b, label), n in rel_votes.items()
        if n >= need and id(first.get(a)) in kept and id(first.get(b)) in kept
    ]
    judgements = Counter(a.judgement for a in anns)
    judgement, n = judgements.most_common(1)[0]
    base = anns[0]
    return Annotation(
        layer=base.layer,
        doc_id=base.doc_id,
        task_key=base.task_key,
        segment_start=base.segment_start,
        segment_end=base.segment_end,
        annotator="consensus:" + "+".join(sorted(a.annotator for a in anns)),
        origin="adjudication",
        task_id=base.task_id,
        spans=sorted(spans, key=lambda s: (s.start, s.end, s.label)),
        relations=relations,
        judgement=judgement if n >= need else None,
    )


def select_gold(records: Iterable[Annotation]) -> dict[str, GoldChoice]:
    """Task key → the gold annotation of that task and the rule that chose it."""
    by_task: dict[str, list[Annotation]] = defaultdict(list)
    for rec in records:
        if rec.origin != "prediction":
            by_task[rec.task_key].append(rec)
    gold: dict[str, GoldChoice] = {}
    for key in sorted(by_task):
        anns = sorted(by_task[key], key=lambda a: (str(a.annotation_id), a.annotator))
        truth = [a for a in anns if a.ground_truth or a.origin == "adjudication"]
        if truth:
            gold[key] = GoldChoice(truth[-1], "ground_truth", len(anns))
        elif len(anns) == 1:
            gold[key] = GoldChoice(anns[0], "single", 1)
        else:
            gold[key] = GoldChoice(_consensus(anns), "consensus", len(anns))
    return gold


def _annotators(records: list[Annotation], layer: str) -> list[str]:
    return sorted(
        {
            r.annotator
            for r in records
            if r.layer == layer and r.origin == "annotation" and not r.ground_truth
        }
    )


def pairwise_agreement(records: Iterable[Annotation]) -> dict[str, list[dict[str, Any]]]:
    """Inter-annotator agreement between every pair of (non-ground-truth) annotators.

    Spans: precision/recall/F1 of one annotator against the other, exact and overlap
    matching (F1 is symmetric; the usual agreement measure for span annotation, where
    kappa is ill-defined). Per-region choices: observed agreement on the overlap-matched
    span pairs. Segment judgements (MQM ``no-error``/``errors``): Krippendorff's alpha
    (nominal) over the segments both judged."""
    import krippendorff

    from annotate.evaluate import evaluate

    recs = list(records)
    spans: list[dict[str, Any]] = []
    attributes: list[dict[str, Any]] = []
    judgements: list[dict[str, Any]] = []
    layers = in_layer_order(r.layer for r in recs)
    for layer in layers:
        names = _annotators(recs, layer)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                ra = [
                    r for r in recs if r.layer == layer and r.annotator == a and not r.ground_truth
                ]
                rb = [
                    r for r in recs if r.layer == layer and r.annotator == b and not r.ground_truth
                ]
                res = evaluate(ra, rb, layer=layer)
                pair = f"{a} vs {b}"
                for scheme in ("exact", "overlap"):
                    c = res.spans[scheme].overall
                    spans.append(
                        {
                            "layer": layer,
                            "matching": scheme,
                            "annotators": pair,
                            "precision": round(c.precision, 4),
                            "recall": round(c.recall, 4),
                            "f1": round(c.f1, 4),
                            "n_a": res.gold_spans,
                            "n_b": res.predicted_spans,
                        }
                    )
                    if res.relations:
                        rc = res.relations[scheme].overall
                        spans.append(
                            {
                                "layer": f"{layer} (relations)",
                                "matching": scheme,
                                "annotators": pair,
                                "precision": round(rc.precision, 4),
                                "recall": round(rc.recall, 4),
                                "f1": round(rc.f1, 4),
                                "n_a": rc.tp + rc.fn,
                                "n_b": rc.tp + rc.fp,
                            }
                        )
                for name, score in sorted(res.attributes.items()):
                    attributes.append(
                        {
                            "layer": layer,
                            "attribute": name,
                            "annotators": pair,
                            "agreement": round(score.accuracy, 4),
                            "pairs": score.total,
                        }
                    )
                ja = {r.task_key: r.judgement for r in ra if r.judgement}
                jb = {r.task_key: r.judgement for r in rb if r.judgement}
                both = sorted(set(ja) & set(jb))
                if both:
                    values = sorted({ja[k] for k in both} | {jb[k] for k in both})
                    data = [
                        [values.index(ja[k]) for k in both],
                        [values.index(jb[k]) for k in both],
                    ]
                    same = sum(ja[k] == jb[k] for k in both)
                    alpha = (
                        float(
                            krippendorff.alpha(
                                reliability_data=data, level_of_measurement="nominal"
                            )
                        )
                        if len(values) > 1
                        else 1.0
                    )
                    judgements.append(
                        {
                            "layer": layer,
                            "annotators": pair,
                            "segments": len(both),
                            "agreement": round(same / len(both), 4),
                            "alpha": round(alpha, 4),
                        }
                    )
    return {"spans": spans, "attributes": attributes, "judgements": judgements}
