"""annotate.evaluate: precision, recall and F1 per label, exact and overlap matching,
relations and per-region choices, on hand-made annotations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotate.errors import ConfigError
from annotate.evaluate import evaluate, evaluate_layers
from annotate.metrics import Counts
from annotate.model import Annotation, Relation, Span

TEXT = "Microsoft et OpenAI investiront 100 milliards de dollars en 2028 à Paris."


def span(start: int, end: int, label: str, sid: str | None = None, **attrs: Any) -> Span:
    return Span(sid or f"{label}-{start}", start, end, TEXT[start:end], label, attrs=attrs)


def ann(
    spans: list[Span],
    *,
    layer: str = "entities",
    doc: str = "d1",
    annotator: str = "gold",
    segment: tuple[int, int] = (0, len(TEXT)),
    relations: list[Relation] | None = None,
    ground_truth: bool = False,
) -> Annotation:
    return Annotation(
        layer=layer,
        doc_id=doc,
        task_key=f"{doc}:{layer}:{segment[0]}-{segment[1]}",
        segment_start=segment[0],
        segment_end=segment[1],
        annotator=annotator,
        spans=spans,
        relations=relations or [],
        ground_truth=ground_truth,
    )


def test_counts_give_precision_recall_and_f1() -> None:
    c = Counts(tp=3, fp=1, fn=2)
    assert c.precision == pytest.approx(0.75)
    assert c.recall == pytest.approx(0.6)
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert c.support == 5
    assert Counts().f1 == 0.0
    assert Counts(1, 0, 0) + Counts(0, 1, 1) == Counts(1, 1, 1)


def test_exact_and_overlap_matching_per_label() -> None:
    gold = ann(
        [
            span(0, 9, "ORG"),  # Microsoft
            span(13, 19, "ORG"),  # OpenAI
            span(32, 56, "MONEY"),  # 100 milliards de dollars
            span(60, 64, "DATE"),  # 2028
        ]
    )
    pred = ann(
        [
            span(0, 9, "ORG"),  # exact
            span(13, 19, "MISC"),  # wrong label: no match in either scheme
            span(32, 45, "MONEY"),  # « 100 milliards »: overlap only
            span(57, 64, "DATE"),  # « en 2028 »: overlap only
            span(67, 72, "LOC"),  # Paris: not in gold
        ],
        annotator="model",
    )
    result = evaluate([gold], [pred], layer="entities")
    exact, overlap = result.spans["exact"], result.spans["overlap"]
    assert exact.per_label["ORG"] == Counts(tp=1, fp=0, fn=1)
    assert exact.per_label["MONEY"] == Counts(tp=0, fp=1, fn=1)
    assert exact.per_label["MISC"] == Counts(tp=0, fp=1, fn=0)
    assert exact.per_label["LOC"] == Counts(tp=0, fp=1, fn=0)
    assert exact.overall == Counts(tp=1, fp=4, fn=3)
    assert overlap.per_label["MONEY"] == Counts(tp=1, fp=0, fn=0)
    assert overlap.per_label["DATE"] == Counts(tp=1, fp=0, fn=0)
    assert overlap.overall == Counts(tp=3, fp=2, fn=1)
    assert overlap.overall.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert result.gold_spans == 4
    assert result.predicted_spans == 5


def test_overlap_matching_is_one_to_one_largest_overlap_first() -> None:
    gold = ann([span(0, 9, "ORG"), span(13, 19, "ORG")])
    # one long prediction covers both gold spans: it can match only one of them
    pred = ann([span(0, 19, "ORG")], annotator="model")
    overlap = evaluate([gold], [pred], layer="entities").spans["overlap"]
    assert overlap.per_label["ORG"] == Counts(tp=1, fp=0, fn=1)


def test_relations_match_when_both_ends_match() -> None:
    claim, source = (
        span(13, 64, "CLAIM", "c", claim_type="plan", modality="reported", checkworthy="yes"),
        span(0, 9, "SOURCE", "s"),
    )
    gold = ann([claim, source], layer="claims", relations=[Relation("c", "s", "attributed_to")])
    pred_claim = span(
        13, 56, "CLAIM", "pc", claim_type="quantity", modality="reported", checkworthy="yes"
    )
    pred = ann(
        [pred_claim, span(0, 9, "SOURCE", "ps")],
        layer="claims",
        annotator="model",
        relations=[Relation("pc", "ps", "attributed_to")],
    )
    result = evaluate([gold], [pred], layer="claims")
    assert result.relations["exact"].overall == Counts(tp=0, fp=1, fn=1)  # the claim differs
    assert result.relations["overlap"].overall == Counts(tp=1, fp=0, fn=0)
    assert result.attributes["modality"].accuracy == 1.0
    assert result.attributes["claim_type"].correct == 0
    assert result.attributes["claim_type"].total == 1


def test_attributes_of_translation_errors() -> None:
    gold = ann(
        [span(32, 56, "accuracy/mistranslation", severity="major")], layer="translation_errors"
    )
    pred = ann(
        [span(32, 56, "accuracy/mistranslation", severity="critical")],
        layer="translation_errors",
        annotator="model",
    )
    result = evaluate([gold], [pred], layer="translation_errors")
    assert result.spans["exact"].overall.f1 == 1.0
    assert result.attributes["severity"].accuracy == 0.0
    assert result.relations == {}  # the layer has no relations


def test_only_the_text_gold_covers_is_scored() -> None:
    gold = ann([span(0, 9, "ORG")], segment=(0, 30))
    pred = ann([span(0, 9, "ORG"), span(67, 72, "LOC")], annotator="model")
    other_doc = ann([span(0, 9, "ORG")], doc="d2", annotator="model")
    scoped = evaluate([gold], [pred, other_doc], layer="entities")
    assert scoped.spans["exact"].overall == Counts(tp=1, fp=0, fn=0)
    assert scoped.predicted_out_of_scope == 2
    everything = evaluate([gold], [pred, other_doc], layer="entities", scope="all")
    assert everything.spans["exact"].overall == Counts(tp=1, fp=2, fn=0)


def test_other_layers_are_ignored_and_evaluate_layers_covers_gold_layers() -> None:
    gold = [
        ann([span(0, 9, "ORG")]),
        ann([span(32, 56, "fluency/grammar", severity="minor")], layer="translation_errors"),
    ]
    pred = [ann([span(0, 9, "ORG")], annotator="model")]
    results = evaluate_layers(gold, pred)
    assert list(results) == ["entities", "translation_errors"]
    assert results["entities"].spans["exact"].overall.f1 == 1.0
    assert results["translation_errors"].spans["exact"].overall == Counts(tp=0, fp=0, fn=1)


def test_ambiguous_gold_is_refused_with_every_place() -> None:
    a = ann([span(0, 9, "ORG")], annotator="alice", segment=(0, 30))
    b = ann([span(0, 9, "ORG")], annotator="bob", segment=(0, 30))
    c = ann([span(0, 9, "ORG")], annotator="alice", segment=(31, 72))
    d = ann([span(0, 9, "ORG")], annotator="carol", segment=(31, 72))
    with pytest.raises(ConfigError) as info:
        evaluate([a, b, c, d], [], layer="entities")
    message = str(info.value)
    assert "0-30" in message
    assert "31-72" in message
    # with an adjudicated (ground-truth) annotation, the passes are not used as gold
    truth = ann([span(0, 9, "ORG")], annotator="adjudicator", ground_truth=True)
    result = evaluate([a, b, truth], [ann([span(0, 9, "ORG")], annotator="m")], layer="entities")
    assert result.spans["exact"].overall == Counts(tp=1, fp=0, fn=0)


def test_two_sources_of_predictions_on_the_same_text_are_refused() -> None:
    gold = ann([span(0, 9, "ORG")])
    with pytest.raises(ConfigError, match="one annotator or model version"):
        evaluate(
            [gold],
            [ann([], annotator="entities.spacy"), ann([], annotator="entities.rules")],
            layer="entities",
        )


def test_rows_and_json() -> None:
    gold = ann([span(0, 9, "ORG"), span(60, 64, "DATE")])
    pred = ann([span(0, 9, "ORG")], annotator="model")
    result = evaluate([gold], [pred], layer="entities")
    rows = result.rows()
    assert rows[-2:] == [
        {"label": "overall", "match": "exact", **Counts(1, 0, 1).to_dict()},
        {"label": "overall", "match": "overlap", **Counts(1, 0, 1).to_dict()},
    ]
    assert {(r["label"], r["match"]) for r in rows[:-2]} == {
        ("DATE", "exact"),
        ("ORG", "exact"),
        ("DATE", "overlap"),
        ("ORG", "overlap"),
    }
    data = json.loads(json.dumps(result.to_dict()))
    assert data["spans"]["exact"]["overall"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["spans"]["exact"]["labels"]["DATE"]["recall"] == 0.0
    assert data["layer"] == "entities"
