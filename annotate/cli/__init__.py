"""The command line: each command parses its options, calls one library function, prints.

One module per group of commands; importing them registers the commands on ``app``.
Exit codes: 0 success; 1 the run failed (bad input, validation problems with --strict, a
server error); 2 bad usage (unknown option, layer or predictor).
"""

# importing registers the commands, in the order --help lists them: the release ones first
from annotate.cli import release, release_checks  # noqa: F401

# isort: split
from annotate.cli import (  # noqa: F401
    agreement,
    corpus,
    evaluate,
    labelstudio,
    project,
    review,
    schema,
    validate,
)
from annotate.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
