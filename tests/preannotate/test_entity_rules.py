"""The entity rules on invented French news sentences (none is from the bundled article):
each expectation is a span rule of docs/guidelines.md."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from annotate.corpus import make_document
from annotate.errors import ConfigError
from annotate.preannotate import PredictorOptions, get_predictor, run_predictors
from annotate.preannotate.gazetteer import load_gazetteer

from .helpers import Predict, found

RULES = "entities.rules"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le chantier coûtera 40 milliards de dollars.", ("40 milliards de dollars", "MONEY")),
        ("La start-up a levé 2,5 millions d’euros.", ("2,5 millions d’euros", "MONEY")),
        ("Le casque est vendu 300 $ en France.", ("300 $", "MONEY")),
        (
            "Le groupe a investi plusieurs milliards de dollars.",
            ("plusieurs milliards de dollars", "MONEY"),
        ),
        # approximators and bounds stay outside
        ("Le budget atteindra jusqu’à 2 milliards d’euros.", ("2 milliards d’euros", "MONEY")),
        ("Un budget de 3 $. milliards a été voté.", ("3 $. milliards", "MONEY")),  # garbled
        ("Le contrat prévoit un million de dollars.", ("un million de dollars", "MONEY")),
        # a bare amount is money when the text says so
        ("Le chantier coûtera 100 milliards.", ("100 milliards", "MONEY")),
        ("L’usine emploie environ 300 salariés supplémentaires.", ("300 salariés", "QUANTITY")),
        (
            "Il a vendu des millions de smartphones reconditionnés.",
            ("millions de smartphones", "QUANTITY"),
        ),
        ("Le projet compte une série de quatre usines.", ("quatre usines", "QUANTITY")),
        ("Les ventes ont bondi de 12 % en un an.", ("12 %", "QUANTITY")),
        ("C’est 30 fois plus cher que prévu.", ("30 fois", "QUANTITY")),
        ("Le parc produira 500 MW à terme.", ("500 MW", "QUANTITY")),
        ("Le groupe gère 1 200 centres de données.", ("1 200 centres de données", "QUANTITY")),
    ],
)
def test_money_and_quantities(predict: Predict, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(predict(RULES, text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le site ouvrira en septembre dernier.", ("septembre dernier", "DATE")),
        ("La loi s’appliquera dès 2030.", ("2030", "DATE")),
        (
            "Ils investiront au cours des cinq prochaines années.",
            ("cinq prochaines années", "DATE"),
        ),
        ("Le rapport sera publié au début de 2025.", ("début de 2025", "DATE")),
        ("Le chantier finira d’ici la fin de l’année.", ("la fin de l’année", "DATE")),
        ("L’accord sera signé l’année prochaine.", ("l’année prochaine", "DATE")),
        # the article before a calendar date is dropped
        ("La réunion aura lieu le 3 mars 2024 à Lyon.", ("3 mars 2024", "DATE")),
        ("La réunion aura lieu le lundi 3 mars.", ("lundi 3 mars", "DATE")),
        ("Il a dirigé le groupe pendant trois ans.", ("trois ans", "DATE")),
        ("Le vote est prévu à 15 h 30.", ("15 h 30", "DATE")),
        ("La ministre a répondu mardi.", ("mardi", "DATE")),
        ("Le chômage a reculé au troisième trimestre 2023.", ("troisième trimestre 2023", "DATE")),
    ],
)
def test_dates_without_preposition(predict: Predict, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(predict(RULES, text))


def test_no_span_for_ordinals_anaphoric_numbers_and_articles(predict: Predict) -> None:
    text = "Les deux sociétés en sont à la deuxième étape, avec un partenaire et une usine."
    labels = {label for _, label in found(predict(RULES, text))}
    assert not labels & {"QUANTITY", "MONEY", "DATE"}


def test_gazetteer_fixes_model_labels_and_gives_kb_ids(predict: Predict) -> None:
    pred = predict(RULES, "Selon Reuters, Microsoft et Tesla ont signé un accord avec l’UE.")
    assert {("Reuters", "ORG"), ("Microsoft", "ORG"), ("Tesla", "ORG"), ("UE", "ORG")} <= found(
        pred
    )
    kb = {s.text: s.attrs.get("kb_id") for s in pred.spans}
    assert kb["Microsoft"] == "Q2283"
    assert kb["UE"] == "Q458"


def test_elided_articles_are_never_entities(predict: Predict) -> None:
    text = "Le groupe Renault est en train de s’adapter et n’a pas commenté l’accord d’Airbus."
    raw = found(predict("entities.spacy", text))
    ours = found(predict(RULES, text))
    assert not any(t.endswith("’") for t, _ in ours)
    assert ("Airbus", "ORG") in ours
    # the raw model is shown as it is (a baseline): here it tags the elided words
    assert raw != ours


def test_a_common_noun_glued_to_a_name_is_left_out(predict: Predict) -> None:
    pred = predict(RULES, "Le Partenariat Google et Samsung se renforce, selon les analystes.")
    assert ("Google", "ORG") in found(pred)
    assert not any(t.startswith("Partenariat") for t, _ in found(pred))


def test_titles_and_roles_are_not_part_of_person_names(predict: Predict) -> None:
    text = "M. Dupont a rencontré la PDG Marie Lefèvre, directrice générale de Renault."
    assert {("Dupont", "PER"), ("Marie Lefèvre", "PER"), ("Renault", "ORG")} <= found(
        predict(RULES, text)
    )


def test_demonyms_are_misc_but_not_inside_institution_names(predict: Predict) -> None:
    text = (
        "Les régulateurs britanniques et la Commission européenne enquêtent; il parle en français."
    )
    spans = found(predict(RULES, text))
    assert ("britanniques", "MISC") in spans
    assert ("Commission européenne", "ORG") in spans
    assert ("européenne", "MISC") not in spans
    assert ("français", "MISC") not in spans  # a language


def test_head_nouns_decide_the_label(predict: Predict) -> None:
    spans = found(
        predict(
            RULES,
            "Le centre de données Nova consommera 1 GW. Le plan Horizon prévoit cinq sites. "
            "Le modèle Mistral Large est disponible.",
        )
    )
    assert {("Nova", "FAC"), ("Horizon", "MISC"), ("Mistral Large", "PRODUCT")} <= spans


def test_a_named_project_takes_the_label_of_its_head_noun(predict: Predict) -> None:
    spans = found(predict(RULES, "Le projet, baptisé « Helios », reliera Lyon et Grenoble."))
    assert ("Helios", "MISC") in spans


def test_a_seat_of_power_acting_is_an_organisation(predict: Predict) -> None:
    spans = found(
        predict(RULES, "Bruxelles veut encadrer l’IA, a expliqué le commissaire à Paris.")
    )
    assert ("Bruxelles", "ORG") in spans
    assert ("Paris", "LOC") in spans


def test_labels_are_consistent_within_a_document(predict: Predict) -> None:
    text = (
        "Selon The Verge, le contrat a été signé hier. "
        "La Verge précise que Nvidia livrera les puces. Nvidia n’a pas commenté."
    )
    pred = predict(RULES, text)
    labels = {s.label for s in pred.spans if s.text == "Nvidia"}
    assert labels == {"ORG"}
    assert sum(s.text == "Nvidia" for s in pred.spans) == 2
    # the translated form of a kept English name, article included, takes its label
    assert ("La Verge", "ORG") in found(pred)
    assert ("Verge", "LOC") not in found(pred)


def test_spans_satisfy_the_offset_contract_and_ids_are_deterministic(predict: Predict) -> None:
    text = "Le 4 mars 2024, la Commission européenne a infligé 1,8 milliard d’euros à Apple."
    doc = make_document(text, lang="fr")
    first = run_predictors([RULES], [doc])[0]
    again = run_predictors([RULES], [doc])[0]
    assert [s.to_dict() for s in first.spans] == [s.to_dict() for s in again.spans]
    for s in first.spans:
        assert doc.text[s.start : s.end] == s.text
        assert s.id == f"{RULES}-{s.start}-{s.end}"
        assert s.score is None or 0 < s.score <= 1
    starts = [(s.start, s.end) for s in first.spans]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(starts))  # no overlap


def test_boilerplate_paragraphs_get_no_entities() -> None:
    doc = make_document(
        "Microsoft investit 10 milliards de dollars.\nCe contenu a été traduit par Google.",
        lang="fr",
        boilerplate=[1],
    )
    pred = run_predictors([RULES], [doc])[0]
    assert pred.spans
    assert all(s.end <= doc.paragraphs[0].end for s in pred.spans)


def test_user_gazetteer_extends_the_builtin_one(tmp_path: Path) -> None:
    tsv = tmp_path / "noms.tsv"
    tsv.write_text("# label\tname\tQID\nFAC\tCampus Orion\nORG\tZentrale Nord\tQ42\n", "utf-8")
    jsonl = tmp_path / "noms.jsonl"
    jsonl.write_text(
        json.dumps({"label": "PRODUCT", "pattern": [{"LOWER": "zephyr"}, {"TEXT": "X"}]}) + "\n",
        "utf-8",
    )
    options = PredictorOptions(gazetteer=(tsv, jsonl))
    predictor = get_predictor(RULES, options)
    assert "+gazetteer:" in predictor.version
    doc = make_document(
        "Zentrale Nord construit le Campus Orion pour son robot Zephyr X dès demain.", lang="fr"
    )
    pred = run_predictors([RULES], [doc], options=options)[0]
    spans = {(s.text, s.label, s.attrs.get("kb_id")) for s in pred.spans}
    assert {
        ("Zentrale Nord", "ORG", "Q42"),
        ("Campus Orion", "FAC", None),
        ("Zephyr X", "PRODUCT", None),
    } <= spans


def test_a_bad_gazetteer_reports_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("ORG\tOK\nPLACE\tNowhere\nORG\nORG\tX\tQ-1\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        load_gazetteer(path)
    message = str(info.value)
    assert "line 2" in message
    assert "line 3" in message
    assert "line 4" in message
    assert str(path) in message
