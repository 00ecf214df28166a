"""The disagreement list and the agreement report (annotate.agreement) against values
worked out by hand in the comments; the fixtures are test_agreement's."""

from __future__ import annotations

import pytest

from annotate.agreement import (
    agreement_report,
    disagreements,
    notes,
    task_disagreements,
    task_notes,
)
from annotate.disputes import keyed_once, span_keyer
from annotate.gold import select_gold
from annotate.metrics import multi_rater_alpha
from annotate.model import Annotation, Relation, Span
from annotate.provenance import provenance
from tests.test_agreement import TEXT, A, B, record, span


def claim(start: int, end: int, **attrs: str) -> Span:
    return Span(f"c-{start}", start, end, TEXT[start:end], "claim", attrs=attrs)


def test_disputed_regions_and_each_raters_version() -> None:
    # A: PER [0,10), ORG [18,24), LOC [32,45); B: PER [0,10), LOC [36,45), LOC [49,54).
    # PER is in both (agreed); three regions are disputed: [18,24) only A marked (ORG),
    # [32,45) where A's LOC and B's shorter LOC overlap, [49,54) only B marked (Paris).
    found = disagreements([record("a", A, annotation_id=1), record("b", B, annotation_id=2)])
    assert [(d.start, d.end, d.kind) for d in found] == [
        (18, 24, "span"),
        (32, 45, "span"),
        (49, 54, "span"),
    ]
    org, loc, paris = found
    assert [s.text for s in org.versions["a"].spans] == ["OpenAI"]
    assert org.versions["b"].spans == []
    assert [s.text for s in loc.versions["a"].spans] == ["San Francisco"]
    assert [s.text for s in loc.versions["b"].spans] == ["Francisco"]
    assert paris.annotators == ["a", "b"] and paris.versions["a"].describe() == "(nothing)"
    assert loc.task_key == "d1:entities:0-63" and loc.segment == (0, 63)
    assert "a: LOC [32,45) 'San Francisco'; b: LOC [36,45) 'Francisco'" in loc.describe()
    assert loc.to_dict()["versions"][1]["spans"][0]["text"] == "Francisco"


def test_label_attribute_relation_and_judgement_disputes() -> None:
    # same offsets, other label → "label"; same claim, other modality → "attributes";
    # a link one rater drew between agreed spans → "relation"; judgements differ.
    per, org = span(0, 10, "PER"), span(0, 10, "ORG")
    ents = [record("a", [per], annotation_id=1), record("b", [org], annotation_id=2)]
    c_a, c_b = claim(11, 24, modality="asserted"), claim(11, 24, modality="reported")
    src = Span("s", 0, 10, TEXT[0:10], "source")
    claims = [
        record("a", [c_a, src], layer="claims", annotation_id=3),
        record("b", [c_b, src], layer="claims", annotation_id=4),
    ]
    same_claim = claim(25, 45, modality="asserted")
    linked = record("a", [same_claim, src], layer="claims", segment=(0, 50), annotation_id=5)
    linked.relations = [Relation(same_claim.id, src.id, "attributed_to")]
    unlinked = record("b", [same_claim, src], layer="claims", segment=(0, 50), annotation_id=6)
    mqm = [
        record("a", [], layer="translation_errors", judgement="errors", annotation_id=7),
        record("b", [], layer="translation_errors", judgement="no-error", annotation_id=8),
    ]
    found = disagreements([*ents, *claims, linked, unlinked, *mqm])
    assert [(d.layer, d.kind, d.attributes) for d in found] == [
        ("entities", "label", ()),
        ("claims", "relation", ()),  # task d1:claims:0-50 sorts before 0-63
        ("claims", "attributes", ("modality",)),
        ("translation_errors", "judgement", ()),
    ]
    relation = found[1]
    assert [r.label for r in relation.versions["a"].relations] == ["attributed_to"]
    assert relation.versions["b"].relations == []
    assert found[3].versions["b"].judgement == "no-error"
    assert disagreements([*ents, *mqm], layer="entities") == found[:1]
    # seen: an attributes dispute showed two identical versions ("claim [11,24) … | claim
    # [11,24) …"); each version now names its value of the fields in dispute
    assert found[2].said(" | ") == (
        "a: claim [11,24) 'dirige OpenAI' modality='asserted' | "
        "b: claim [11,24) 'dirige OpenAI' modality='reported'"
    )


def test_identical_versions_and_ground_truth_are_no_dispute() -> None:
    same = [record("a", A, annotation_id=1), record("b", list(A), annotation_id=2)]
    assert disagreements(same) == []
    # the adjudicator's ground truth is not a rater: a and the truth differ, no dispute
    truth = record("adj", B, annotation_id=3, ground_truth=True)
    assert disagreements([same[0], truth]) == []


