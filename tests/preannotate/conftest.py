"""Fixtures for the predictor tests (helpers in ``helpers.py``)."""

from __future__ import annotations

import pytest

from .helpers import Predict, predict_text


@pytest.fixture(scope="session")
def predict() -> Predict:
    """``predict(name, text)``: one predictor's prediction for one French text."""
    return predict_text
