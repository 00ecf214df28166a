"""Where each span of a gold comes from: per task, the raters' versions set beside the gold.

For a task's :class:`~annotate.model.GoldChoice` (an adjudication, a ground truth, the
only annotation or the consensus), every gold span gets a decision, and so does every
rater span the gold has not got:

- ``kept``: every rater had exactly this span (offsets, label, and every attribute but
  the free-text ones (``free_text`` in the schema: an MQM ``comment`` written in other
  words is the same decision, as :func:`annotate.disputes.span_keyer` defines a
  disagreement; ``changes`` names such a field when the gold's differs);
- ``chosen``: some raters had exactly this span, the others had not (the gold took it
  from them);
- ``changed``: no rater had it exactly, but some had a span overlapping it: the gold
  altered boundaries, label or attributes (``changes`` names which);
- ``added``: no rater had anything overlapping it;
- ``rejected``: a rater's span that is not in the gold and that no changed span came from.

The segment's judgement (MQM ``no-error``/``errors``) gets one the same way (``kept``,
``chosen``, ``changed``, ``added`` when no rater judged, ``rejected`` when the gold has
none). The raters are the versions that are neither marked ground truth nor adjudications;
names are the records' (releases publish their pseudonyms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from annotate.disputes import keyed_once, raters_by_task, span_keyer
from annotate.model import Annotation, GoldChoice, Span

__all__ = [
    "DECISIONS",
    "Decision",
    "Provenance",
    "SpanDecision",
    "provenance",
    "raters_of",
]

Decision = Literal["kept", "chosen", "changed", "added", "rejected"]
DECISIONS: tuple[Decision, ...] = ("kept", "chosen", "changed", "added", "rejected")


@dataclass(frozen=True, slots=True)
class SpanDecision:
    """What the gold did with one span: ``span`` is the gold's (or, ``rejected``, the
    rater's); ``raters`` had it exactly (``changed``: had an overlapping version)."""

    decision: Decision
    span: Span
    raters: tuple[str, ...]
    changes: tuple[str, ...] = ()  # the fields the gold differs in (kept/chosen: free text)


@dataclass(slots=True)
class Provenance:
    """The decisions of one task's gold, gold spans first (in span order), then the
    rejected ones; and the judgement's decision."""

    raters: tuple[str, ...]
    spans: list[SpanDecision] = field(default_factory=list)
    judgement: Decision | None = None  # None when neither the gold nor a rater judged
    judgement_raters: tuple[str, ...] = ()

    def of_span(self, span: Span, *, in_gold: bool) -> Decision | None:
        """The decision about one span of the gold (``in_gold``) or of a rater: a rater's
        span the gold has as it is is ``kept``, one a changed gold span came from is
        ``changed``, any other ``rejected``."""
        table = self._gold if in_gold else self._rater
        return table.get(self._key(span))

    _gold: dict[str, Decision] = field(default_factory=dict, repr=False)
    _rater: dict[str, Decision] = field(default_factory=dict, repr=False)
    _key: Callable[[Span], str] = field(default=str, repr=False)


def _side(span: Span) -> str:
    return str(span.attrs.get("side", "target"))


def _overlaps(a: Span, b: Span) -> bool:
    return _side(a) == _side(b) and a.start < b.end and b.start < a.end


def _changes(gold: Span, rater: Span) -> tuple[str, ...]:
    out = [
        name for name in ("start", "end", "label") if getattr(gold, name) != getattr(rater, name)
    ]
    names = sorted(set(gold.attrs) | set(rater.attrs))
    out += [n for n in names if gold.attrs.get(n) != rater.attrs.get(n)]
    return tuple(out)


def raters_of(choice: GoldChoice) -> list[Annotation]:
    """The raters' versions of a task: annotations that are neither ground truth nor an
    adjudication, the latest of each annotator (for a single annotation: itself)."""
    return raters_by_task(choice.versions).get(choice.annotation.task_key, [])


def provenance(choice: GoldChoice) -> Provenance:
    """The decision for every span of the task's gold and every rater span left out."""
    gold = choice.annotation
    # what makes two spans one decision: the agreement's definition that tells free text
    # apart (2), which provenance has used since it was made (release 2.1.0)
    span_key = keyed_once(span_keyer(gold.layer, definition=2))
    raters = raters_of(choice)
    names = tuple(r.annotator for r in raters)
    had: dict[str, list[str]] = {}  # span key → raters who had it
    rater_spans: dict[str, Span] = {}
    versions: dict[str, list[Span]] = {}  # span key → every rater's span of that key
    for r in raters:
        for s in r.spans:
            key = span_key(s)
            if r.annotator not in had.setdefault(key, []):
                had[key].append(r.annotator)
            rater_spans.setdefault(key, s)
            versions.setdefault(key, []).append(s)
    gold_keys = {span_key(s) for s in gold.spans}
    used: set[str] = set(gold_keys & set(had))
    out = Provenance(raters=tuple(sorted(set(names))))
    for g in sorted(gold.spans, key=lambda s: (s.start, s.end, s.label, s.id)):
        key = span_key(g)
        if key in had:
            who = tuple(sorted(had[key]))
            everyone = set(who) == set(names)
            reworded = sorted({c for s in versions[key] for c in _changes(g, s)})
            decision: Decision = "kept" if everyone else "chosen"
            out.spans.append(SpanDecision(decision, g, who, tuple(reworded)))
            out._rater[key] = "kept"
            continue
        near = [(k, s) for k, s in rater_spans.items() if k not in gold_keys and _overlaps(g, s)]
        if not near:
            out.spans.append(SpanDecision("added", g, ()))
            continue
        used.update(k for k, _ in near)
        out._rater.update((k, "changed") for k, _ in near)
        who = tuple(sorted({a for k, _ in near for a in had[k]}))
        changes = sorted({c for _, s in near for c in _changes(g, s)})
        out.spans.append(SpanDecision("changed", g, who, tuple(changes)))
    for key, s in sorted(rater_spans.items(), key=lambda kv: (kv[1].start, kv[1].end, kv[0])):
        if key not in used:
            out.spans.append(SpanDecision("rejected", s, tuple(sorted(had[key]))))
            out._rater[key] = "rejected"
    out._gold = {span_key(d.span): d.decision for d in out.spans if d.decision != "rejected"}
    out._key = span_key
    out.judgement, out.judgement_raters = _judgement(gold, raters)
    return out


def _judgement(
    gold: Annotation, raters: list[Annotation]
) -> tuple[Decision | None, tuple[str, ...]]:
    judged = [(r.annotator, r.judgement) for r in raters if r.judgement is not None]
    if gold.judgement is None:
        return ("rejected", tuple(sorted({a for a, _ in judged}))) if judged else (None, ())
    if not judged:
        return "added", ()
    who = tuple(sorted({a for a, j in judged if j == gold.judgement}))
    if not who:
        return "changed", tuple(sorted({a for a, _ in judged}))
    everyone = set(who) == {r.annotator for r in raters}
    return ("kept" if everyone else "chosen"), who
