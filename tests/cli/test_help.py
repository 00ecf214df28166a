"""`--help` of every command reads at 80 columns through a pipe: no line longer, no option
name cut, no word broken, no line broken in mid-sentence (text wraps greedily)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from annotate.cli import app
from annotate.cli._help import first_sentence, wrap_help

runner = CliRunner()
WIDTH = 80
TEXT_WIDTH = WIDTH - 2  # Click's help formatter keeps two columns free


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found = {prefix.strip(): group} if prefix else {}
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            found.update(_commands(cmd, f"{prefix}{name} "))
        else:
            found[f"{prefix}{name}"] = cmd
    return found


COMMANDS = _commands(typer.main.get_group(app))


def _help(name: str) -> str:
    result = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.output


def _description(text: str) -> list[list[str]]:
    """The paragraphs of the help text between the usage line and the first section."""
    body = text.split("\n\n", 1)[1].split("\nArguments:")[0].split("\nOptions:")[0]
    return [p.splitlines() for p in body.strip("\n").split("\n\n")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_fits_80_columns_with_whole_option_names(name: str) -> None:
    text = _help(name)
    too_long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_long, f"`annotate {name} --help`: lines over {WIDTH} columns: {too_long}"
    assert "…" not in text
    tokens = set(text.replace(",", " ").replace("/", " ").split())
    for param in COMMANDS[name].params:
        for opt in [*param.opts, *param.secondary_opts]:
            if opt.startswith("-"):
                assert opt in tokens, f"`annotate {name} --help` cuts or drops {opt}"
    broken = [line for line in text.splitlines() if line.endswith("-") and line.strip() != "-"]
    assert not broken, f"`annotate {name} --help` breaks a word at a hyphen: {broken}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_text_wraps_greedily_not_at_the_docstrings_line_breaks(name: str) -> None:
    text = _help(name)
    source = (COMMANDS[name].help or "").split("\n\n")
    verbatim = {p.split("\n")[1].strip() for p in source if p.strip().startswith("\b")}
    for paragraph in _description(text):
        if paragraph[0].strip().startswith("Example:") or paragraph[0].strip() in verbatim:
            continue
        for line, following in itertools.pairwise(paragraph):
            room = TEXT_WIDTH - len(line) - 1
            assert len(following.split()[0]) > room, (
                f"`annotate {name} --help` breaks a line early (mid-sentence):\n{line}\n{following}"
            )


def test_the_example_is_a_command_to_paste() -> None:
    text = _help("validate")
    lines = text.split("Example:\n", 1)[1].split("\n\n")[0].splitlines()
    assert len(lines) > 1 and all(line.endswith(" \\") for line in lines[:-1])
    assert all(len(line) <= WIDTH for line in lines)
    command = " ".join(line.removesuffix(" \\").strip() for line in lines)
    docstring = " ".join(COMMANDS["validate"].help.split("Example:", 1)[1].split())
    assert command == docstring


def test_group_lists_each_command_by_its_whole_first_sentence() -> None:
    text = _help("schema")
    listed = " ".join(text.split("Commands:", 1)[1].split())
    assert first_sentence(COMMANDS["schema check"].help) in listed
    assert first_sentence(COMMANDS["schema check"].help).endswith("agrees with its taxonomy.")


def test_a_verbatim_paragraph_keeps_its_lines() -> None:
    text = "Exit codes:\n\n\b\n0 ok\n1 the run failed\n\nA long " + "word " * 30
    wrapped = wrap_help(text, 40, "  ")
    assert "  0 ok\n  1 the run failed" in wrapped
    assert all(len(line) <= 40 for line in wrapped.splitlines())
