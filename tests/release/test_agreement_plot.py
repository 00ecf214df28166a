"""agreement.png: what it draws is keyed on the card template a release records, so that
2.1.0 (card v2) rebuilds its plot of observed agreement while card v3 releases draw
Cohen's kappa and Krippendorff's alpha as the card's tables report them."""

from __future__ import annotations

from pathlib import Path

from annotate.release.card_templates import PACKAGE_CARDS, agreement_plot_format
from annotate.release.plot import agreement_panels, write_agreement_plot

AGREEMENT = {
    "spans": [{"layer": "entities", "matching": "exact", "annotators": "a vs b", "f1": 0.9}],
    "attributes": [
        {"layer": "claims", "attribute": "modality", "annotators": "a vs b", "agreement": 0.8}
    ],
    "judgements": [{"layer": "translation_errors", "annotators": "a vs b", "alpha": 1.0}],
    "choices": [
        {
            "layer": "claims",
            "choice": "modality",
            "annotators": "a vs b",
            "items": 10,
            "observed": 0.8,
            "kappa": 0.62,
            "alpha": 0.61,
        },
        {
            "layer": "claims",
            "choice": "checkworthy",
            "annotators": "a vs b",
            "items": 10,
            "observed": 1.0,
            "kappa": None,
            "alpha": None,
        },
        {
            "layer": "claims",
            "choice": "modality",
            "annotators": "all",
            "items": 12,
            "observed": None,
            "kappa": None,
            "alpha": -0.1,
        },
    ],
}


def test_the_plot_format_follows_the_recorded_card_template():
    assert agreement_plot_format("annotate:release/cards/v2.md") == 1  # 2.1.0
    assert agreement_plot_format("annotate:release/dataset_card.md") == 1
    assert agreement_plot_format("annotate:release/cards/v3.md") == 2
    assert agreement_plot_format("dataset_card.md") == 1  # a project's template
    assert {c.name for c in PACKAGE_CARDS.values() if c.agreement_plot > 1} == {
        "annotate:release/cards/v3.md"
    }


def test_format_1_draws_observed_agreement_format_2_kappa_and_alpha(tmp_path: Path):
    old = dict(agreement_panels(AGREEMENT, plot_format=1))
    assert old["Per-region choices: agreement"] == [("claims · modality · a vs b", 0.8)]
    assert old["Segment judgements: alpha"] == [("translation_errors · a vs b", 1.0)]
    new = dict(agreement_panels(AGREEMENT, plot_format=2))
    assert list(new) == [
        "Spans: F1",
        "Per-region choices and judgements: Cohen's κ",
        "Per-region choices and judgements: Krippendorff's α",
    ]
    # an undefined value (checkworthy: one value only) is left out, not drawn as 0
    assert new["Per-region choices and judgements: Cohen's κ"] == [
        ("claims · modality · a vs b", 0.62)
    ]
    assert new["Per-region choices and judgements: Krippendorff's α"] == [
        ("claims · modality · a vs b", 0.61),
        ("claims · modality · all", -0.1),
    ]
    one, two = tmp_path / "1.png", tmp_path / "2.png"
    assert write_agreement_plot(AGREEMENT, path=one, plot_format=1)
    assert write_agreement_plot(AGREEMENT, path=two, plot_format=2)
    assert one.read_bytes()[:8] == two.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert one.read_bytes() != two.read_bytes()
