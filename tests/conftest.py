"""Shared fixtures: the bundled article and small helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotate.corpus import read_articles
from annotate.model import Document

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
ARTICLE = ARTICLES / "stargate-fr.txt"
ARTICLE_SHA256 = "b32979745a7c36f071d99f4749921e44a51a33af77f7658c53357626351f4549"


@pytest.fixture(scope="session")
def article() -> Document:
    """The bundled article, ingested."""
    return next(iter(read_articles(ARTICLE)))


@pytest.fixture(autouse=True, scope="session")
def _prediction_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands run by the tests cache predictions in a folder of this session, never in
    the user's ~/.cache (a stale entry there must not hide a change to the rules)."""
    from annotate.preannotate.cache import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("prediction-cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before
