"""The annotation layers. A layer is declared by one schema file (``schema/<name>.schema.json``)
and one module here; this registry is the only list of them."""

from __future__ import annotations

from annotate.errors import ConfigError
from annotate.layers.base import Layer
from annotate.layers.claims import ClaimsLayer
from annotate.layers.entities import EntitiesLayer
from annotate.layers.translation_errors import TranslationErrorsLayer
from annotate.schemas import SchemaSet

__all__ = ["LAYERS", "Layer", "get_layer", "layer_names"]

LAYERS: dict[str, type[Layer]] = {
    cls.name: cls for cls in (EntitiesLayer, ClaimsLayer, TranslationErrorsLayer)
}


def layer_names() -> list[str]:
    return list(LAYERS)


def get_layer(name: str, schemas: SchemaSet | None = None) -> Layer:
    """The layer called ``name``, bound to ``schemas`` (default: the active set); an
    unknown name lists the known ones."""
    try:
        return LAYERS[name](schemas)
    except KeyError:
        raise ConfigError(f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}") from None
