"""The card templates shipped in the package, kept by sha256: a release records the template
it was rendered with (``card_template`` in its manifest, and among its inputs with the
file's sha256), so a template a release was built with is never edited — a new card is a
new file and a new entry here, and :data:`DEFAULT_CARD` names the one new releases use.

- ``annotate:release/dataset_card.md`` (``cards/v1.md``): the card of 2.0.0 of the bundled
  article, which loops over the layers (the file was ``annotate/release/dataset_card.md``).
- ``annotate:release/cards/v2.md``: the card that follows the Hub's conventions (metadata
  of who made what, ``dataset_info``, Data Fields tables, example rows, annotators,
  agreement plot, considerations, citation, license; one load snippet); release 2.1.0's.
- ``annotate:release/cards/v3.md``: v2 with the agreement on the per-region choices and
  judgements as ``annotate agreement`` reports it: observed agreement, Cohen's kappa and
  Krippendorff's alpha with the number of items, pairwise and over all raters; its
  ``agreement.png`` draws kappa and alpha too (``agreement_plot`` 2).

(1.0.0 was built with a template of the project, the root ``dataset_card.md``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError

__all__ = [
    "DEFAULT_CARD",
    "FIRST_PACKAGE_CARD",
    "PACKAGE_CARDS",
    "PACKAGE_PREFIX",
    "PackageCard",
    "agreement_plot_format",
    "package_card",
    "package_card_name",
    "recorded_card",
]

_DIR = Path(__file__).with_name("cards")
PACKAGE_PREFIX = "annotate:"  # a recorded template of the package, not of the project
# what releases that recorded no template but named no project card were rendered with
FIRST_PACKAGE_CARD = "annotate:release/dataset_card.md"
LEGACY_CARD = "dataset_card.md"  # the project template of releases that record none (1.0.0)


@dataclass(frozen=True, slots=True)
class PackageCard:
    name: str  # how a manifest names it (``card_template``, and its input path)
    file: str  # under annotate/release/cards/
    sha256: str  # of the file: a test checks that no recorded template changed
    # agreement.png's choices: 1 observed agreement (2.1.0), 2 Cohen's κ and Krippendorff's
    # α as the card's tables (annotate.release.plot)
    agreement_plot: int = 1
    adds: str = ""  # what it shows that the one before did not (a changelog line)

    @property
    def path(self) -> Path:
        return _DIR / self.file


PACKAGE_CARDS: dict[str, PackageCard] = {
    card.name: card
    for card in (
        PackageCard(
            "annotate:release/dataset_card.md",
            "v1.md",
            "a0fa6ceda47d39df5c9521ad51b67125962c639237a97e7c02203d53273925f0",
        ),
        PackageCard(
            "annotate:release/cards/v2.md",
            "v2.md",
            "4f4894fae32d500a1c0474c2bfe9507473bad5647b0863127be65abed63c840e",
        ),
        PackageCard(
            "annotate:release/cards/v3.md",
            "v3.md",
            "d2d83f8aadb962a699a652c37cc107195e4b0fc4f1ce2d39b607cc0014a57e8c",
            agreement_plot=2,
            adds="per choice and judgement observed agreement, Cohen's κ and Krippendorff's α, "
            "pairwise and over all raters, and the raters' disputes and notes",
        ),
    )
}
DEFAULT_CARD = "annotate:release/cards/v3.md"


def package_card(name: str) -> PackageCard:
    """The package template a manifest names; a :class:`ConfigError` listing the known
    names otherwise (a release made by a newer toolkit)."""
    try:
        return PACKAGE_CARDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown package card template {name!r}",
            hint=f"known: {', '.join(PACKAGE_CARDS)}; the release may need a newer annotate",
        ) from None


def agreement_plot_format(card_input: str) -> int:
    """How ``agreement.png`` draws the choices for a release rendered with the template a
    manifest names ``card_input``: the package card's format; a project's template: 1."""
    card = PACKAGE_CARDS.get(card_input)
    return card.agreement_plot if card is not None else 1


def package_card_name(path: Path) -> str | None:
    """The recorded name of ``path`` when it is one of the package's templates."""
    resolved = path.resolve()
    for card in PACKAGE_CARDS.values():
        if card.path.resolve() == resolved:
            return card.name
    return None


def recorded_card(manifest: dict[str, Any], root: Path) -> Path:
    """The card template a release was built with: one of the package's or a file of the
    project under ``root``. Releases from before the manifest recorded it name
    ``dataset_card.md`` among their inputs."""
    recorded = manifest.get("card_template")
    if recorded is None:
        names = {e.get("path") for e in manifest.get("inputs") or []}
        recorded = LEGACY_CARD if LEGACY_CARD in names else FIRST_PACKAGE_CARD
    if recorded.startswith(PACKAGE_PREFIX):
        return package_card(recorded).path
    return root / recorded
