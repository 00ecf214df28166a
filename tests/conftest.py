"""Shared fixtures: the bundled article and small helpers."""

from __future__ import annotations

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
