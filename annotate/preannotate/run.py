"""Run several predictors over documents."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from annotate.model import Document
from annotate.preannotate import Prediction, get_predictor

__all__ = ["DEFAULT_PREDICTORS", "run_predictors"]

# The recommended predictor per layer (see `annotate evaluate` for how good they are).
DEFAULT_PREDICTORS = ("entities.rules", "claims.cues", "translation_errors.checks")


def run_predictors(
    names: Sequence[str],
    documents: Sequence[Document],
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Prediction]:
    """Every prediction of the named predictors (an unknown name lists the known ones)."""
    say = progress or (lambda _m: None)
    predictors = [get_predictor(n) for n in names]  # fail fast, before any work
    out: list[Prediction] = []
    for name, predictor in zip(names, predictors, strict=True):
        say(f"predicting with {name}")
        out.extend(predictor.predict(documents))
    return out
