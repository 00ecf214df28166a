"""What the Hub card says that the rows cannot: who made the annotations and the texts, the
license's name and link when it is ``other``, the citation. :class:`CardSettings` comes
from the project (``annotate.toml``: ``[project]`` license, license_name, license_link,
citation; ``[card]`` pretty_name, annotations_creators, language_creators,
source_datasets) with defaults, and is recorded in the manifest (``card``), so that a
release renders the same card again whatever the project says later. A manifest without
``card`` (1.0.0, 2.0.0) is a release of the card before these settings: its card keeps
the metadata it had.

The allowed values are the ones ``huggingface_hub.DatasetCardData`` documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.errors import ConfigError

if TYPE_CHECKING:
    from annotate.project import Project

__all__ = [
    "ANNOTATIONS_CREATORS",
    "LANGUAGE_CREATORS",
    "MULTILINGUALITY",
    "SOURCE_DATASETS",
    "CardSettings",
    "bibtex",
    "recorded_license",
]

ANNOTATIONS_CREATORS = (
    "crowdsourced",
    "expert-generated",
    "found",
    "machine-generated",
    "no-annotation",
    "other",
)
LANGUAGE_CREATORS = ("crowdsourced", "expert-generated", "found", "machine-generated", "other")
MULTILINGUALITY = ("monolingual", "multilingual", "translation", "other")
SOURCE_DATASETS = ("original", "extended")  # or "extended|<hub id>"


@dataclass(frozen=True, slots=True)
class CardSettings:
    """The card's settings; empty tuples and ``None`` mean "derive it from the release"
    (language_creators: ``found``, plus ``machine-generated`` when a document is machine
    translated; pretty_name: the dataset name; citation: a ``@misc`` entry)."""

    pretty_name: str | None = None
    annotations_creators: tuple[str, ...] = ("expert-generated",)
    language_creators: tuple[str, ...] = ()
    source_datasets: tuple[str, ...] = ("original",)
    license_name: str | None = None
    license_link: str | None = None
    citation: str = ""
    where: str = field(default="annotate.toml", compare=False)  # for error messages

    def __post_init__(self) -> None:
        for key, allowed in (
            ("annotations_creators", ANNOTATIONS_CREATORS),
            ("language_creators", LANGUAGE_CREATORS),
        ):
            _check(self.where, key, getattr(self, key), allowed)
        for value in self.source_datasets:
            if value not in SOURCE_DATASETS and not value.startswith("extended|"):
                raise ConfigError(
                    f"source_datasets: unknown value {value!r}",
                    file=self.where,
                    json_path="$.card.source_datasets",
                    hint="known: original, extended, extended|<dataset id>",
                )
        if self.citation.strip() and not self.citation.lstrip().startswith("@"):
            raise ConfigError(
                "citation must be a BibTeX entry (it starts with @, as in @misc{…})",
                file=self.where,
                json_path="$.project.citation",
                hint="leave it empty for a @misc entry made from the dataset name and version",
            )

    @classmethod
    def from_project(cls, project: Project) -> CardSettings:
        """The settings ``annotate.toml`` gives, the defaults for the rest."""
        return cls(
            **project.card_metadata,
            license_name=project.license_name,
            license_link=project.license_link,
            citation=project.citation,
            where=str(project.file or "annotate.toml"),
        )

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> CardSettings | None:
        """The settings a release recorded; ``None`` for releases made before them."""
        recorded = manifest.get("card")
        if not isinstance(recorded, dict):
            return None
        known = {f.name for f in fields(cls)} - {"where"}
        unknown = sorted(set(recorded) - known)
        if unknown:
            raise ConfigError(
                f"unknown card setting(s) {', '.join(unknown)}",
                file="manifest.json",
                json_path=f"$.card.{unknown[0]}",
                hint="the release was made by a newer annotate; upgrade to rebuild it",
            )
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items()
        }
        return cls(**values, where="manifest.json")

    def to_manifest(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("where")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    def creators_of_language(self, machine_translated: Iterable[bool]) -> list[str]:
        if self.language_creators:
            return list(self.language_creators)
        return ["found", *(["machine-generated"] if any(machine_translated) else [])]


def _check(where: str, key: str, values: Sequence[str], allowed: Sequence[str]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ConfigError(
            f"{key}: unknown value {unknown[0]!r}",
            file=where,
            json_path=f"$.card.{key}",
            hint=f"known: {', '.join(allowed)}",
        )


def bibtex(settings: CardSettings, *, dataset: str, version: str, year: str | None) -> str:
    """The project's BibTeX entry, or a ``@misc`` one naming the dataset and version."""
    if settings.citation.strip():
        return settings.citation.strip()
    key = re.sub(r"[^A-Za-z0-9]+", "_", f"{dataset}_{version}").strip("_")
    lines = [
        f"@misc{{{key},",
        f"  title = {{{{{settings.pretty_name or dataset}}}, version {version}}},",
        *([f"  year = {{{year}}},"] if year else []),
        "  note = {Annotated in Label Studio; built with the annotate toolkit},",
        "}",
    ]
    return "\n".join(lines)


def recorded_license(release: Path) -> str:
    """The license in a release card's YAML metadata (releases whose manifest does not
    record it); ``other`` when there is none."""
    from huggingface_hub import metadata_load

    card = release / "README.md"
    meta = metadata_load(card) if card.is_file() else None
    value = (meta or {}).get("license")
    return value if isinstance(value, str) else "other"
