"""The options and helpers the release commands share (:mod:`annotate.cli.release`,
:mod:`annotate.cli.release_checks`, and ``annotate agreement``'s corpus and gold)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from annotate.release.guard import Acceptance

if TYPE_CHECKING:
    from annotate.model import GoldSet
    from annotate.sources.foreign import ForeignOptions

__all__ = [
    "AllowMissingDocumentsOpt",
    "AllowNoAnnotationsOpt",
    "AllowQuarantinedOpt",
    "CardOpt",
    "DatasetOpt",
    "GoldOpt",
    "GoldPolicy",
    "LicenseOpt",
    "MaxShardRowsOpt",
    "MaxShardSizeOpt",
    "NotesOpt",
    "OutOpt",
]

AllowNoAnnotationsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-no-annotations", help="Publish even when the release holds no annotation."
    ),
]
AllowMissingDocumentsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-missing-documents",
        help="Publish leaving out records whose documents are not in the corpus.",
    ),
]
AllowQuarantinedOpt = Annotated[
    bool,
    typer.Option("--allow-quarantined", help="Publish leaving out records that failed validation."),
]


class GoldPolicy(StrEnum):
    """What build does with a task whose raters disagree and that nobody adjudicated."""

    adjudicated = "adjudicated"
    majority = "majority"


GoldOpt = Annotated[
    GoldPolicy,
    typer.Option(
        "--gold",
        help="adjudicated: refuse tasks whose raters disagree and nobody adjudicated (see "
        "`annotate review`); majority: publish what a majority of their raters made.",
    ),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Releases directory (default: the project's).")
]
DatasetOpt = Annotated[str | None, typer.Option(help="Dataset name (default: the project's).")]
CardOpt = Annotated[
    Path | None,
    typer.Option(
        help="Dataset card template (default: the project's, else the toolkit's; reproduce: the release's)."
    ),
]
LicenseOpt = Annotated[
    str | None, typer.Option(help="License of the dataset, card metadata (default: the project's).")
]
MaxShardRowsOpt = Annotated[
    int | None,
    typer.Option(help="Cut a config into parquet shards of at most this many rows."),
]
MaxShardSizeOpt = Annotated[
    str | None,
    typer.Option(
        help="Cut a config into parquet shards past this much Arrow data (e.g. 200MB; "
        "default 500MB, as datasets' push_to_hub)."
    ),
]
NotesOpt = Annotated[
    Path | None,
    typer.Option(help="Provenance notes rendered into the card (default: the project's NOTES.md)."),
]


def _default_pins(pins: Path | None, export: list[Path] | None) -> Path | None:
    from annotate.project import current_project

    return current_project().pins if pins is None and not export else pins


def _corpus(articles: list[Path] | None) -> list[Path]:
    from annotate.project import corpus_of, current_project

    return corpus_of(current_project(), articles)


def _settings(
    *, out_dir: Path | None, dataset: str | None, card: Path | None, license: str | None
) -> dict[str, Any]:
    """The release options not given on the command line, from annotate.toml."""
    from annotate.names import check_license
    from annotate.project import current_project, dataset_of
    from annotate.release.card_settings import CardSettings

    project = current_project()
    return {
        "card_settings": CardSettings.from_project(project),  # [card], license_name, …
        "out": out_dir or project.releases or Path("releases"),
        "dataset": dataset_of(project, dataset),
        "card_template": card or project.card,  # None: the toolkit's
        "license": check_license(license or project.license),
        "project_root": project.root,  # inputs are recorded relative to it
    }


def _notes(notes: Path | None) -> Path | None:
    from annotate.project import current_project

    return notes or current_project().notes


def _accept(
    *, no_annotations: bool, missing_documents: bool, quarantined: bool, gold: GoldPolicy
) -> Acceptance:
    from annotate.release.guard import Acceptance

    return Acceptance(
        no_annotations=no_annotations,
        missing_documents=missing_documents,
        quarantined=quarantined,
        majority=gold is GoldPolicy.majority,
    )


def _gold(
    articles: Path | Sequence[Path] | None,
    pins: Path | None,
    export: list[Path] | None,
    say: Callable[[str], None],
    *,
    layer: str | None = None,
    foreign: ForeignOptions | None = None,
) -> GoldSet:
    """The gold set of the corpus and the pinned (or given) exports."""
    from annotate.pipeline import gold_set
    from annotate.project import current_project

    return gold_set(
        articles=articles,
        lang=current_project().language,  # as push and validate read the corpus
        pins=_default_pins(pins, export),
        exports=export or [],
        layer=layer,
        foreign=foreign,
        progress=say,
    )


def _formats(value: str) -> list[str]:
    from annotate.release.formats import check_formats, format_names

    if value in ("", "none"):
        return []
    names = format_names() if value == "all" else [v.strip() for v in value.split(",")]
    return check_formats([n for n in names if n])
