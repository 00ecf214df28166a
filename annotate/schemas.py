"""Load the JSON Schemas in ``schema/`` (shipped as ``annotate._schema``) and expose each
layer's taxonomy and validators.

The taxonomy of a layer lives in its schema file only: the ``enum`` of ``spans[].label``
is what a record may carry, and the ``x-annotate`` block says how to present and score it
(descriptions, colours, per-region choices, relations, MQM weights). Everything else — Label
Studio configs, validation, dataset features, card tables — is derived from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from annotate.errors import ConfigError, SchemaError

__all__ = [
    "SCHEMA_PACKAGE",
    "Choice",
    "Taxonomy",
    "check_schemas",
    "layer_names",
    "load_schema",
    "registry",
    "schema_files",
    "taxonomy",
    "validator",
]

SCHEMA_PACKAGE = "annotate._schema"


@dataclass(frozen=True)
class Choice:
    """A per-region (``applies_to`` a label or ``*``) or per-segment choice of a layer."""

    name: str
    description: str
    values: dict[str, str]
    applies_to: str = "*"

    @property
    def per_segment(self) -> bool:
        return self.applies_to == "segment"


@dataclass(frozen=True)
class Taxonomy:
    """What one layer's schema declares."""

    layer: str
    title: str
    version: str
    labels: dict[str, dict[str, Any]]
    choices: dict[str, Choice] = field(default_factory=dict)
    text_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)
    weights: dict[str, Any] = field(default_factory=dict)
    forbidden: list[dict[str, Any]] = field(default_factory=list)
    overlap: str = "allowed"

    def region_choices(self) -> list[Choice]:
        return [c for c in self.choices.values() if not c.per_segment]

    def segment_choices(self) -> list[Choice]:
        return [c for c in self.choices.values() if c.per_segment]

    def choice_applies(self, choice: Choice, label: str) -> bool:
        return choice.applies_to in ("*", label)


def schema_files() -> dict[str, str]:
    """File name → text of every schema shipped with the package."""
    root = resources.files(SCHEMA_PACKAGE)
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".schema.json")
    }


@cache
def _all_schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for name, text in schema_files().items():
        try:
            out[name] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(
                f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                file=f"schema/{name}",
            ) from exc
    return out


def load_schema(name: str) -> dict[str, Any]:
    """The schema ``schema/<name>.schema.json`` as a dict (``name`` like ``entities``)."""
    schemas = _all_schemas()
    key = f"{name}.schema.json"
    if key not in schemas:
        known = sorted(k.removesuffix(".schema.json") for k in schemas)
        raise ConfigError(f"no schema named {name!r}; known: {', '.join(known)}")
    return schemas[key]


@cache
def registry() -> Registry:
    """A referencing registry of every shipped schema, by ``$id`` and by file name, so that
    ``{"$ref": "record.schema.json"}`` resolves offline."""
    reg: Registry = Registry()
    for name, schema in _all_schemas().items():
        res = Resource.from_contents(schema)
        reg = reg.with_resource(schema.get("$id", name), res)
    return reg


def layer_names() -> list[str]:
    """The annotation layers, in schema file order (those with an ``x-annotate`` block)."""
    order = ["entities", "claims", "translation_errors"]
    names = [n.removesuffix(".schema.json") for n, s in _all_schemas().items() if "x-annotate" in s]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


@cache
def taxonomy(layer: str) -> Taxonomy:
    schema = load_schema(layer)
    meta = schema.get("x-annotate")
    if meta is None:
        raise ConfigError(
            f"{layer!r} is not an annotation layer; known: {', '.join(layer_names())}"
        )
    choices = {
        name: Choice(
            name=name,
            description=c.get("description", ""),
            values=dict(c["values"]),
            applies_to=c.get("applies_to", "*"),
        )
        for name, c in meta.get("choices", {}).items()
    }
    return Taxonomy(
        layer=meta["layer"],
        title=meta.get("title", layer),
        version=meta.get("version", "0"),
        labels=dict(meta["labels"]),
        choices=choices,
        text_fields=dict(meta.get("text_fields", {})),
        relations=dict(meta.get("relations", {})),
        weights=dict(meta.get("weights", {})),
        forbidden=list(meta.get("forbidden", [])),
        overlap=meta.get("overlap", "allowed"),
    )


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator for ``schema/<name>.schema.json`` with the shared registry."""
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, registry=registry(), format_checker=cls.FORMAT_CHECKER)


def _span_label_enum(schema: dict[str, Any]) -> list[str] | None:
    try:
        return list(schema["properties"]["spans"]["items"]["properties"]["label"]["enum"])
    except KeyError:
        return None


def check_schemas() -> list[str]:
    """Check every shipped schema: valid Draft 2020-12, ``$ref``s resolve, and each layer's
    label enum and choice enums agree with its ``x-annotate`` taxonomy. Returns problems."""
    problems: list[str] = []
    for name, schema in _all_schemas().items():
        where = f"schema/{name}"
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            path = "$" + "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in exc.path)
            problems.append(f"{where} at {path}: not a valid Draft 2020-12 schema: {exc.message}")
            continue
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            problems.append(f"{where}: $schema must be Draft 2020-12")
        layer = name.removesuffix(".schema.json")
        try:
            validator(layer).is_valid({})  # forces $ref resolution
        except Exception as exc:  # referencing errors have no common public base
            problems.append(f"{where}: cannot resolve references: {exc}")
        if "x-annotate" not in schema:
            continue
        tax = taxonomy(layer)
        if tax.layer != layer:
            problems.append(f"{where}: x-annotate.layer is {tax.layer!r}, file says {layer!r}")
        enum = _span_label_enum(schema)
        if enum is None:
            problems.append(f"{where}: spans.items.properties.label.enum is missing")
        elif enum != list(tax.labels):
            problems.append(
                f"{where}: label enum {enum} differs from x-annotate.labels {list(tax.labels)}"
            )
        item_props = schema["properties"]["spans"]["items"].get("properties", {})
        for choice in tax.region_choices():
            declared = item_props.get(choice.name, {}).get("enum")
            if declared != list(choice.values):
                problems.append(
                    f"{where}: enum of spans[].{choice.name} {declared} differs from "
                    f"x-annotate.choices.{choice.name} {list(choice.values)}"
                )
        for rel in tax.relations.values():
            for end in ("from", "to"):
                if rel.get(end) not in tax.labels:
                    problems.append(f"{where}: relation end {rel.get(end)!r} is not a label")
    return problems
