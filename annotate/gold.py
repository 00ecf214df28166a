"""Gold selection (adjudication) and inter-annotator agreement, on the valid records of a
:class:`~annotate.model.GoldSet`.

Gold rules, per task: an annotation marked ``ground_truth`` in Label Studio (or of origin
``adjudication``) wins; else a single annotation is gold; else the consensus of the
annotators: the spans (with their attributes) that a strict majority of them made.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from annotate.evaluate import EvalResult, evaluate
from annotate.layers import in_layer_order
from annotate.metrics import SCHEMES, nominal_alpha, observed_agreement
from annotate.model import Annotation, GoldChoice, Relation, Span

__all__ = ["pairwise_agreement", "select_gold"]


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
            gold[key] = GoldChoice(truth[-1], "ground_truth", len(anns), anns)
        elif len(anns) == 1:
            gold[key] = GoldChoice(anns[0], "single", 1, anns)
        else:
            gold[key] = GoldChoice(_consensus(anns), "consensus", len(anns), anns)
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
    recs = list(records)
    out: dict[str, list[dict[str, Any]]] = {"spans": [], "attributes": [], "judgements": []}
    for layer in in_layer_order(r.layer for r in recs):
        names = _annotators(recs, layer)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                ra, rb = (
                    [
                        r
                        for r in recs
                        if r.layer == layer and r.annotator == x and not r.ground_truth
                    ]
                    for x in (a, b)
                )
                res = evaluate(ra, rb, layer=layer)
                pair = f"{a} vs {b}"
                out["spans"] += _span_rows(res, layer, pair)
                out["attributes"] += [
                    {
                        "layer": layer,
                        "attribute": name,
                        "annotators": pair,
                        "agreement": round(score.accuracy, 4),
                        "pairs": score.total,
                    }
                    for name, score in sorted(res.attributes.items())
                ]
                out["judgements"] += _judgement_rows(ra, rb, layer, pair)
    return out


def _span_rows(res: EvalResult, layer: str, pair: str) -> list[dict[str, Any]]:
    rows = []
    for scheme in SCHEMES:
        c = res.spans[scheme].overall
        rows.append(
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
            rows.append(
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
    return rows


def _judgement_rows(
    ra: list[Annotation], rb: list[Annotation], layer: str, pair: str
) -> list[dict[str, Any]]:
    ja = {r.task_key: r.judgement for r in ra if r.judgement}
    jb = {r.task_key: r.judgement for r in rb if r.judgement}
    both = sorted(set(ja) & set(jb))
    if not both:
        return []
    va, vb = [ja[k] for k in both], [jb[k] for k in both]
    return [
        {
            "layer": layer,
            "annotators": pair,
            "segments": len(both),
            "agreement": round(observed_agreement(va, vb), 4),
            "alpha": round(nominal_alpha(va, vb), 4),
        }
    ]
