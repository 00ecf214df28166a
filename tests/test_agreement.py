"""Agreement and gold selection against values worked out by hand (the arithmetic is in the
comments), so that a change of formula shows up as a wrong number, not as a new one."""

from __future__ import annotations

import pytest

from annotate.agreement import pairwise_agreement
from annotate.gold import select_gold
from annotate.metrics import (
    Counts,
    cohen_kappa,
    match_spans,
    nominal_alpha,
    observed_agreement,
)
from annotate.model import Annotation, Span

TEXT = "Sam Altman dirige OpenAI depuis San Francisco et Paris, dit-on."
#       0         1         2         3         4         5         6
#       0123456789012345678901234567890123456789012345678901234567890123


def span(start: int, end: int, label: str) -> Span:
    return Span(f"{label}-{start}", start, end, TEXT[start:end], label)


def record(
    annotator: str,
    spans: list[Span],
    *,
    layer: str = "entities",
    segment: tuple[int, int] = (0, len(TEXT)),
    judgement: str | None = None,
    ground_truth: bool = False,
    annotation_id: int = 0,
) -> Annotation:
    return Annotation(
        layer=layer,
        doc_id="d1",
        task_key=f"d1:{layer}:{segment[0]}-{segment[1]}",
        segment_start=segment[0],
        segment_end=segment[1],
        annotator=annotator,
        annotation_id=annotation_id,
        spans=spans,
        judgement=judgement,
        ground_truth=ground_truth,
    )


# Rater A: "Sam Altman" PER [0,10), "OpenAI" ORG [18,24), "San Francisco" LOC [32,45).
# Rater B: "Sam Altman" PER [0,10) (the same), "Francisco" LOC [36,45) (overlaps A's LOC),
#          "Paris" LOC [49,54) (A has none).
A = [span(0, 10, "PER"), span(18, 24, "ORG"), span(32, 45, "LOC")]
B = [span(0, 10, "PER"), span(36, 45, "LOC"), span(49, 54, "LOC")]


def test_span_f1_exact_and_overlap_by_hand() -> None:
    # exact: only PER [0,10) is in both → tp=1; B's two LOC are not in A → fp=2;
    # A's ORG and LOC are not in B → fn=2. P = 1/3, R = 1/3, F1 = 2PR/(P+R) = 1/3.
    exact = match_spans(A, B, "exact")
    assert [(g.start, p.start) for g, p in exact] == [(0, 0)]
    # overlap: PER–PER, and LOC [32,45) – LOC [36,45) share 9 characters → tp=2;
    # B's Paris is unmatched → fp=1; A's ORG is unmatched → fn=1. P = R = F1 = 2/3.
    overlap = match_spans(A, B, "overlap")
    assert sorted((g.start, p.start) for g, p in overlap) == [(0, 0), (32, 36)]
    for counts, value in ((Counts(1, 2, 2), 1 / 3), (Counts(2, 1, 1), 2 / 3)):
        assert counts.precision == pytest.approx(value)
        assert counts.recall == pytest.approx(value)
        assert counts.f1 == pytest.approx(value)


def test_unequal_precision_and_recall_by_hand() -> None:
    # tp=3, fp=1, fn=5: P = 3/4, R = 3/8, F1 = 2·(3/4)(3/8)/((3/4)+(3/8)) = (9/16)/(9/8) = 1/2
    c = Counts(3, 1, 5)
    assert (c.precision, c.recall, c.f1) == (0.75, 0.375, 0.5)
    assert Counts().f1 == 0.0  # nothing at all: 0, not a division by zero


# Two raters' yes/no on ten items (rows: A, columns: B):
#            B yes  B no
#   A yes      4      2      A: 6 yes, 4 no
#   A no       1      3      B: 5 yes, 5 no
YES_NO_A = ["y"] * 4 + ["y"] * 2 + ["n"] * 1 + ["n"] * 3
YES_NO_B = ["y"] * 4 + ["n"] * 2 + ["y"] * 1 + ["n"] * 3


def test_cohen_kappa_by_hand() -> None:
    # p_o = (4 + 3)/10 = 0.7; p_e = (6/10)(5/10) + (4/10)(5/10) = 0.3 + 0.2 = 0.5;
    # kappa = (0.7 - 0.5)/(1 - 0.5) = 0.4
    assert observed_agreement(YES_NO_A, YES_NO_B) == pytest.approx(0.7)
    assert cohen_kappa(YES_NO_A, YES_NO_B) == pytest.approx(0.4)
    assert cohen_kappa(["y", "n", "y"], ["y", "n", "y"]) == pytest.approx(1.0)
    # agreeing less than chance: A always the opposite of B on a 50/50 split → p_o = 0,
    # p_e = 0.5, kappa = -1
    assert cohen_kappa(["y", "n"], ["n", "y"]) == pytest.approx(-1.0)