def test_two_raters_who_disagree_need_review() -> None:
    # the consensus of A and B keeps PER only: the three disputed regions would vanish
    gold = select_gold([record("a", A, annotation_id=1), record("b", B, annotation_id=2)])
    [choice] = gold.values()
    assert choice.rule == "consensus" and choice.disputes == 3 and choice.needs_review
    agreed = select_gold([record("a", A, annotation_id=1), record("b", list(A), annotation_id=2)])
    assert [c.needs_review for c in agreed.values()] == [False]


def test_report_per_label_f1_kappa_and_confusion_by_hand() -> None:
    # per label, A against B: exact PER tp=1 → F1 1; ORG fn=1 → 0; LOC: A 1, B 2, none
    # equal → 0. overlap LOC: tp=1, fp=1, fn=0 → P 1/2, R 1, F1 2/3.
    # judgements e,e,n vs e,n,n: p_o = 2/3, p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9,
    # kappa = (2/3 - 4/9)/(1 - 4/9) = (2/9)/(5/9) = 2/5
    records = [record("a", A, annotation_id=1), record("b", B, annotation_id=2)]
    for seg, ja, jb in (
        ((0, 20), "errors", "errors"),
        ((20, 40), "errors", "no-error"),
        ((40, 63), "no-error", "no-error"),
    ):
        for who, j in (("a", ja), ("b", jb)):
            records.append(record(who, [], layer="translation_errors", segment=seg, judgement=j))
    report = agreement_report(records)
    [ents, _mqm] = report.pairs
    assert (ents.layer, ents.pair) == ("entities", "a vs b")
    assert [ents.f1("exact", x) for x in ("PER", "ORG", "LOC")] == [1.0, 0.0, 0.0]
    assert ents.f1("overlap", "LOC") == pytest.approx(2 / 3)
    assert ents.f1("overlap", "MONEY") is None
    # label-blind overlap matching pairs PER–PER and LOC–LOC (32–45 with 36–45)
    assert dict(ents.confusion) == {("LOC", "LOC"): 1, ("PER", "PER"): 1}
    [judged] = [c for c in report.choices() if c.choice == "judgement" and c.annotators != "all"]
    assert judged.items == 3
    assert judged.kappa == pytest.approx(2 / 5)
    assert judged.alpha == pytest.approx(4 / 9)  # test_agreement works this one out
    assert len(report.disagreements) == 3 + 1  # the entity regions and segment 20–40
    assert report.card_tables()["judgements"][0]["alpha"] == round(4 / 9, 4)


def test_label_confusion_on_matched_spans() -> None:
    # A: ORG "OpenAI" [18,24); B: PRODUCT "OpenAI" [18,24) → one (ORG, PRODUCT) cell
    report = agreement_report(
        [
            record("a", [span(18, 24, "ORG")], annotation_id=1),
            record("b", [span(18, 24, "PRODUCT")], annotation_id=2),
        ]
    )
    assert report.confusion_rows() == [
        {
            "layer": "entities",
            "annotators": "a vs b",
            "label_a": "ORG",
            "label_b": "PRODUCT",
            "spans": 1,
        }
    ]


def test_krippendorff_alpha_of_three_raters_by_hand() -> None:
    # units (raters a, b, c): u1 y y y, u2 y y n, u3 n n n. Coincidences (each unit's
    # ordered pairs of values weighted 1/(m - 1) = 1/2): u1 o(y,y) += 6/2; u2 o(y,y) += 1,
    # o(y,n) += 1, o(n,y) += 1; u3 o(n,n) += 3. n_y = 5, n_n = 4, n = 9.
    # D_o = 2/9, D_e = 2·5·4/(9·8) = 5/9, alpha = 1 - (2/9)/(5/9) = 3/5
    ratings = [["y", "y", "n"], ["y", "y", "n"], ["y", "n", "n"]]
    assert multi_rater_alpha(ratings) == pytest.approx(3 / 5)
    # the same through the report: three raters' judgements of three segments
    records: list[Annotation] = []
    for i, seg in enumerate(((0, 20), (20, 40), (40, 63))):
        for who, row in zip("abc", ratings, strict=True):
            records.append(
                record(
                    who,
                    [],
                    layer="translation_errors",
                    segment=seg,
                    judgement={"y": "errors", "n": "no-error"}[row[i]],
                )
            )
    [overall] = agreement_report(records).overall
    assert (overall.choice, overall.annotators, overall.items) == ("judgement", "all", 3)
    assert overall.alpha == pytest.approx(3 / 5)
    # a missing value: c did not rate u1 (a y, b y; m = 2, weight 1 → o(y,y) += 2);
    # u2 and u3 as before: o(y,y) = 3, o(y,n) = o(n,y) = 1, o(n,n) = 3; n_y = n_n = 4,
    # n = 8; D_o = 2/8, D_e = 2·4·4/(8·7) = 4/7, alpha = 1 - (1/4)/(4/7) = 9/16
    with_gap = [["y", "y", "n"], ["y", "y", "n"], [None, "n", "n"]]
    assert multi_rater_alpha(with_gap) == pytest.approx(9 / 16)


