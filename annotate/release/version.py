"""Semantic versions of a dataset, and the rule that proposes the next one from a diff.

- **major**: the schema removes or renames something a consumer may read: a config, a
  column, a label, a value of a choice, a field or a relation;
- **minor**: something was added: documents, annotations (spans, judged segments, or
  the raw rows of an annotator whose work is not the gold, in the ``annotations``
  config), labels or fields; documents were removed;
- **patch**: existing annotations were corrected or removed (a wrong span taken out is a
  correction), in the gold or in those raw rows.

Pre-releases (``1.0.0-dev``) are never a previous version; the first release is 1.0.0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotate.errors import ConfigError
from annotate.names import SEMVER
from annotate.release.changes import ReleaseDiff
from annotate.release.manifest import MANIFEST

__all__ = [
    "BUMPS",
    "BumpProposal",
    "Level",
    "bump_version",
    "latest_version",
    "parse_version",
    "propose_bump",
]

Level = Literal["major", "minor", "patch"]
BUMPS = ("auto", "major", "minor", "patch")
FIRST = "1.0.0"
_SEMVER = SEMVER


def parse_version(version: str) -> tuple[int, int, int, str | None]:
    """(major, minor, patch, pre-release) of a semantic version; ConfigError otherwise."""
    m = _SEMVER.match(version)
    if m is None:
        raise ConfigError(f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return int(m[1]), int(m[2]), int(m[3]), m[4]


def bump_version(version: str, level: Level) -> str:
    major, minor, patch, _ = parse_version(version)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def latest_version(dataset_dir: Path) -> str | None:
    """The highest released (not pre-release) version under ``releases/<dataset>/``."""
    found = []
    if dataset_dir.is_dir():
        for p in dataset_dir.iterdir():
            if not (p / MANIFEST).is_file() or p.name.startswith("."):
                continue
            try:
                major, minor, patch, pre = parse_version(p.name)
            except ConfigError:
                continue
            if pre is None:
                found.append(((major, minor, patch), p.name))
    return max(found)[1] if found else None


@dataclass(slots=True)
class BumpProposal:
    """The version proposed for a release and why."""

    level: Level | None  # None: first release, or nothing changed
    previous: str | None
    version: str
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "previous": self.previous,
            "version": self.version,
            "reasons": self.reasons,
        }


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def propose_bump(diff: ReleaseDiff | None, previous: str | None) -> BumpProposal:
    """The bump that ``diff`` calls for (see the module's rule), with one reason per kind
    of change. Without a previous release the version is 1.0.0."""
    if previous is None or diff is None:
        return BumpProposal(None, None, FIRST, ["first release"])
    major = [f"schema: {what} removed or renamed" for what in diff.schema_removed]
    minor = [f"schema: {what} added" for what in diff.schema_added]
    patch: list[str] = []
    if diff.documents["added"]:
        minor.append(f"{_n(len(diff.documents['added']), 'document')} added")
    if diff.documents["removed"]:
        minor.append(f"{_n(len(diff.documents['removed']), 'document')} removed")
    if diff.documents["changed"]:
        patch.append(f"{_n(len(diff.documents['changed']), 'document')} with changed metadata")
    for name, d in diff.configs.items():
        what = "judged segment" if name == "segments" else f"{name} row"
        c = d.counts()
        if c["added"]:
            minor.append(f"{_n(c['added'], what)} added")
        if c["changed"]:
            patch.append(f"{_n(c['changed'], what)} corrected")
        if c["removed"]:
            patch.append(f"{_n(c['removed'], what)} removed")
    for made_level, what in diff.made:  # how the release is made (annotate.release.made)
        (minor if made_level == "minor" else patch).append(what)
    for layer, c in diff.raw.items():
        what, by = f"raw {layer} row", "of the other annotators"
        if c["added"]:
            minor.append(f"{_n(c['added'], what)} {by} added")
        if c["changed"]:
            patch.append(f"{_n(c['changed'], what)} {by} corrected")
        if c["removed"]:
            patch.append(f"{_n(c['removed'], what)} {by} removed")
    level: Level | None
    if major:
        level = "major"
    elif minor:
        level = "minor"
    elif patch:
        level = "patch"
    else:
        return BumpProposal(None, previous, previous, ["no change since " + previous])
    reasons = (
        [f"major: {r}" for r in major]
        + [f"minor: {r}" for r in minor]
        + [f"patch: {r}" for r in patch]
    )
    return BumpProposal(level, previous, bump_version(previous, level), reasons)
