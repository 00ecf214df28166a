"""annotate init."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import app, out

__all__ = ["init"]


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The project folder (created if needed).")],
    dataset: Annotated[
        str | None, typer.Option(help="Dataset name (default: the folder's name).")
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the articles.")] = "fr",
    license: Annotated[str, typer.Option(help="License of the dataset.")] = "other",
    prefix: Annotated[
        str | None, typer.Option(help="Label Studio project prefix (default: the dataset).")
    ] = None,
) -> None:
    """Start a project: annotate.toml, an empty articles/ folder, guidelines.md, NOTES.md.

    Every command run in the folder (or below) then reads annotate.toml.

    Example: annotate init my-fr-news --language fr --license cc-by-4.0
    """
    from annotate.project import init_project

    project = init_project(
        directory, dataset=dataset, language=language, license=license, prefix=prefix
    )
    out.print(f"created {project.file} (dataset {project.dataset}, prefix {project.prefix})")
    out.print(f"put your articles in {project.corpus[0]}, then: cd {directory} && annotate push")
