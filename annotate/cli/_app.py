"""The Typer application and what every command shares (consoles, progress, errors).

Every command registered with ``@app.command()`` (or on ``schema_app``) runs inside
:func:`annotate.cli._errors.handles_errors`: a command body raises, it never catches — the
decorator turns an ``AnnotateError`` into its message and exit code, and anything else into
a one-line error, never a traceback (``ANNOTATE_DEBUG=1`` shows it).

Exit codes: 0 success; 1 the run failed (bad input, validation problems with --strict, a
server error); 2 bad usage (unknown option, layer or predictor).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from annotate.cli._errors import handles_errors
from annotate.cli._help import Command, Group
from annotate.cli._options import (  # the shared option types, re-exported for the commands
    AddressOpt,
    ArticlesArg,
    CacheDirOpt,
    CorpusArg,
    EngineOpt,
    JobsOpt,
    LangOpt,
    LayersOpt,
    NoCacheOpt,
)
from annotate.errors import ConfigError
from annotate.model import Unit

F = TypeVar("F", bound=Callable[..., Any])


__all__ = [
    "ALL",
    "AddressOpt",
    "App",
    "ArticlesArg",
    "CacheDirOpt",
    "CorpusArg",
    "EngineOpt",
    "JobsOpt",
    "LangOpt",
    "LayersOpt",
    "NoCacheOpt",
    "app",
    "err",
    "out",
    "schema_app",
]


class App(typer.Typer):
    """A Typer app whose every command runs inside :func:`handles_errors` and whose help
    reads at 80 columns (:mod:`annotate.cli._help`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        # Click's plain help (see _help.py), not Rich panels that cut option names at 80 columns.
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", Command)
        register = super().command(*args, **kwargs)

        def decorator(f: F) -> F:
            register(handles_errors(f))
            return f

        return decorator


app = App(
    help="annotate: articles → Label Studio tasks → validated labels → versioned datasets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold the API token
)
schema_app = App(help="Inspect and check the JSON Schemas in schema/.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ALL = "all"


def _layers(value: str) -> list[str]:
    from annotate.layers import get_layer, layer_names

    names = layer_names() if value == ALL else [v.strip() for v in value.split(",") if v.strip()]
    for n in names:
        get_layer(n)  # raises ConfigError listing the known layers
    return names


@contextmanager
def _progress(title: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step; the library reports steps through the callback."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,  # a spinner in a log is noise (and leaves a blank line)
    ) as bar:
        task = bar.add_task(title)
        yield lambda msg: bar.update(task, description=f"{title}: {msg}")


def _unit(value: str) -> Unit:
    if value not in ("sentence", "paragraph", "document"):
        raise ConfigError(f"unknown unit {value!r}; known: sentence, paragraph, document")
    return cast(Unit, value)
