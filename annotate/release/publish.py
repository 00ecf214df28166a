"""``annotate release``: build the next version of a dataset, with the version chosen from
what changed, a changelog entry, the training formats, and optionally the Hub.

The data files are written first into a temporary directory beside the releases; they are
compared with the latest release (:mod:`annotate.release.diff`), the rule of
:mod:`annotate.release.version` proposes the version (which the caller may override), and
only then are the card, the changelog and the manifest written with that version and the
directory renamed into place. ``releases/<dataset>/CHANGELOG.md`` gets the new entry, and
with ``push_to_hub`` the release is uploaded and tagged.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError, ReleaseError
from annotate.files import write_atomic
from annotate.model import GoldSet
from annotate.names import check_dataset_name, check_repo_id, check_version, path_under
from annotate.release.build import (
    BuildResult,
    place,
    refuse_existing,
    staging,
    write_data,
    write_metadata,
)
from annotate.release.card_settings import CardSettings
from annotate.release.changelog import CHANGELOG, add_entry, changelog_entry
from annotate.release.changes import ReleaseDiff
from annotate.release.data import ReleaseData, release_data
from annotate.release.diff import Snapshot, diff_snapshots, load_snapshot
from annotate.release.diff_view import diff_pages_path, write_diff_pages
from annotate.release.formats import FORMATS, check_formats
from annotate.release.guard import Acceptance, check_publishable
from annotate.release.hub import HubResult, hub_token
from annotate.release.hub import push_to_hub as push
from annotate.release.made import made_changes
from annotate.release.manifest import read_manifest
from annotate.release.shards import ShardLimits
from annotate.release.version import (
    BUMPS,
    BumpProposal,
    bump_version,
    latest_version,
    parse_version,
    propose_bump,
)

__all__ = [
    "ReleaseResult",
    "check_options",
    "compare_with",
    "diff_release",
    "release",
    "write_version_metadata",
]

Progress = Callable[[str], None]


@dataclass(slots=True)
class ReleaseResult:
    path: Path
    version: str
    proposal: BumpProposal
    overridden: bool
    diff: ReleaseDiff | None
    build: BuildResult
    changelog_entry: str
    hub: HubResult | None = None


def _choose(proposal: BumpProposal, previous: str | None, *, bump: str, version: str | None) -> str:
    if bump not in BUMPS:
        raise ConfigError(f"unknown bump {bump!r}; known: {', '.join(BUMPS)}")
    if version is not None:
        chosen = parse_version(version)
        if previous is not None and chosen[:3] <= parse_version(previous)[:3]:
            raise ConfigError(
                f"version {version} is not after the latest release {previous}",
                hint=f"the rule proposes {proposal.version}",
            )
        return version
    if bump == "auto":
        return proposal.version
    if previous is None:
        return bump_version("0.0.0", bump)  # type: ignore[arg-type]
    return bump_version(previous, bump)  # type: ignore[arg-type]


def release(
    gold: GoldSet,
    *,
    out: Path,
    dataset: str,
    card_template: Path | None = None,
    bump: str = "auto",
    version: str | None = None,
    license: str = "other",
    formats: Sequence[str] = tuple(FORMATS),
    allow_empty: bool = False,
    accept: Acceptance = Acceptance(),
    notes: Path | None = None,
    push_to_hub: str | None = None,
    private: bool = False,
    project_root: Path = Path("."),
    viewer: bool = True,
    diff_pages: bool = True,
    shards: ShardLimits | None = ShardLimits(),
    card_settings: CardSettings = CardSettings(),
    progress: Progress | None = None,
) -> ReleaseResult:
    """Build the next release of ``dataset`` under ``out`` from a gold set
    (:func:`annotate.pipeline.gold_set`); see the module docstring."""
    say = progress or (lambda _msg: None)
    formats = check_formats(formats)
    dataset_dir = check_options(out, dataset, bump=bump, version=version, repo_id=push_to_hub)
    previous = latest_version(dataset_dir)
    data = release_data(
        gold,
        card_template=card_template,
        notes=notes,
        project_root=project_root,
        progress=progress,
    )
    data.viewer = viewer  # the release ships its HTML viewer (viewer/index.html)
    data.diff_pages = diff_pages  # and the visual diff with the previous version
    data.shards = shards  # when a config is cut into shards (recorded in the manifest)
    data.card = card_settings  # the Hub card's settings (annotate.toml), in the manifest
    data.accepted = check_publishable(data.report, accept, needs_review=gold.needs_review())
    with staging(out, dataset, "next") as tmp:
        file_rows = write_data(data, tmp, formats=formats, progress=progress)
        if previous is not None:
            say(f"comparing with {previous}")
        diff, proposal = compare_with(data, tmp, dataset_dir=dataset_dir, previous=previous)
        if version is None and bump == "auto" and proposal.level is None and not allow_empty:
            _refuse_unchanged(dataset_dir, previous)
        chosen = _choose(proposal, previous, bump=bump, version=version)
        target = path_under(dataset_dir, check_version(chosen))
        refuse_existing(target)
        overridden = previous is not None and chosen != proposal.version
        manifest, entry, full = write_version_metadata(
            data,
            tmp,
            file_rows=file_rows,
            dataset=dataset,
            version=chosen,
            proposal=proposal,
            diff=diff,
            overridden=overridden,
            changelog=_existing_changelog(dataset_dir, previous),
            card_template=card_template,
            license=license,
            formats=formats,
            repo_id=push_to_hub,
            previous_dir=None if previous is None else dataset_dir / previous,
            progress=progress,
        )
        place(tmp, target)
    write_atomic(dataset_dir / CHANGELOG, full)
    hub = None
    if push_to_hub:
        say(f"uploading to {push_to_hub}")
        hub = push(target, repo_id=push_to_hub, version=chosen, private=private)
    build = BuildResult(target, manifest["counts"], data.report, data.gold_rules)
    return ReleaseResult(target, chosen, proposal, overridden, diff, build, entry, hub)


def check_options(
    out: Path, dataset: str, *, bump: str, version: str | None, repo_id: str | None
) -> Path:
    """The dataset's folder, once the options are known to be usable: checked before any
    input is read (the CLI asks first), so that a bad name or a missing token costs
    nothing."""
    if bump not in BUMPS:
        raise ConfigError(f"unknown bump {bump!r}; known: {', '.join(BUMPS)}")
    dataset_dir = path_under(out, check_dataset_name(dataset))
    if repo_id:
        check_repo_id(repo_id)
        hub_token()  # fail before building, not after
    if version is not None:
        parse_version(check_version(version))
        refuse_existing(path_under(dataset_dir, version))
    return dataset_dir


def _refuse_unchanged(dataset_dir: Path, previous: str | None) -> None:
    if previous:
        raise ReleaseError(
            f"nothing changed since {previous}",
            file=dataset_dir / previous,
            hint="pass --allow-empty with --bump patch (or --version) to release anyway",
        )


def compare_with(
    data: ReleaseData, tmp: Path, *, dataset_dir: Path, previous: str | None
) -> tuple[ReleaseDiff | None, BumpProposal]:
    """The diff of the data written in ``tmp`` with release ``previous`` of the dataset
    (none for a first release) and the version the rule proposes from it."""
    diff = None
    if previous is not None:
        diff = diff_snapshots(
            load_snapshot(dataset_dir / previous),
            load_snapshot(tmp, configs=data.configs, version="new"),
        )
        if data.changelog_format > 1:  # and what changed in how it is made
            diff.made = made_changes(read_manifest(dataset_dir / previous), data)
    return diff, propose_bump(diff, previous)


def write_version_metadata(
    data: ReleaseData,
    tmp: Path,
    *,
    file_rows: dict[str, int],
    dataset: str,
    version: str,
    proposal: BumpProposal,
    diff: ReleaseDiff | None,
    overridden: bool,
    changelog: str | None,
    card_template: Path | None,
    license: str,
    formats: Sequence[str],
    repo_id: str | None,
    previous_dir: Path | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], str, str]:
    """The card, CHANGELOG.md (``changelog``, the dataset's so far, with this version's
    entry first), the visual diff with the previous release (in ``previous_dir``) when
    ``data.diff_pages``, and manifest of ``version``; returns the manifest, the entry and
    the whole changelog."""
    pages = None
    if diff is not None:
        diff.b = version
        if data.diff_pages and previous_dir is not None:
            if progress:
                progress(f"drawing the diff with {proposal.previous}")
            pages = diff_pages_path(str(proposal.previous))
            after = load_snapshot(tmp, configs=data.configs, version=version)
            out = tmp / Path(pages).parent
            before = load_snapshot(previous_dir)
            write_diff_pages(diff, before=before, after=after, out=out, dataset=dataset)
    entry = changelog_entry(
        version,
        proposal=proposal,
        diff=diff,
        date=data.created,
        overridden=overridden,
        diff_pages=f"{version}/{pages}" if pages else None,
    )
    full = add_entry(changelog, entry, dataset=dataset)
    manifest = write_metadata(
        data,
        tmp,
        file_rows=file_rows,
        dataset=dataset,
        version=version,
        card_template=card_template,
        license=license,
        formats=formats,
        changelog=full,
        changes=diff.summary() if diff is not None else None,
        previous=proposal.previous,
        bump={**proposal.to_dict(), "chosen": version, "overridden": overridden},
        repo_id=repo_id,
        progress=progress,
    )
    return manifest, entry, full


def _existing_changelog(dataset_dir: Path, previous: str | None) -> str | None:
    for path in (dataset_dir / CHANGELOG, dataset_dir / (previous or "-") / CHANGELOG):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def diff_release(
    a: Path,
    b: Path | GoldSet,
    *,
    html: Path | None = None,
    progress: Progress | None = None,
) -> ReleaseDiff:
    """What changed from release ``a`` to release ``b``, or to what a gold set (the
    working inputs, :func:`annotate.pipeline.gold_set`) would release now; with ``html``,
    its pages (:mod:`annotate.release.diff_view`) are written into that folder."""
    before = load_snapshot(a)
    if isinstance(b, Path):
        return _diff_and_draw(before, load_snapshot(b), html=html, progress=progress)
    data = release_data(b, progress=progress)
    with tempfile.TemporaryDirectory(prefix="annotate-diff-") as tmp:
        write_data(data, Path(tmp), progress=progress)
        after = load_snapshot(Path(tmp), configs=data.configs, version="working")
        return _diff_and_draw(before, after, html=html, progress=progress)


def _diff_and_draw(
    before: Snapshot, after: Snapshot, *, html: Path | None, progress: Progress | None
) -> ReleaseDiff:
    diff = diff_snapshots(before, after)
    if html is not None:
        if progress:
            progress(f"writing the diff's pages into {html}")
        write_diff_pages(diff, before=before, after=after, out=html, dataset=_dataset(before))
    return diff


def _dataset(snap: Snapshot) -> str:
    """The dataset a release belongs to: its manifest's name, else its folder's parent."""
    manifest = snap.path / "manifest.json"
    if manifest.is_file():
        name = read_manifest(snap.path).get("dataset")
        if isinstance(name, str):
            return name
    return snap.path.resolve().parent.name
