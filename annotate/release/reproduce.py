"""Rebuild a release from its pinned inputs and compare (``annotate reproduce``), for
whoever wants to know that a release is what its inputs make:

1. the release is rebuilt with the settings its manifest records: dataset, version,
   training formats, parquet layout (none recorded: layout 1), shard limits (none: one
   file per config), license (none: the card's), the build time (``SOURCE_DATE_EPOCH`` as
   it was built with), the provenance columns (only with the manifest's flag), and its
   own copy of the schemas, so that a later edit of the toolkit's schemas does not change
   how an old release rebuilds; an export annotate did not make is read as its ``foreign``
   record says (layer, text field, and the labeling config and label map among its inputs,
   the map checked by sha256);
2. the inputs the rebuild read are compared with the release's by sha256 (a changed,
   missing or extra input is named: the files cannot match then, and their differences
   say where), and every file the manifest lists, as it is on disk, with the rebuilt one.

A release made by ``annotate release`` is rebuilt the way it was made: compared with its
previous release (which must be beside it) with the version, bump and changelog its
manifest and that release record, so that its card and CHANGELOG.md are compared too;
without the previous release, those two are left out, and the report says so. The
manifest itself is not compared byte for byte: it names the toolkit version and the lock
file's hash, which an upgrade changes without changing the data (noted when they differ).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError, ReleaseError
from annotate.model import Issue
from annotate.names import check_dataset_name, check_version, path_under
from annotate.pins import file_sha256
from annotate.pipeline import gold_set
from annotate.release.build import (
    CHANGELOG,
    SCHEMA_DIR,
    place,
    refuse_existing,
    staging,
    write_data,
    write_metadata,
)
from annotate.release.card_settings import CardSettings, recorded_license
from annotate.release.card_templates import recorded_card
from annotate.release.data import ReleaseData, recorded_notes, release_data
from annotate.release.diff_view import DIFF_DIR
from annotate.release.formats import check_formats
from annotate.release.guard import check_as_recorded
from annotate.release.manifest import read_manifest
from annotate.release.publish import compare_with, write_version_metadata
from annotate.release.shards import ShardLimits
from annotate.schemas import SchemaSet
from annotate.sources.foreign import recorded_foreign

__all__ = ["ReproduceReport", "pinned_by", "recorded_inputs", "reproduce_release"]

Progress = Callable[[str], None]
_LEGACY_LAYOUT = 1  # releases whose manifest records no parquet layout


@dataclass(slots=True)
class ReproduceReport:
    release: Path
    version: str | None
    rebuilt: Path | None = None  # kept only when asked for
    inputs: int = 0  # inputs checked
    files: int = 0  # files compared
    identical: int = 0
    skipped: list[str] = field(default_factory=list)  # files left out, with the reason
    notes: list[str] = field(default_factory=list)  # what differs in the environment
    problems: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "release": str(self.release),
            "version": self.version,
            "ok": self.ok,
            "rebuilt": None if self.rebuilt is None else str(self.rebuilt),
            "inputs": self.inputs,
            "files": self.files,
            "identical": self.identical,
            "skipped": self.skipped,
            "notes": self.notes,
            "problems": [p.to_dict() for p in self.problems],
        }


def recorded_inputs(release: Path, root: Path) -> list[Path]:
    """The input files a release's manifest names, as paths under the project ``root``."""
    return [root / str(e.get("path", "")) for e in read_manifest(release).get("inputs") or []]


def pinned_by(release: Path, root: Path) -> Path | None:
    """The pins file among a release's recorded inputs (``None``: built from exports)."""
    for path in recorded_inputs(release, root):
        if path.name == "pins.json" or path.name.endswith(".pins.json"):
            return path
    return None