def test_krippendorff_alpha_by_hand() -> None:
    # Coincidence matrix of the same ten items (each item gives both ordered pairs):
    #   o(y,y) = 2·4 = 8, o(n,n) = 2·3 = 6, o(y,n) = o(n,y) = 2 + 1 = 3
    #   n_y = 8 + 3 = 11, n_n = 6 + 3 = 9, n = 20
    # D_o = (o(y,n) + o(n,y))/n = 6/20 = 0.3
    # D_e = (n_y·n_n + n_n·n_y)/(n(n - 1)) = 198/380
    # alpha = 1 - D_o/D_e = 1 - 0.3·380/198 = 1 - 114/198 = 84/198 = 14/33 ≈ 0.4242
    assert nominal_alpha(YES_NO_A, YES_NO_B) == pytest.approx(14 / 33)
    assert nominal_alpha(["y", "y"], ["y", "y"]) == 1.0  # one value only: undefined, 1


def test_pairwise_agreement_rows_by_hand() -> None:
    # The spans above, plus MQM judgements on three segments: A says errors, errors,
    # no-error; B says errors, no-error, no-error → agreement 2/3.
    # alpha on [e, e, n] vs [e, n, n]: o(e,e) = 2, o(n,n) = 2, o(e,n) = o(n,e) = 1;
    # n_e = 3, n_n = 3, n = 6; D_o = 2/6; D_e = 2·3·3/(6·5) = 18/30; alpha = 1 - (1/3)/(3/5)
    # = 1 - 5/9 = 4/9 ≈ 0.4444
    segments = [(0, 20), (20, 40), (40, len(TEXT))]
    judged_a = ["errors", "errors", "no-error"]
    judged_b = ["errors", "no-error", "no-error"]
    records = [record("a", A, annotation_id=1), record("b", B, annotation_id=2)]
    for seg, ja, jb in zip(segments, judged_a, judged_b, strict=True):
        for who, j in (("a", ja), ("b", jb)):
            records.append(record(who, [], layer="translation_errors", segment=seg, judgement=j))
    rows = pairwise_agreement(records)
    by_scheme = {r["matching"]: r for r in rows["spans"] if r["layer"] == "entities"}
    assert by_scheme["exact"]["f1"] == round(1 / 3, 4)
    assert by_scheme["overlap"]["f1"] == round(2 / 3, 4)
    assert (by_scheme["exact"]["n_a"], by_scheme["exact"]["n_b"]) == (3, 3)
    [judgement] = rows["judgements"]
    assert judgement["segments"] == 3
    assert judgement["agreement"] == round(2 / 3, 4)
    assert judgement["alpha"] == round(4 / 9, 4)


def test_gold_rules_ground_truth_single_consensus() -> None:
    # task 1: three raters; PER is in all three, ORG in two of three (a strict majority,
    # 2 > 3/2), LOC in one → the consensus keeps PER and ORG.
    per, org, loc = span(0, 10, "PER"), span(18, 24, "ORG"), span(32, 45, "LOC")
    seg1, seg2, seg3 = (0, 30), (30, 50), (50, len(TEXT))
    three = [
        record("a", [per, org], segment=seg1, annotation_id=1),
        record("b", [per, org, loc], segment=seg1, annotation_id=2),
        record("c", [per], segment=seg1, annotation_id=3),
    ]
    # task 2: two raters, one of them the adjudicator's ground truth → that one
    truth = record("adj", [loc], segment=seg2, ground_truth=True, annotation_id=5)
    two = [record("a", [], segment=seg2, annotation_id=4), truth]
    # task 3: one rater → that one
    one = [record("a", [span(56, 59, "PER")], segment=seg3, annotation_id=6)]
    gold = select_gold(three + two + one)
    rules = {k.rsplit(":", 1)[1]: (c.rule, c.candidates) for k, c in gold.items()}
    assert rules == {"0-30": ("consensus", 3), "30-50": ("ground_truth", 2), "50-63": ("single", 1)}
    consensus = gold["d1:entities:0-30"]
    assert [(s.start, s.label) for s in consensus.annotation.spans] == [(0, "PER"), (18, "ORG")]
    assert [v.annotator for v in consensus.versions] == ["a", "b", "c"]
    assert gold["d1:entities:30-50"].annotation is truth
