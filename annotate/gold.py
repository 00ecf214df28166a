"""Gold selection (adjudication) and inter-annotator agreement, on the valid records of a
:class:`~annotate.model.GoldSet`.

Gold rules, per task: an annotation marked ``ground_truth`` in Label Studio (or of origin
``adjudication``) wins; else a single annotation is gold; else the consensus of the
annotators: the spans (with their attributes) that a strict majority of them made, of
origin ``majority`` (no person adjudicated it). A consensus of raters who disagree
(:func:`annotate.disputes.task_disagreements`) is no gold yet: the choice counts its
disputes and "needs review" (``build`` refuses it unless ``--gold majority`` publishes
the majority on purpose).

Spans are the same when :func:`annotate.disputes.span_keyer` says so, under the gold
set's agreement definition: since definition 2, raters who word a free-text field (the MQM
comment) differently made the same span, and the consensus keeps the first rater's words
(by annotation id); under definition 1 (releases that record none) every field counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from annotate.disputes import raters_by_task, span_keyer, task_disagreements
from annotate.model import AGREEMENT_DEFINITION, Annotation, GoldChoice, Relation, Span

__all__ = ["select_gold"]


def _consensus(anns: list[Annotation], *, definition: int) -> Annotation:
    _span_key = span_keyer(anns[0].layer, definition=definition)
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
        origin="majority",
        task_id=base.task_id,
        spans=sorted(spans, key=lambda s: (s.start, s.end, s.label)),
        relations=relations,
        judgement=judgement if n >= need else None,
    )


def select_gold(
    records: Iterable[Annotation], *, definition: int = AGREEMENT_DEFINITION
) -> dict[str, GoldChoice]:
    """Task key → the gold annotation of that task and the rule that chose it, raters'
    spans compared under the agreement ``definition``."""
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
            raters = raters_by_task(anns).get(key, [])
            disputes = 0
            if len(raters) > 1:
                disputes = len(task_disagreements(raters, definition=definition))
            consensus = _consensus(anns, definition=definition)
            gold[key] = GoldChoice(consensus, "consensus", len(anns), anns, disputes)
    return gold
