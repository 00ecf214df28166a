"""The package's card templates are kept by sha256: a release names the one it was rendered
with, so each registered file must keep its bytes (a new card is a new file)."""

from __future__ import annotations

import pytest

from annotate.errors import ConfigError
from annotate.pins import file_sha256
from annotate.release.card_templates import (
    DEFAULT_CARD,
    PACKAGE_CARDS,
    package_card,
    package_card_name,
)
from annotate.release.data import PACKAGE_CARD, PACKAGE_CARD_INPUT


@pytest.mark.parametrize("name", sorted(PACKAGE_CARDS))
def test_every_package_template_keeps_the_bytes_releases_recorded(name):
    card = PACKAGE_CARDS[name]
    assert file_sha256(card.path) == card.sha256, (
        f"{card.path} changed: releases recorded it; add a new template file instead"
    )
    assert package_card_name(card.path) == name


def test_new_releases_use_the_default_template():
    assert package_card(DEFAULT_CARD).path == PACKAGE_CARD
    assert PACKAGE_CARD_INPUT == DEFAULT_CARD


def test_an_unknown_recorded_template_is_refused_with_the_known_names():
    with pytest.raises(ConfigError) as err:
        package_card("annotate:release/cards/v99.md")
    assert "annotate:release/dataset_card.md" in (err.value.hint or "")
