"""The annotation layers. A layer is declared by one schema file (``schema/<name>.schema.json``)
and one module here; this registry is the only list of them, and its order is the layers'
order everywhere (configs, card sections, plot panels, reports).

A layer can also join at run time, from a schema file and a :class:`Layer` subclass
anywhere (:func:`register_layer`); every stage then knows it as it knows the shipped ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from annotate.errors import ConfigError, SchemaError
from annotate.layers.base import Layer
from annotate.layers.claims import ClaimsLayer
from annotate.layers.entities import EntitiesLayer
from annotate.layers.translation_errors import TranslationErrorsLayer
from annotate.schemas import SchemaSet, add_schema_file, remove_schema_file

__all__ = [
    "LAYERS",
    "Layer",
    "get_layer",
    "in_layer_order",
    "layer_names",
    "register_layer",
    "registered_layer",
    "unregister_layer",
]

LAYERS: dict[str, type[Layer]] = {
    cls.name: cls for cls in (EntitiesLayer, ClaimsLayer, TranslationErrorsLayer)
}
_SHIPPED = frozenset(LAYERS)


def layer_names() -> list[str]:
    """The known layers, in layer order (the registry's)."""
    return list(LAYERS)


def in_layer_order(names: Iterable[str]) -> list[str]:
    """``names`` in layer order; names no layer has come last, sorted."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def get_layer(name: str, schemas: SchemaSet | None = None) -> Layer:
    """The layer called ``name``, bound to ``schemas`` (default: the active set); an
    unknown name lists the known ones."""
    try:
        return LAYERS[name](schemas)
    except KeyError:
        raise ConfigError(f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}") from None


def register_layer(cls: type[Layer], schema: Path) -> None:
    """Add the layer ``cls`` (a :class:`Layer` subclass whose ``name`` is the layer's) with
    its schema file ``schema`` (its ``x-annotate.layer`` must be that name). The schema is
    checked like the shipped ones; a name already known is refused, listing the known ones."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ConfigError(f"{cls!r} is not a Layer subclass with a name")
    if name in LAYERS:
        raise ConfigError(
            f"a layer named {name!r} exists already; known layers: {', '.join(LAYERS)}"
        )
    text = schema.read_text(encoding="utf-8")
    try:
        declared = json.loads(text).get("x-annotate", {}).get("layer")
    except json.JSONDecodeError as exc:
        raise SchemaError(f"invalid JSON: {exc.msg}", file=schema) from exc
    if declared != name:
        raise SchemaError(
            f"x-annotate.layer is {declared!r}, the layer class is named {name!r}",
            file=schema,
            hint="give the schema and the class the same layer name",
        )
    schemas = add_schema_file(f"{name}.schema.json", text)
    problems = [p for p in schemas.check() if f"{name}.schema.json" in p]
    if problems:
        remove_schema_file(f"{name}.schema.json")
        raise SchemaError("; ".join(problems), file=schema)
    LAYERS[name] = cls


def unregister_layer(name: str) -> None:
    """Remove a layer added by :func:`register_layer`."""
    if name in _SHIPPED:
        raise ConfigError(f"{name!r} is shipped with the toolkit and cannot be removed")
    if LAYERS.pop(name, None) is None:
        raise ConfigError(f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}")
    remove_schema_file(f"{name}.schema.json")


@contextmanager
def registered_layer(cls: type[Layer], schema: Path) -> Iterator[type[Layer]]:
    """:func:`register_layer` for the duration of a block (tests, one-off scripts)."""
    register_layer(cls, schema)
    try:
        yield cls
    finally:
        unregister_layer(cls.name)
