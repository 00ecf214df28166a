"""The option and argument types commands share, each declared once (help text included),
so that an option reads the same in every command that takes it. A command module imports
what it takes; one command's own options stay in its module.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._output import FormatOpt
from annotate.errors import ConfigError

__all__ = [
    "AddressOpt",
    "ArticlesArg",
    "ArticlesOpt",
    "CacheDirOpt",
    "CorpusArg",
    "CorpusOpt",
    "EngineOpt",
    "ExportOpt",
    "FormatOpt",
    "JobsOpt",
    "JsonOpt",
    "LangOpt",
    "LayersOpt",
    "NoCacheOpt",
    "PinsOpt",
    "PrefixOpt",
    "ProjectLayersOpt",
    "predictor_list",
]

# the inputs: a corpus and label exports
ArticlesOpt = Annotated[Path, typer.Option(help="The corpus.")]
ArticlesArg = Annotated[
    Path, typer.Argument(help="An article (.txt, .md, .jsonl) or a directory of them.")
]
CorpusArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Articles (.txt, .md, .jsonl) or directories of them (default: the project's corpus)."
    ),
]
CorpusOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--articles", help="The corpus: article files or directories (repeat for several)."
    ),
]
PinsOpt = Annotated[
    Path | None,
    typer.Option(help="Pinned exports (default: data/labels/pins.json unless --export)."),
]
ExportOpt = Annotated[list[Path] | None, typer.Option(help="Extra raw exports to build from.")]
LangOpt = Annotated[
    str | None,
    typer.Option(
        help="Language of articles whose metadata names none (default: the project's language)."
    ),
]

# which layers, which Label Studio projects
LayersOpt = Annotated[str, typer.Option("--layers", help="Comma-separated layers, or 'all'.")]
ProjectLayersOpt = Annotated[
    str | None,
    typer.Option("--layers", help="Comma-separated layers, or 'all' (default: the project's)."),
]
PrefixOpt = Annotated[
    str | None, typer.Option(help="Project title prefix used by push (default: the project's).")
]

# which predictors, where they run
NO_PREDICTORS = "none"


def predictor_list(value: str | None, *, default: Sequence[str] = ()) -> list[str]:
    """The names a ``--predictors`` value gives, the same in every command: comma-separated
    names (white space around each and empty items ignored, a repeated name kept once), or
    ``none`` (any case) for no predictor; not given (``None``): ``default``. An unknown name
    is a :class:`ConfigError` naming it, with the closest known name."""
    if value is None:
        names = list(default)
    else:
        names = [n.strip() for n in value.split(",") if n.strip()]
        if [n.casefold() for n in names] == [NO_PREDICTORS]:
            return []
    if any(n.casefold() == NO_PREDICTORS for n in names):
        raise ConfigError(
            f"--predictors {value!r}: {NO_PREDICTORS!r} is not a predictor",
            hint=f"pass --predictors {NO_PREDICTORS} alone for no predictions, or only names",
        )
    if names:
        from annotate.preannotate import predictor_names, unknown_predictor

        known = set(predictor_names())
        for name in names:
            if name not in known:
                raise unknown_predictor(name)
    return list(dict.fromkeys(names))


JobsOpt = Annotated[
    int | None,
    typer.Option(help="Processes for the predictors (default: every core).", min=1),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        help="Prediction cache folder (default: $ANNOTATE_PREDICTION_CACHE, "
        "else ~/.cache/annotate/predictions)."
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        help="Where the predictors run: local (processes on this machine) or dask "
        "(a Dask cluster: --address, else one started for the run)."
    ),
]
AddressOpt = Annotated[
    str | None,
    typer.Option(
        help="A Dask scheduler to join, e.g. tcp://10.0.0.5:8786 "
        "(default: $DASK_SCHEDULER_ADDRESS; with neither, --engine dask starts a local cluster)."
    ),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Recompute every prediction; store none.")
]

# output (FormatOpt: annotate.cli._output, beside the formats)
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