def reproduce_release(
    release: Path,
    *,
    articles: Path | Sequence[Path] | None,
    pins: Path | None,
    exports: list[Path] | None = None,
    card_template: Path | None = None,
    notes: Path | None = None,
    project_root: Path = Path("."),
    keep: Path | None = None,
    progress: Progress | None = None,
) -> ReproduceReport:
    """Rebuild ``release`` from the inputs under ``project_root`` and compare; ``keep``
    is a directory to leave the rebuild in (it must not hold that version yet). The card
    is rendered from ``card_template``, by default the template the release records.

    The gold set is made here, not by the caller, because it is validated against the
    release's own schema copy (:func:`annotate.pipeline.gold_set` with ``schemas``)."""
    say = progress or (lambda _msg: None)
    manifest = read_manifest(release)
    report = ReproduceReport(release, manifest.get("version"))
    dataset, version = _names(release, manifest)
    layout = manifest.get("parquet_layout", _LEGACY_LAYOUT)
    card_template = card_template or recorded_card(manifest, project_root)
    notes = notes or recorded_notes(manifest, project_root)
    history = _history(release, manifest, report)
    layer, foreign = recorded_foreign(manifest, project_root, release=release)
    with tempfile.TemporaryDirectory(prefix="annotate-reproduce-") as tmp:
        target = path_under(keep or Path(tmp), dataset, version)
        refuse_existing(target)
        say(f"rebuilding {dataset} {version} (parquet layout {layout})")
        gold = gold_set(
            articles=articles,
            lang=manifest.get("corpus_lang"),  # releases that record none detected it
            pins=pins,
            exports=exports or [],
            schemas=SchemaSet.from_directory(release / SCHEMA_DIR),
            layer=layer,
            foreign=foreign,
            # as recorded: releases that record none counted free text as a dispute
            agreement_definition=manifest.get("agreement_definition", 1),
            progress=progress,
        )
        with _build_time(manifest):
            data = release_data(
                gold,
                card_template=card_template,
                notes=notes,
                project_root=project_root,
                provenance=bool(manifest.get("provenance")),
                progress=progress,
            )
        data.layout, data.viewer = layout, bool(manifest.get("viewer"))
        data.fingerprints = bool(manifest.get("config_fingerprints"))
        data.viewer_format, data.diff_pages = manifest.get("viewer_format", 1), "diff" in manifest
        data.changelog_format = manifest.get("changelog_format", 1)
        data.shards = ShardLimits.from_manifest(manifest)  # None: made before sharding
        data.card = CardSettings.from_manifest(manifest)  # None: a card made before them
        data.accepted = check_as_recorded(gold, manifest, root=project_root)
        options: dict[str, Any] = {
            "dataset": dataset,
            "version": version,
            "card_template": card_template,
            "license": manifest.get("license") or recorded_license(release),
            "formats": check_formats(list(manifest.get("formats") or {})),
        }
        _rebuild(data, target, release, manifest, history, options, progress=progress)
        if keep is not None:
            report.rebuilt = target
        say("comparing")
        rebuilt = read_manifest(target)
        _compare_inputs(manifest, rebuilt, project_root, report)
        _compare(release, manifest, rebuilt, report)
    for key, what in (("lock", "the lock file"), ("toolkit", "the toolkit version")):
        if manifest.get(key) != rebuilt.get(key):
            report.notes.append(
                f"{what} differs from the release's ({manifest.get(key)} then, "
                f"{rebuilt.get(key)} now): a difference in the files may come from it"
            )
    return report


def _names(release: Path, manifest: dict[str, Any]) -> tuple[str, str]:
    """The manifest's dataset and version, checked: they must not lead outside the folder."""
    dataset, version = manifest.get("dataset"), manifest.get("version")
    if not isinstance(dataset, str) or not isinstance(version, str):
        raise ReleaseError(
            "the manifest names no dataset or version", file=release / "manifest.json"
        )
    try:
        check_dataset_name(dataset)
        check_version(version)
    except ConfigError as exc:
        raise ReleaseError(exc.message, file=release / "manifest.json", hint=exc.hint) from exc
    return dataset, version


def _rebuild(
    data: ReleaseData,
    target: Path,
    release: Path,
    manifest: dict[str, Any],
    history: _History | None,
    options: dict[str, Any],
    *,
    progress: Progress | None,
) -> None:
    """Write the rebuild into ``target`` as ``build`` (no history) or ``release`` did."""
    say = progress or (lambda _msg: None)
    with staging(target.parent.parent, options["dataset"], options["version"]) as stage:
        file_rows = write_data(data, stage, formats=options["formats"], progress=progress)
        if history is None:
            write_metadata(data, stage, file_rows=file_rows, **options)
        else:
            if history.previous is not None:
                say(f"comparing with {history.previous}")
            diff, proposal = compare_with(
                data, stage, dataset_dir=release.parent, previous=history.previous
            )
            write_version_metadata(
                data,
                stage,
                file_rows=file_rows,
                proposal=proposal,
                diff=diff,
                overridden=history.overridden,
                changelog=history.changelog,
                repo_id=manifest.get("repo_id"),
                previous_dir=release.parent / history.previous if history.previous else None,
                **options,
            )
        place(stage, target)


@dataclass(slots=True)
class _History:
    """What a release made by ``annotate release`` was written against."""

    previous: str | None
    overridden: bool
    changelog: str | None  # the dataset's changelog before this version


