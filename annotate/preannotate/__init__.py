"""Predictors turn Documents into pre-annotations, sent to Label Studio as predictions.

A predictor has a ``name`` (``<layer>.<method>``, e.g. ``entities.spacy``), a ``version``
that becomes the prediction's ``model_version``, and a ``predict`` method that yields one
:class:`Prediction` per document. The registry below lists them; an unknown name lists
the known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from annotate.errors import ConfigError
from annotate.model import Document, Relation, Span

__all__ = [
    "PREDICTORS",
    "Prediction",
    "Predictor",
    "get_predictor",
    "register",
]


@dataclass(slots=True)
class Prediction:
    """What one predictor proposes for one document (offsets into the document text)."""

    doc_id: str
    layer: str
    model_version: str
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


class Predictor(Protocol):
    name: str
    layer: str
    version: str

    def predict(self, documents: Iterable[Document]) -> Iterator[Prediction]: ...


PREDICTORS: dict[str, Callable[[], Predictor]] = {}


def register(name: str) -> Callable[[Callable[[], Predictor]], Callable[[], Predictor]]:
    """Class decorator (or factory decorator) that adds a predictor to the registry."""

    def deco(factory: Callable[[], Predictor]) -> Callable[[], Predictor]:
        PREDICTORS[name] = factory
        return factory

    return deco


def _load_builtin() -> None:
    # Importing the modules registers their predictors; kept lazy because spaCy is slow to import.
    import importlib

    for module in ("entities", "claims", "translation_errors"):
        try:
            importlib.import_module(f"annotate.preannotate.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"annotate.preannotate.{module}":
                raise


def get_predictor(name: str) -> Predictor:
    """The predictor called ``name``; an unknown name lists the known ones."""
    _load_builtin()
    try:
        return PREDICTORS[name]()
    except KeyError:
        raise ConfigError(
            f"unknown predictor {name!r}; known: {', '.join(sorted(PREDICTORS)) or 'none'}"
        ) from None
