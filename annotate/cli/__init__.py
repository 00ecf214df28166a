"""The command line: each command parses its options, calls one library function, prints.

One module per group of commands; importing them registers the commands on ``app``.
Exit codes: 0 success; 1 the run failed (bad input, validation problems with --strict, a
server error); 2 bad usage (unknown option, layer or predictor).
"""

from annotate.cli import (  # noqa: F401  (importing registers the commands)
    agreement,
    corpus,
    evaluate,
    labelstudio,
    project,
    release,
    review,
    schema,
    validate,
)
from annotate.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