def _history(release: Path, manifest: dict[str, Any], report: ReproduceReport) -> _History | None:
    """``None`` for a release made by ``annotate build`` (no version history in it), or
    when its previous release is not beside it (then its card and changelog, which
    describe the diff with that release, are not compared)."""
    bump = manifest.get("bump")
    if not isinstance(bump, dict):
        return None
    previous = manifest.get("previous")
    if previous is None:
        return _History(None, bool(bump.get("overridden")), None)
    before = release.parent / str(previous)
    if not (before / "manifest.json").is_file():
        report.skipped += [
            f"{name}: describes the diff with {previous}, which is not in {release.parent}"
            for name in (
                "README.md",
                CHANGELOG,
                *([f"{DIFF_DIR}/{previous}"] * bool(manifest.get("diff"))),
            )
        ]
        return None
    log = before / CHANGELOG
    changelog = log.read_text(encoding="utf-8") if log.is_file() else None
    return _History(str(previous), bool(bump.get("overridden")), changelog)


def _compare_inputs(
    manifest: dict[str, Any], rebuilt: dict[str, Any], root: Path, report: ReproduceReport
) -> None:
    """The release's inputs against those the rebuild read (hashed by the rebuild); an
    input the rebuild did not read is looked at on disk."""
    read = {e["path"]: e["sha256"] for e in rebuilt.get("inputs") or []}
    for i, entry in enumerate(manifest.get("inputs") or []):
        report.inputs += 1
        rel = entry["path"]
        where = f"$.inputs[{i}]"
        sha = read.pop(rel, None)
        if sha is None:
            path = root / rel
            if not path.is_file():
                report.problems.append(
                    Issue(
                        "input-missing",
                        "an input of the release is missing",
                        file=rel,
                        json_path=where,
                        hint="restore it (git checkout) before reproducing",
                    )
                )
                continue
            sha = file_sha256(path)
        if sha != entry["sha256"]:
            report.problems.append(
                Issue(
                    "input-changed",
                    "this input changed since the release was built",
                    file=rel,
                    json_path=where,
                    hint="check out the commit the release was built from",
                )
            )
    for rel in sorted(read):
        report.problems.append(
            Issue(
                "input-extra",
                "the rebuild read this input, which the release was not built from "
                "(the pins or the corpus now name it)",
                file=rel,
                hint="check out the commit the release was built from, or pass the --pins, "
                "--articles and --card it was built with",
            )
        )


def _compare(
    release: Path, manifest: dict[str, Any], rebuilt: dict[str, Any], report: ReproduceReport
) -> None:
    """The files on disk (every file the manifest lists) against the rebuilt ones."""
    skipped = {line.split(":")[0] for line in report.skipped}
    theirs = {e["path"]: e for e in rebuilt.get("files") or []}
    for i, entry in enumerate(manifest.get("files") or []):
        rel = entry["path"]
        if rel in skipped or rel.rsplit("/", 1)[0] in skipped:  # diff/<previous>/*.html
            theirs.pop(rel, None)
            continue
        report.files += 1
        other = theirs.pop(rel, None)
        where = f"$.files[{i}]"
        path = release / rel
        if not path.is_file():
            report.problems.append(
                Issue(
                    "file-missing",
                    "listed in the manifest but missing from the release",
                    file=rel,
                    json_path=where,
                )
            )
            continue
        sha = file_sha256(path)
        if other is None:
            report.problems.append(
                Issue("file-missing", "the rebuild has no such file", file=rel, json_path=where)
            )
        elif other["sha256"] != sha:
            tampered = sha != entry["sha256"]
            report.problems.append(
                Issue(
                    "file-differs",
                    f"the rebuild differs ({other['bytes']} bytes, sha256 "
                    f"{other['sha256'][:12]}…; the release: {path.stat().st_size} bytes, "
                    f"{sha[:12]}…)"
                    + (
                        "; the release's file does not match its manifest either"
                        if tampered
                        else ""
                    ),
                    file=rel,
                    json_path=where,
                    hint="run `annotate verify` on the release" if tampered else None,
                )
            )
        else:
            report.identical += 1
    for rel in sorted(theirs):
        if rel not in skipped:
            report.problems.append(
                Issue("file-extra", "the rebuild has a file the release does not", file=rel)
            )


@contextmanager
def _build_time(manifest: dict[str, Any]) -> Iterator[None]:
    """SOURCE_DATE_EPOCH as the release was built: set to its ``created`` when that came
    from SOURCE_DATE_EPOCH, unset otherwise; restored afterwards."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    if manifest.get("created_from") == "SOURCE_DATE_EPOCH" and manifest.get("created"):
        when = dt.datetime.fromisoformat(manifest["created"].replace("Z", "+00:00"))
        os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        if before is not None:
            os.environ["SOURCE_DATE_EPOCH"] = before
