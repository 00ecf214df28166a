"""The predictors the CLI and the demo use by default."""

from __future__ import annotations

from annotate.preannotate import run_predictors

__all__ = ["DEFAULT_PREDICTORS", "run_predictors"]

# The recommended predictor per layer (`annotate evaluate` measures how good they are).
DEFAULT_PREDICTORS = ("entities.rules", "claims.cues", "translation_errors.checks")
