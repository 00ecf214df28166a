"""annotate: articles → Label Studio tasks → validated labels → versioned datasets.

The stages live in their modules (``annotate.corpus``, ``annotate.labelstudio.sync``,
``annotate.validate``, ``annotate.release.build``, …); the names here are the data model
and the entry points most scripts start from.
"""

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
from annotate.model import Annotation, Document, Issue, Relation, Segment, Span

__all__ = [
    "AnnotateError",
    "Annotation",
    "ConfigError",
    "CorpusError",
    "Document",
    "ExportError",
    "Issue",
    "LabelStudioError",
    "Relation",
    "ReleaseError",
    "SchemaError",
    "Segment",
    "Span",
    "ValidationFailed",
    "__version__",
    "get_layer",
    "layer_names",
    "make_document",
    "read_articles",
]
