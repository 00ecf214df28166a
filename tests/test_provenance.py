"""Per-span provenance of a gold (issue 14): which raters had each span and what the
adjudication did with it, on a task worked out by hand."""

from __future__ import annotations

from annotate.gold import select_gold
from annotate.model import Annotation, Span
from annotate.provenance import provenance

TEXT = "Sam Altman dirige OpenAI depuis San Francisco et Paris, dit-on."
#       0         1         2         3         4         5         6
#       0123456789012345678901234567890123456789012345678901234567890123


def span(start: int, end: int, label: str, **attrs: object) -> Span:
    return Span(f"{label}-{start}", start, end, TEXT[start:end], label, attrs=dict(attrs))


def record(
    annotator: str,
    spans: list[Span],
    *,
    ann_id: int,
    origin: str = "annotation",
    judgement: str | None = None,
) -> Annotation:
    return Annotation(
        layer="entities",
        doc_id="d1",
        task_key="d1:entities:0-63",
        segment_start=0,
        segment_end=len(TEXT),
        annotator=annotator,
        origin=origin,  # type: ignore[arg-type]
        annotation_id=ann_id,
        spans=spans,
        judgement=judgement,
    )


# Rater A: PER [0,10), ORG [18,24) kb Q1, LOC [32,45).
# Rater B: PER [0,10), ORG [18,24) kb Q2, LOC [36,45), LOC [49,54).
# Adjudicator: PER [0,10) (both had it: kept), ORG [18,24) kb Q1 (A's: chosen),
#   LOC [32,45) (A's: chosen), MISC [56,62) "dit-on" (nobody: added).
#   B's ORG kb Q2, LOC [36,45) and LOC [49,54) are not in the gold: rejected.
A = record(
    "a", [span(0, 10, "PER"), span(18, 24, "ORG", kb_id="Q1"), span(32, 45, "LOC")], ann_id=1
)
B = record(
    "b",
    [span(0, 10, "PER"), span(18, 24, "ORG", kb_id="Q2"), span(36, 45, "LOC"), span(49, 54, "LOC")],
    ann_id=2,
)
GOLD = record(
    "adj",
    [
        span(0, 10, "PER"),
        span(18, 24, "ORG", kb_id="Q1"),
        span(32, 45, "LOC"),
        span(56, 62, "MISC"),
    ],
    ann_id=3,
    origin="adjudication",
)


def _decisions(
    gold: Annotation, *raters: Annotation
) -> list[tuple[str, int, int, str, tuple[str, ...]]]:
    (choice,) = select_gold([*raters, gold]).values()
    return [
        (d.decision, d.span.start, d.span.end, d.span.label, d.raters)
        for d in provenance(choice).spans
    ]


def test_an_adjudication_keeps_chooses_adds_and_rejects_spans() -> None:
    assert _decisions(GOLD, A, B) == [
        ("kept", 0, 10, "PER", ("a", "b")),
        ("chosen", 18, 24, "ORG", ("a",)),
        ("chosen", 32, 45, "LOC", ("a",)),
        ("added", 56, 62, "MISC", ()),
        ("rejected", 18, 24, "ORG", ("b",)),
        ("rejected", 36, 45, "LOC", ("b",)),
        ("rejected", 49, 54, "LOC", ("b",)),
    ]


def test_a_span_no_rater_had_exactly_is_changed_and_says_what_changed() -> None:
    # The gold's LOC [32,45) with kb Q62 overlaps A's LOC [32,45) (kb differs) and B's
    # LOC [36,45) (start and kb differ): changed from both, and their spans are not rejected.
    gold = record("adj", [span(32, 45, "LOC", kb_id="Q62")], ann_id=3, origin="adjudication")
    a = record("a", [span(32, 45, "LOC")], ann_id=1)
    b = record("b", [span(36, 45, "LOC")], ann_id=2)
    (choice,) = select_gold([a, b, gold]).values()
    prov = provenance(choice)
    (only,) = prov.spans
    assert (only.decision, only.raters, only.changes) == ("changed", ("a", "b"), ("kb_id", "start"))
    assert prov.of_span(a.spans[0], in_gold=False) == "changed"
    assert prov.of_span(gold.spans[0], in_gold=True) == "changed"


def test_a_rater_span_the_gold_has_is_kept_in_the_rows_of_that_rater() -> None:
    (choice,) = select_gold([A, B, GOLD]).values()
    prov = provenance(choice)
    assert [prov.of_span(s, in_gold=False) for s in B.spans] == [
        "kept",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [prov.of_span(s, in_gold=True) for s in GOLD.spans] == [
        "kept",
        "chosen",
        "chosen",
        "added",
    ]


def test_a_single_rater_and_a_consensus_are_kept_spans() -> None:
    (single,) = select_gold([A]).values()
    assert {d.decision for d in provenance(single).spans} == {"kept"}
    # consensus of A and B: the strict majority of two is both, so only PER is in the gold
    (consensus,) = select_gold([A, B]).values()
    decisions = [(d.decision, d.span.label) for d in provenance(consensus).spans]
    assert decisions[0] == ("kept", "PER")
    assert {d for d, _ in decisions[1:]} == {"rejected"}


def test_the_judgement_gets_a_decision_too() -> None:
    a = record("a", [], ann_id=1, judgement="errors")
    b = record("b", [], ann_id=2, judgement="no-error")
    for gold_judgement, expected in (
        ("errors", ("chosen", ("a",))),
        (None, ("rejected", ("a", "b"))),
    ):
        gold = record("adj", [], ann_id=3, origin="adjudication", judgement=gold_judgement)
        (choice,) = select_gold([a, b, gold]).values()
        prov = provenance(choice)
        assert (prov.judgement, prov.judgement_raters) == expected
    same = record("b", [], ann_id=2, judgement="errors")
    gold = record("adj", [], ann_id=3, origin="adjudication", judgement="no-error")
    (choice,) = select_gold([a, same, gold]).values()
    assert provenance(choice).judgement == "changed"


def test_a_span_worded_differently_in_a_free_text_field_is_the_same_decision() -> None:
    # MQM: the same error, span, category and severity, with comments in other words: the
    # adjudicator took A's comment; B's span is not rejected, the gold's names the comment.
    def error(comment: str) -> Span:
        return span(18, 24, "fluency/spelling", severity="minor", comment=comment)

    def mqm(who: str, comment: str, ann_id: int, origin: str = "annotation") -> Annotation:
        rec = record(who, [error(comment)], ann_id=ann_id, origin=origin, judgement="errors")
        rec.layer, rec.task_key = "translation_errors", "d1:translation_errors:0-63"
        return rec

    a, b = mqm("a", "Capital letter.", 1), mqm("b", "Majuscule fautive.", 2)
    gold = mqm("adj", "Capital letter.", 3, origin="adjudication")
    (choice,) = select_gold([a, b, gold]).values()
    prov = provenance(choice)
    (only,) = prov.spans
    assert (only.decision, only.raters, only.changes) == ("kept", ("a", "b"), ("comment",))
    assert prov.of_span(b.spans[0], in_gold=False) == "kept"
