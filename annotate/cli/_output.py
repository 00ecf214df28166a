"""Output that survives a pipe: how a command prints its report.

``--format`` picks one of :data:`FORMATS`; without it a terminal gets ``table`` (Rich tables)
and a pipe or a file gets ``text`` (whole lines: aligned columns, no box, nothing cut).
``json`` is for machines. A Rich table printed where stdout is not a terminal is drawn at
its natural width, never cut to 80 columns.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from annotate.errors import ConfigError

if TYPE_CHECKING:
    from annotate.model import Issue

__all__ = [
    "FORMATS",
    "Format",
    "FormatOpt",
    "issue_line",
    "output_format",
    "print_json",
    "print_table",
]

Format = Literal["text", "json", "table"]
FORMATS: tuple[Format, ...] = ("text", "json", "table")

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="text, json or table (default: table on a terminal, text otherwise).",
        show_default=False,
    ),
]

_out = Console(soft_wrap=True)


def output_format(value: str | None, *, as_json: bool = False) -> Format:
    """The format asked for (``--json`` is ``--format json``), else the one for stdout."""
    if as_json:
        if value not in (None, "json"):
            raise ConfigError(f"--json and --format {value} ask for two formats; give one")
        return "json"
    if value is None:
        return "table" if _out.is_terminal else "text"
    for known in FORMATS:
        if value == known:
            return known
    raise ConfigError(f"unknown format {value!r}; known formats: {', '.join(FORMATS)}")


def issue_line(issue: Issue, *, root: Path | None = None) -> str:
    """One problem as one line: ``FILE:$.json.path: code: message [where] (hint: …)``, as
    compilers print them; FILE is joined to ``root`` when it is relative to it."""
    code = issue.code if issue.severity == "error" else f"{issue.code} (warning)"
    context = [
        f"{name}={value}"
        for name, value in (
            ("task", issue.task_id),
            ("annotation", issue.annotation_id),
            ("annotator", issue.annotator),
        )
        if value is not None
    ]
    file = issue.file or "<input>"
    if root is not None and issue.file and not Path(issue.file).is_absolute():
        file = str(root / issue.file)
    line = f"{file}:{issue.json_path}: {code}: {issue.message}"
    if context:
        line += f" [{', '.join(context)}]"
    if issue.hint:
        line += f" (hint: {issue.hint})"
    return " ".join(line.splitlines())


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout, one document."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = [list(columns), *[list(r) for r in rows]]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    fmt: Format,
    title: str | None = None,
) -> None:
    """A table in ``text`` (aligned lines) or ``table`` (Rich) format; no cell is ever cut."""
    cells = [[str(c) for c in row] for row in rows]
    if fmt == "text":
        if title:
            _out.print(title, markup=False, highlight=False)
        for line in _text_table(columns, cells):
            _out.print(line, markup=False, highlight=False)
        return
    table = Table(*columns, title=title, title_justify="left")
    for row in cells:
        table.add_row(*(escape(c) for c in row))
    if _out.is_terminal:
        _out.print(table)
        return
    # Not a terminal: draw the table at its natural width instead of cutting it to 80.
    wide = Console(file=_out.file, width=1_000_000, soft_wrap=True, color_system=None)
    width = Measurement.get(wide, wide.options, table).maximum
    Console(file=_out.file, width=width, soft_wrap=True, color_system=None).print(table)
