"""Help that reads at 80 columns, on a terminal and through a pipe alike.

Click's plain help formatter (not Rich panels, which cut option names to fit a column and
keep the docstring's hard line breaks), with three changes:

- text wraps at spaces only, never inside a word or at its hyphens (``--no-include-``
  / ``predictions``);
- the ``Example:`` paragraph is a command a reader copies: it is wrapped at spaces with
  shell continuations (`` \\``), so that it can be pasted as it is;
- a command's line in its group's list is its whole first sentence, wrapped, not a cut one.

A paragraph that starts with a line holding only ``\\b`` keeps its line breaks (Click's
convention), for lists such as exit codes.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

# Typer (0.29, pinned) runs on its own copy of Click, so its classes are the ones to extend.
from typer._click.core import Context as _ClickContext
from typer._click.formatting import HelpFormatter as _ClickFormatter
from typer._click.formatting import iter_rows, measure_table, term_len
from typer.core import TyperCommand, TyperGroup

__all__ = ["Command", "Context", "Group", "HelpFormatter", "first_sentence", "wrap_help"]

_EXAMPLE = "Example:"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|:\s*$|:\n")


def _paragraphs(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.expandtabs().splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _fill(words: str, width: int, indent: str, subsequent: str | None = None) -> list[str]:
    wrapper = textwrap.TextWrapper(
        width=max(width, 20),
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapper.wrap(words) or [indent.rstrip()]


def _example(block: list[str], width: int, indent: str) -> list[str]:
    command = " ".join(line.strip() for line in block)[len(_EXAMPLE) :].strip()
    lines = [f"{indent}{_EXAMPLE}"]
    if not command:
        return lines
    wrapped = _fill(command, width - 2, indent + "  ", indent + "    ")
    return lines + [f"{line} \\" for line in wrapped[:-1]] + wrapped[-1:]


def wrap_help(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped to ``width`` columns by paragraph (see the module's docstring)."""
    out: list[str] = []
    for block in _paragraphs(text):
        if block[0].strip() == "\b":
            kept = textwrap.dedent("\n".join(block[1:])).splitlines()
            out.append("\n".join(f"{indent}{line.rstrip()}" for line in kept))
        elif block[0].lstrip().startswith(_EXAMPLE):
            out.append("\n".join(_example(block, width, indent)))
        else:
            out.append("\n".join(_fill(" ".join(x.strip() for x in block), width, indent)))
    return "\n\n".join(out)


def first_sentence(text: str) -> str:
    """The first sentence of a help text (up to the first full stop or colon)."""
    first = " ".join(_paragraphs(text)[0]) if text.strip() else ""
    first = " ".join(first.split())
    match = _SENTENCE_END.search(first)
    return (first[: match.start()] if match else first).rstrip(":").strip()


class HelpFormatter(_ClickFormatter):
    """Click's formatter, wrapping at spaces only (see the module's docstring)."""

    def write_text(self, text: str) -> None:
        self.write(wrap_help(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        widths = measure_table(rows)
        first_col = min(widths[0], col_max) + col_spacing if widths else col_spacing
        for first, second in iter_rows(rows, 2):
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if term_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - term_len(first)))
            else:  # a long option name gets its own line, whole
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_help(second, max(self.width - first_col - 2, 20)).splitlines()
            pad = " " * (first_col + self.current_indent)
            self.write("\n".join([lines[0], *(pad + line for line in lines[1:])]) + "\n")


class Context(_ClickContext):
    formatter_class = HelpFormatter


class Command(TyperCommand):
    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.short_help or first_sentence(self.help or "")


class Group(TyperGroup):
    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.short_help or first_sentence(self.help or "")
