"""The claim cues on invented French news sentences (none is from the bundled article)."""

from __future__ import annotations

from typing import Any

from annotate.model import Span
from annotate.preannotate import Prediction

from .helpers import Predict

CUES = "claims.cues"


def claims(pred: Prediction) -> dict[str, dict[str, Any]]:
    return {s.text: s.attrs for s in pred.spans if s.label == "CLAIM"}


def sources(pred: Prediction) -> set[str]:
    return {s.text for s in pred.spans if s.label == "SOURCE"}


def links(pred: Prediction) -> set[tuple[str, str]]:
    by_id: dict[str, Span] = {s.id: s for s in pred.spans}
    return {(by_id[r.from_id].text, by_id[r.to_id].text) for r in pred.relations}


def test_selon_at_the_start(predict: Predict) -> None:
    pred = predict(CUES, "Selon Les Échos, Renault fermera son usine de Flins en 2026.")
    assert claims(pred) == {
        "Renault fermera son usine de Flins en 2026": {
            "claim_type": "plan",
            "modality": "reported",
            "checkworthy": "yes",
        }
    }
    assert sources(pred) == {"Les Échos"}
    assert links(pred) == {("Renault fermera son usine de Flins en 2026", "Les Échos")}


def test_selon_at_the_end_and_a_descriptive_source(predict: Predict) -> None:
    pred = predict(
        CUES, "Stellantis détient 20 % de la coentreprise, selon un document consulté par Reuters."
    )
    assert set(claims(pred)) == {"Stellantis détient 20 % de la coentreprise"}
    assert sources(pred) == {"un document consulté par Reuters"}


def test_reported_speech_is_split_at_et_que(predict: Predict) -> None:
    pred = predict(
        CUES,
        "Le ministre de l’Économie a déclaré mardi que le déficit atteindrait 5,1 % du PIB "
        "et que la dette continuerait de croître.",
    )
    found = claims(pred)
    assert set(found) == {
        "le déficit atteindrait 5,1 % du PIB",
        "la dette continuerait de croître",
    }
    assert {a["modality"] for a in found.values()} == {"hedged"}  # the conditional
    assert {a["claim_type"] for a in found.values()} == {"plan"}
    assert sources(pred) == {"Le ministre de l’Économie"}
    assert len(pred.relations) == 2


def test_a_quote_with_an_inverted_reporting_verb(predict: Predict) -> None:
    pred = predict(
        CUES,
        "« Nous avons supprimé 300 postes en France depuis janvier », a précisé un "
        "porte-parole de Stellantis à l’AFP.",
    )
    found = claims(pred)
    assert set(found) == {"Nous avons supprimé 300 postes en France depuis janvier"}
    assert (
        found["Nous avons supprimé 300 postes en France depuis janvier"]["modality"] == "reported"
    )
    assert sources(pred) == {"un porte-parole de Stellantis", "AFP"}


def test_every_source_in_the_chain(predict: Predict) -> None:
    pred = predict(
        CUES,
        "Le Conseil d’État, citant un rapport de la Cour des comptes, estime que le chantier "
        "coûtera trois fois plus que prévu.",
    )
    assert sources(pred) == {"Conseil d’État", "un rapport de la Cour des comptes"}
    assert links(pred) == {
        ("le chantier coûtera trois fois plus que prévu", "Conseil d’État"),
        ("le chantier coûtera trois fois plus que prévu", "un rapport de la Cour des comptes"),
    }


def test_hedges_win_over_reported(predict: Predict) -> None:
    pred = predict(
        CUES,
        "Le groupe aurait apparemment renoncé à son usine en Espagne, rapporte le quotidien El País.",
    )
    (attrs,) = claims(pred).values()
    assert attrs["modality"] == "hedged"
    assert attrs["claim_type"] == "event"  # a past conditional is not a plan
    assert sources(pred) == {"El País"}


def test_coordinated_propositions_are_split(predict: Predict) -> None:
    pred = predict(CUES, "Airbus a livré 735 avions en 2023 et vise 800 livraisons en 2024.")
    assert claims(pred) == {
        "Airbus a livré 735 avions en 2023": {
            "claim_type": "quantity",
            "modality": "asserted",
            "checkworthy": "yes",
        },
        "vise 800 livraisons en 2024": {
            "claim_type": "plan",
            "modality": "asserted",
            "checkworthy": "yes",
        },
    }


def test_non_responses_are_not_checkworthy(predict: Predict) -> None:
    pred = predict(CUES, "La mairie de Lyon n’a pas répondu à nos sollicitations.")
    (attrs,) = claims(pred).values()
    assert attrs == {"claim_type": "event", "modality": "asserted", "checkworthy": "no"}


def test_opinions_without_cues_are_not_claims(predict: Predict) -> None:
    assert not predict(CUES, "Cette décision est une erreur historique.").spans


def test_superlatives_and_relations(predict: Predict) -> None:
    pred = predict(
        CUES,
        "Le site est la plus grande usine de batteries d’Europe. "
        "Stellantis est le premier actionnaire de la société Leclanché.",
    )
    types = {text: a["claim_type"] for text, a in claims(pred).items()}
    assert types["Le site est la plus grande usine de batteries d’Europe"] == "attribute"
    assert types["Stellantis est le premier actionnaire de la société Leclanché"] == "relation"


def test_claims_have_all_attributes_and_sources_none(predict: Predict) -> None:
    pred = predict(
        CUES,
        "Selon l’AFP, Tesla construira une usine à Berlin et pourrait embaucher 10 000 "
        "salariés d’ici 2027, a affirmé Elon Musk.",
    )
    assert pred.spans
    for s in pred.spans:
        assert pred.layer == "claims"
        if s.label == "CLAIM":
            assert set(s.attrs) == {"claim_type", "modality", "checkworthy"}
            assert s.score is not None and 0 < s.score <= 1
        else:
            assert s.attrs == {}
            assert s.score is None


def test_no_span_ends_on_a_guillemet_and_names_are_not_checkworthy(predict: Predict) -> None:
    pred = predict(
        CUES, "Selon Le Monde, le chantier coûtera 2 milliards d’euros et est appelé « Orion »."
    )
    found = claims(pred)
    assert found["est appelé « Orion"] == {
        "claim_type": "attribute",
        "modality": "reported",
        "checkworthy": "no",
    }
    assert found["le chantier coûtera 2 milliards d’euros"]["checkworthy"] == "yes"
