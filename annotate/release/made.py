"""How a release was made, beyond its rows: the settings its manifest records (the
agreement definition, the card template, the viewer format) and what changed in them
since the previous release.

A release made with changelog format 2 (manifest ``changelog_format``) lists these
changes in its changelog entry and its card ("What changed") and counts them for the
bump (:func:`annotate.release.version.propose_bump`): a new definition of a disagreement
is a correction (patch), a new card template or viewer format shows more (minor).
Releases that record no format (1: 1.0.0, 2.0.0, 2.1.0) listed data changes only and
rebuild so.

The disputes and notes of the raters (:mod:`annotate.disputes`) are counted here too,
under a release's own definition, for the card and the changelog.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotate.disputes import disagreements, notes
from annotate.model import Annotation

if TYPE_CHECKING:
    from annotate.release.data import ReleaseData

__all__ = [
    "CHANGELOG_FORMAT",
    "CHANGELOG_FORMATS",
    "DisputeCounts",
    "dispute_counts",
    "made_changes",
]

CHANGELOG_FORMATS = (1, 2)  # 1: data changes only (2.1.0 and before); 2: and how it is made
CHANGELOG_FORMAT = 2
_DEFINITIONS = {
    1: "where every field of a span counts, free text too",
    2: "where free text (the MQM comment) worded otherwise is a note, not a dispute",
}
# what a viewer format shows (annotate.release.viewer)
_VIEWER_FORMATS = {
    2: "drawn in the browser from the page's rows",
    3: "each rater's span marked as a dispute or a note by the release's agreement definition",
}


@dataclass(frozen=True, slots=True)
class DisputeCounts:
    """The raters' disputed regions and notes (:mod:`annotate.disputes`) under one
    agreement ``definition`` (no notes under definition 1: free text was a dispute)."""

    definition: int
    disputes: int
    notes: int

    def describe(self) -> str:
        n, m = self.disputes, self.notes
        return f"{n} dispute{'' if n == 1 else 's'} and {m} note{'' if m == 1 else 's'}"

    def to_dict(self) -> dict[str, int]:
        return {"definition": self.definition, "disputes": self.disputes, "notes": self.notes}


def dispute_counts(
    records: Iterable[Annotation],
    *,
    definition: int,
    known: tuple[int, int] | None = None,
) -> DisputeCounts:
    """The disputes and notes of the raters of ``records`` under ``definition``;
    ``known``: (disputes, notes) already counted under it (an agreement report's)."""
    if known is not None:
        return DisputeCounts(definition, *known)
    recs = list(records)
    found = len(disagreements(recs, definition=definition))
    return DisputeCounts(definition, found, len(notes(recs)) if definition > 1 else 0)


def made_changes(previous: dict[str, Any], data: ReleaseData) -> list[tuple[str, str]]:
    """(level, what) for each setting of how ``data`` is made that differs from the
    ``previous`` release's manifest."""
    from annotate.release.card_templates import PACKAGE_CARDS, agreement_plot_format

    out: list[tuple[str, str]] = []
    before, after = previous.get("agreement_definition", 1), data.agreement_definition
    if before != after and data.disputes is not None:
        old = dispute_counts(data.records, definition=before)
        out.append(
            (
                "patch",
                f"agreement: definition {before} → {after}, {_DEFINITIONS.get(after, '')}: "
                f"{data.disputes.describe()} instead of {old.disputes} disagreements",
            )
        )
    card_before, card_after = _card_name(previous), data.card_input
    if card_before != card_after:
        card = PACKAGE_CARDS.get(card_after)
        adds = f": {card.adds}" if card is not None and card.adds else ""
        out.append(("minor", f"card: template {card_before} → {card_after}{adds}"))
        plots = agreement_plot_format(card_before), agreement_plot_format(card_after)
        if plots == (1, 2) and data.card is not None:
            out.append(
                (
                    "minor",
                    "agreement.png: the per-region choices and segment judgements drawn as "
                    "Cohen's κ and Krippendorff's α (was: observed agreement)",
                )
            )
    view_before = previous.get("viewer_format", 1) if previous.get("viewer") else None
    view_after = data.viewer_format if data.viewer else None
    if view_after is not None and view_before != view_after:
        what = _VIEWER_FORMATS.get(view_after, "")
        out.append(("minor", f"viewer: format {view_before or 'none'} → {view_after}: {what}"))
    return out


def _card_name(manifest: dict[str, Any]) -> str:
    """The card template a manifest records (those before it: as recorded_card reads)."""
    from annotate.release.card_templates import FIRST_PACKAGE_CARD, LEGACY_CARD

    recorded = manifest.get("card_template")
    if isinstance(recorded, str):
        return recorded
    names = {e.get("path") for e in manifest.get("inputs") or []}
    return LEGACY_CARD if LEGACY_CARD in names else FIRST_PACKAGE_CARD
