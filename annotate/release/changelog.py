"""The dataset's CHANGELOG.md: one entry per version, newest first.

The changelog lives beside the versions (``releases/<dataset>/CHANGELOG.md``) and a copy of
it, as it stood when the version was made, is inside each release.
"""

from __future__ import annotations

from annotate.release.changes import ReleaseDiff
from annotate.release.version import BumpProposal

__all__ = ["CHANGELOG", "add_entry", "changelog_entry"]

CHANGELOG = "CHANGELOG.md"


def changelog_entry(
    version: str,
    *,
    proposal: BumpProposal,
    diff: ReleaseDiff | None,
    date: str | None,
    overridden: bool = False,
    diff_pages: str | None = None,
) -> str:
    """The Markdown entry of one version: heading, why this version, what changed, and
    the link to the visual diff (``diff_pages``, relative to the changelog) when given."""
    heading = f"## {version}" + (f" — {date[:10]}" if date else "")
    if proposal.previous is None:
        why = "First release."
    elif proposal.level is None:
        why = f"No change in the data since {proposal.previous}."
    else:
        why = f"{proposal.level.capitalize()} release after {proposal.previous}."
    if overridden:
        why += f" The version was chosen by hand (the rule proposed {proposal.version})."
    body = diff.summary() if diff is not None else "- first version of the dataset"
    reasons = "".join(f"\n- {r}" for r in proposal.reasons if proposal.previous is not None)
    parts = [heading, "", why]
    if reasons:
        parts += ["", "Why this version:" + reasons]
    parts += ["", "What changed:", "", body, ""]
    if diff_pages:
        parts[-1:] = [
            "",
            f"Every change drawn, document by document: [{diff_pages}]({diff_pages})",
            "",
        ]
    return "\n".join(parts)


def add_entry(existing: str | None, entry: str, *, dataset: str) -> str:
    """``existing`` changelog text with ``entry`` first."""
    header = f"# Changelog of {dataset}\n\nOne entry per version, newest first.\n"
    rest = ""
    if existing:
        at = existing.find("\n## ")
        rest = existing[at + 1 :] if at >= 0 else ""
    return f"{header}\n{entry.rstrip()}\n" + (f"\n{rest.rstrip()}\n" if rest else "")