def error(severity: str, comment: str) -> Span:
    attrs = {"severity": severity, "comment": comment}
    return Span("t-18", 18, 24, TEXT[18:24], "fluency/spelling", attrs=attrs)


def mqm(who: str, err: Span, annotation_id: int) -> Annotation:
    return record(
        who, [err], layer="translation_errors", judgement="errors", annotation_id=annotation_id
    )


def test_a_comment_worded_otherwise_is_a_note_not_a_dispute() -> None:
    # seen: the same MQM error (span, category, severity) with comments in other words was a
    # disagreement ("attributes (comment)"), so the task went to review, while provenance
    # called it one decision; the comment is free text: a note, and the task needs no review
    a = mqm("a", error("minor", "Capital letter."), 1)
    b = mqm("b", error("minor", "Majuscule fautive."), 2)
    assert disagreements([a, b]) == []
    (note,) = notes([a, b])
    assert (note.kind, note.attributes, note.start, note.end) == ("free_text", ("comment",), 18, 24)
    assert note.said() == "a: comment='Capital letter.'; b: comment='Majuscule fautive.'"
    (choice,) = select_gold([a, b]).values()
    assert (choice.rule, choice.disputes, choice.needs_review) == ("consensus", 0, False)
    (kept,) = choice.annotation.spans  # the span, with the first rater's words
    assert kept.attrs == {"severity": "minor", "comment": "Capital letter."}
    report = agreement_report([a, b])
    assert report.disagreements == [] and [n.kind for n in report.notes] == ["free_text"]
    # releases that record no agreement definition counted it, and rebuild so
    (old,) = disagreements([a, b], definition=1)
    assert (old.kind, old.attributes) == ("attributes", ("comment",))
    (choice,) = select_gold([a, b], definition=1).values()
    assert choice.needs_review and choice.annotation.spans == []


@pytest.mark.parametrize(
    ("b_severity", "b_comment"),
    [
        ("minor", "Capital letter."),
        ("minor", "Majuscule."),
        ("major", "Capital letter."),
        ("major", "Majuscule."),
    ],
)
def test_the_agreement_and_the_provenance_tell_a_dispute_alike(b_severity, b_comment) -> None:
    # one definition: a task has a dispute exactly when the consensus' provenance has a
    # decision other than "kept"
    a = mqm("a", error("minor", "Capital letter."), 1)
    b = mqm("b", error(b_severity, b_comment), 2)
    (choice,) = select_gold([a, b]).values()
    decisions = {d.decision for d in provenance(choice).spans}
    assert bool(disagreements([a, b])) == (decisions != {"kept"})
    assert bool(choice.disputes) == (decisions != {"kept"})


def test_the_consensus_is_of_origin_majority_not_adjudication() -> None:
    # seen: the raters' majority had origin "adjudication" though nobody adjudicated it
    a, b = record("a", A, annotation_id=1), record("b", B, annotation_id=2)
    (choice,) = select_gold([a, b]).values()
    assert choice.rule == "consensus" and choice.annotation.origin == "majority"
    assert [s.label for s in choice.annotation.spans] == ["PER"]
    # a consensus given back is no adjudication: it does not win over the raters
    (again,) = select_gold([a, b, choice.annotation]).values()
    assert again.rule == "consensus"


@pytest.mark.parametrize(("a_value", "b_value"), [(1, True), (1, 1.0), ("1", 1), ("x", None)])
def test_a_field_that_differs_only_as_json_is_an_attributes_dispute(a_value, b_value) -> None:
    # the fields are compared as JSON text (1, 1.0, true and "1" all differ), whether
    # the raters' values are strings (compared as they are) or not
    spans = [
        Span(f"c{i}", 11, 24, TEXT[11:24], "claim", attrs={"n": v})
        for i, v in enumerate((a_value, b_value))
    ]
    anns = [
        record(who, [s], layer="claims", annotation_id=i)
        for i, (who, s) in enumerate(zip("ab", spans, strict=True))
    ]
    (found,) = task_disagreements(anns)
    assert (found.kind, found.attributes, found.start, found.end) == ("attributes", ("n",), 11, 24)


def test_a_shared_keyer_keys_each_span_once_and_finds_the_same() -> None:
    # the viewer passes one keyed_once keyer to task_notes and task_disagreements
    made: list[str] = []

    def counting(s: Span) -> str:
        made.append(s.id)
        return span_keyer("entities")(s)

    anns = [record("a", A, annotation_id=1), record("b", B, annotation_id=2)]
    key = keyed_once(counting)
    shared = task_notes(anns, span_key=key) + task_disagreements(anns, span_key=key)
    alone = task_notes(anns) + task_disagreements(anns)
    assert [d.to_dict() for d in shared] == [d.to_dict() for d in alone] and len(alone) == 3
    assert sorted(made) == sorted(s.id for s in [*A, *B])
