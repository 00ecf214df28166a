"""annotate: articles → Label Studio tasks → validated labels → versioned datasets.

The data model (:mod:`annotate.model`) and one entry point per stage, each taking the
previous stage's object::

    documents = annotate.read_articles(Path("data/articles"))         # corpus
    annotate.push(documents, layers=["entities"])                      # → Label Studio
    annotate.pull(layers=["entities"])                                 # → raw exports, pinned
    report = annotate.validate_exports(paths, {d.id: d for d in documents})
    gold = annotate.gold_set(articles=documents, pins=Path("data/labels/pins.json"))
    annotate.build_release(gold, out=Path("releases"), dataset="…", version="1.0.0",
                           card_template=Path("dataset_card.md"))
    annotate.evaluate_against_gold(gold, predictors=["entities.rules"])
    annotate.reproduce_release(Path("releases/…/1.0.0"), articles=…, pins=…, card_template=…)
    annotate.verify_release(Path("releases/…/1.0.0"))

The next version of a dataset, chosen from the diff with the latest one, is
:func:`annotate.release.publish.release` (``annotate.release`` is the subpackage). The stage
functions are imported on first use (they pull in pyarrow, datasets and the
Label Studio SDK), so that ``import annotate`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from annotate._version import __version__
from annotate.corpus import make_document, read_articles
from annotate.errors import (
    AnnotateError,
    ConfigError,
    CorpusError,
    ExportError,
    LabelStudioError,
    ReleaseError,
    SchemaError,
    ValidationFailed,
)
from annotate.layers import get_layer, layer_names
from annotate.model import (
    Annotation,
    Document,
    GoldChoice,
    GoldSet,
    Issue,
    Prediction,
    Relation,
    Segment,
    Span,
)

if TYPE_CHECKING:
    from annotate.evaluate import evaluate_against_gold
    from annotate.labelstudio.sync import pull, push
    from annotate.pipeline import gold_set
    from annotate.release.build import build_release
    from annotate.release.reproduce import reproduce_release
    from annotate.release.verify import verify_release
    from annotate.validate import validate_exports

# entry point → the module that defines it (imported on first use)
_STAGES = {
    "build_release": "annotate.release.build",
    "evaluate_against_gold": "annotate.evaluate",
    "gold_set": "annotate.pipeline",
    "pull": "annotate.labelstudio.sync",
    "push": "annotate.labelstudio.sync",
    "reproduce_release": "annotate.release.reproduce",
    "validate_exports": "annotate.validate",
    "verify_release": "annotate.release.verify",
}

__all__ = [
    "AnnotateError",
    "Annotation",
    "ConfigError",
    "CorpusError",
    "Document",
    "ExportError",
    "GoldChoice",
    "GoldSet",
    "Issue",
    "LabelStudioError",
    "Prediction",
    "Relation",
    "ReleaseError",
    "SchemaError",
    "Segment",
    "Span",
    "ValidationFailed",
    "__version__",
    "build_release",
    "evaluate_against_gold",
    "get_layer",
    "gold_set",
    "layer_names",
    "make_document",
    "pull",
    "push",
    "read_articles",
    "reproduce_release",
    "validate_exports",
    "verify_release",
]


def __getattr__(name: str) -> Any:
    if name in _STAGES:
        value = getattr(importlib.import_module(_STAGES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'annotate' has no attribute {name!r}")
