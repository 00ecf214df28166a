"""annotate build."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from annotate.cli._app import (
    _fail,
    _progress,
    app,
    out,
)
from annotate.errors import AnnotateError


@app.command()
def build(
    articles: Annotated[Path, typer.Option(help="The corpus.")] = Path("data/articles"),
    pins: Annotated[
        Path | None,
        typer.Option(help="Pinned exports (default: data/labels/pins.json unless --export)."),
    ] = None,
    export: Annotated[
        list[Path] | None, typer.Option(help="Extra raw exports to build from.")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Releases directory.")] = Path("releases"),
    dataset: Annotated[str, typer.Option(help="Dataset name.")] = "stargate-fr-annotations",
    version: Annotated[str, typer.Option(help="Release version (semver).")] = "0.0.0-dev",
    card: Annotated[Path, typer.Option(help="Dataset card template.")] = Path("dataset_card.md"),
) -> None:
    """Build a release: parquet per config, README.md card, manifest.json.

    Example: annotate build --dataset stargate-fr-annotations --version 1.0.0
    """
    from annotate.release.build import build_release

    if pins is None and not export:
        pins = Path("data/labels/pins.json")
    try:
        with _progress("build") as say:
            result = build_release(
                articles=articles,
                pins=pins,
                exports=export,
                out=out_dir,
                dataset=dataset,
                version=version,
                card_template=card,
                progress=say,
            )
    except AnnotateError as exc:
        _fail(exc)
    table = Table("config", "rows", title=str(result.path))
    for name, n in result.counts.items():
        table.add_row(name, str(n))
    out.print(table)
    c = result.report.counts()
    out.print(f"validation: {c['valid']} valid, {c['quarantined']} quarantined (held back)")
