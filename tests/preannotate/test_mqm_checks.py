"""The monolingual MQM checks on invented machine-translated French (none is from the
bundled article): each error is one the guidelines list as visible without the source."""

from __future__ import annotations

import pytest

from annotate.layers import get_layer
from annotate.preannotate import Prediction
from annotate.schemas import taxonomy

from .helpers import Predict

CHECKS = "translation_errors.checks"


def errors(pred: Prediction) -> set[tuple[str, str, str]]:
    return {(s.text, s.label, s.attrs["severity"]) for s in pred.spans}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Le ministre a rencontré les dirigeants de Renault. dans un communiqué publié lundi.",
            {(".", "fluency/punctuation", "minor")},
        ),
        (
            "“Nous continuerons à investir en France”, a déclaré la directrice.",
            {("“", "fluency/punctuation", "minor"), ("”", "fluency/punctuation", "minor")},
        ),
        (
            "Il a dit «nous sommes prêts» lors de la conférence.",
            {("«", "fluency/punctuation", "minor"), ("»", "fluency/punctuation", "minor")},
        ),
        (
            "Le partenariat entre les deux les pays est soumis à un examen.",
            {("les", "fluency/grammar", "minor")},
        ),
        (
            "Le ministre a annoncé annoncé sa démission.",
            {("annoncé", "fluency/grammar", "minor")},
        ),
        (
            "Les régulateurs Européens examinent la prochaine mise à jour La version du logiciel.",
            {("Européens", "fluency/spelling", "minor"), ("La", "fluency/spelling", "minor")},
        ),
        (
            "L’accord a été validé par le board of directors de la société.",
            {("board of directors", "accuracy/untranslated", "major")},
        ),
        (
            "La société a levé $300 millions auprès de fonds américains.",
            {("$300 millions", "locale/currency-format", "minor")},
        ),
        (
            "Le chiffre d’affaires a progressé de 3.5 millions d’euros, avec 1,200 salariés.",
            {
                ("3.5", "locale/number-format", "minor"),
                ("1,200", "locale/number-format", "minor"),
            },
        ),
        (
            "Les chercheurs ont formé un modèle d’IA sur des documents publics.",
            {("formé", "terminology/inappropriate", "minor")},
        ),
        (
            "La co-fondatrice de la co-entreprise a démissionné.",
            {
                ("co-fondatrice", "fluency/spelling", "minor"),
                ("co-entreprise", "fluency/spelling", "minor"),
            },
        ),
    ],
)
def test_each_check(predict: Predict, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert errors(predict(CHECKS, text)) == expected


def test_garbled_amount_is_critical_unless_the_text_gives_the_value(predict: Predict) -> None:
    alone = predict(CHECKS, "Le budget du projet atteint 3 $. milliards selon des documents.")
    assert errors(alone) == {("3 $. milliards", "accuracy/mistranslation", "critical")}
    (span,) = alone.spans
    assert span.attrs["correction"] == "3 milliards de dollars"
    restored = predict(
        CHECKS,
        "Le budget atteint 3 $. milliards.\nLe projet coûtera 3 milliards de dollars au total.",
    )
    assert errors(restored) == {("3 $. milliards", "accuracy/mistranslation", "major")}


def test_a_symbol_with_a_magnitude_word_is_a_currency_format_error(predict: Predict) -> None:
    pred = predict(CHECKS, "Le fonds pèse 5 $ milliards.")
    assert errors(pred) == {("5 $ milliards", "locale/currency-format", "minor")}
    assert pred.spans[0].attrs["correction"] == "5 milliards de dollars"


def test_a_name_translated_in_one_place_and_kept_in_another(predict: Predict) -> None:
    pred = predict(
        CHECKS,
        "Selon The Verge, le contrat a été signé hier. La Verge précise que le montant reste secret.",
    )
    assert errors(pred) == {("La Verge", "accuracy/mistranslation", "major")}
    assert pred.spans[0].attrs["correction"] == "The Verge"


@pytest.mark.parametrize(
    "text",
    [
        "Tous les salariés de La Poste et du Monde ont reçu une prime de 300 €.",
        "M. Dupont a signé l’accord le 3 mars 2024 à Paris, a indiqué « Le Parisien ».",
        "« Nous sommes prêts », a déclaré la ministre à l’AFP.",
        "Le groupe vise 1,5 million de clients et une croissance de 2,5 %.",
        "Selon The Information, OpenAI prépare GPT-3.5 Turbo pour les start-up.",
    ],
)
def test_correct_french_gives_no_error(predict: Predict, text: str) -> None:
    assert errors(predict(CHECKS, text)) == set()


def test_proposals_respect_the_schema_and_its_forbidden_combinations(predict: Predict) -> None:
    pred = predict(
        CHECKS,
        "“Le budget”, dit-il. atteint 3 $. milliards, et les deux les entreprises, "
        "les régulateurs Britanniques et le board of directors ont formé un modèle.",
    )
    tax = taxonomy("translation_errors")
    forbidden = {(f["label"], f["severity"]) for f in tax.forbidden}
    layer = get_layer("translation_errors")
    assert len(pred.spans) >= 5
    for s in pred.spans:
        assert s.label in tax.labels
        assert s.attrs["severity"] in tax.choices["severity"].values
        assert (s.label, s.attrs["severity"]) not in forbidden
        assert layer.weight(s.label, s.attrs["severity"]) > 0
        assert s.score is not None
    assert len({s.id for s in pred.spans}) == len(pred.spans)


def test_boilerplate_paragraphs_are_checked_too(predict: Predict) -> None:
    from annotate.corpus import make_document
    from annotate.preannotate import run_predictors

    doc = make_document(
        "Un texte.\nCe contenu a été traduit. dans la langue originale.", lang="fr", boilerplate=[1]
    )
    (pred,) = run_predictors([CHECKS], [doc])
    assert errors(pred) == {(".", "fluency/punctuation", "minor")}
