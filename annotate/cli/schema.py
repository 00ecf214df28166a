"""annotate schema check / config."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from annotate.cli._app import (
    err,
    out,
    schema_app,
)

__all__ = ["schema_check", "schema_config"]


@schema_app.command("check")
def schema_check() -> None:
    """Check that every schema is a valid Draft 2020-12 schema and agrees with its taxonomy.

    Example: annotate schema check
    """
    from annotate.schemas import check_schemas, schema_files

    problems = check_schemas()
    for p in problems:
        err.print(f"✗ {p}", markup=False, highlight=False)
    if problems:
        raise typer.Exit(1)
    out.print(f"[green]✓[/] {len(schema_files())} schemas valid (Draft 2020-12)")


@schema_app.command("config")
def schema_config(layer: Annotated[str, typer.Argument(help="The layer.")]) -> None:
    """Print the Label Studio labeling config generated for a layer.

    Example: annotate schema config claims
    """
    from annotate.layers import get_layer

    sys.stdout.write(get_layer(layer).label_config() + "\n")
