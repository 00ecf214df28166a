"""annotate validate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from annotate.cli._app import (
    _fail,
    app,
    out,
)
from annotate.errors import AnnotateError


@app.command()
def validate(
    exports: Annotated[list[Path], typer.Argument(help="Raw Label Studio exports (JSON).")],
    articles: Annotated[Path, typer.Option(help="The corpus the tasks were made from.")] = Path(
        "data/articles"
    ),
    layer: Annotated[
        str | None, typer.Option(help="Layer of exports not made by annotate.")
    ] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="Write rejected records (JSONL) here.")
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write the JSON report here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any record is quarantined.")] = False,
) -> None:
    """Validate the annotations of raw exports: schema + semantic checks, every problem located.

    Exit code 0 when the run completed (quarantined records are reported), 1 with --strict
    when any record was quarantined or when an input cannot be read, 2 for bad usage.

    Example: annotate validate data/labels/*/*.json --quarantine build/quarantine.jsonl
    """
    from annotate.corpus import read_articles
    from annotate.validate import validate_exports, write_outputs

    try:
        docs = {d.id: d for d in read_articles(articles)}
        report = validate_exports(exports, docs, layer=layer)
        write_outputs(report, quarantine_path=quarantine, report_path=report_file)
    except AnnotateError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(report)
    if strict and not report.ok:
        raise typer.Exit(1)


def _print_report(report) -> None:  # type: ignore[no-untyped-def]
    c = report.counts()
    if report.errors:
        table = Table("where", "code", "problem", title="Problems")
        for i in report.errors[:200]:
            table.add_row(i.location, i.code, i.message + (f" (hint: {i.hint})" if i.hint else ""))
        out.print(table)
        if len(report.errors) > 200:
            out.print(f"… and {len(report.errors) - 200} more (use --report or --json for all)")
    skipped = ", ".join(f"{k}: {v}" for k, v in c["skipped"].items()) or "none"
    out.print(
        f"{c['received']} records: [green]{c['valid']} valid[/], [red]{c['quarantined']} quarantined[/], "
        f"{c['warnings']} warnings; not records: {skipped}"
    )
