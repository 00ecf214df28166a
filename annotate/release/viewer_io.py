"""What both viewer formats read from a release: its parquet files, its rows, the colours
of a layer's labels; and what writing a viewer returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError

__all__ = ["NOT_LAYERS", "ViewerResult", "colors", "files", "read"]

NOT_LAYERS = ("documents", "segments", "annotations")
_PALETTE = ["#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#8dd3c7"]


@dataclass(slots=True)
class ViewerResult:
    out: Path
    pages: list[Path] = field(default_factory=list)


def files(release: Path, config: str) -> list[Path]:
    """The parquet files of one config of the release."""
    found = sorted((release / config).glob("*.parquet"))
    if not found:
        raise ReleaseError(
            f"the release lists config {config!r} but has no parquet file for it",
            file=release / config,
        )
    return found


def read(release: Path, config: str) -> list[dict[str, Any]]:
    """The rows of one config, ClassLabels decoded to their names."""
    from annotate.release.tables import read_rows

    return [row for path in files(release, config) for row in read_rows(path)]


def colors(release: Path, config: str, names: list[str]) -> dict[str, str]:
    """Label → colour: the taxonomy's ``background`` where it gives one (the release's
    own schema copy), else a fixed palette in label order."""
    backgrounds: dict[str, str] = {}
    try:
        from annotate.schemas import SchemaSet

        tax = SchemaSet.from_directory(release / "schema").taxonomy(config)
        backgrounds = {k: v["background"] for k, v in tax.labels.items() if v.get("background")}
    except Exception:
        backgrounds = {}
    return {n: backgrounds.get(n, _PALETTE[i % len(_PALETTE)]) for i, n in enumerate(names)}
