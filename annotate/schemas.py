"""Load the JSON Schemas in ``schema/`` (shipped as ``annotate._schema``) and expose each
layer's taxonomy and validators.

The taxonomy of a layer lives in its schema file only: the ``enum`` of ``spans[].label``
is what a record may carry, and the ``x-annotate`` block says how to present and score it
(descriptions, colours, per-region choices, relations, MQM weights). Everything else — Label
Studio configs, validation, dataset features, card tables — is derived from here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from annotate.errors import ConfigError, SchemaError

__all__ = [
    "SCHEMA_PACKAGE",
    "Choice",
    "SchemaSet",
    "Taxonomy",
    "active_schemas",
    "add_schema_file",
    "check_schemas",
    "layer_names",
    "load_schema",
    "registry",
    "remove_schema_file",
    "schema_files",
    "taxonomy",
    "using_schemas",
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
    title: str = ""  # the question's title in the labeling UI (default: from the name)
    required: bool = False  # Label Studio refuses to submit without it
    hotkeys: dict[str, str] = field(default_factory=dict)  # value → key
    colours: dict[str, str] = field(default_factory=dict)  # value → CSS colour

    @property
    def heading(self) -> str:
        return self.title or self.name.replace("_", " ").capitalize()

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
    alone_in_segment: tuple[str, ...] = ()  # labels no other span may accompany

    def region_choices(self) -> list[Choice]:
        return [c for c in self.choices.values() if not c.per_segment]

    def segment_choices(self) -> list[Choice]:
        return [c for c in self.choices.values() if c.per_segment]

    def choice_applies(self, choice: Choice, label: str) -> bool:
        return choice.applies_to in ("*", label)


class SchemaSet:
    """The schema files one build reads, as a value: file name → text, parsed on demand.

    :meth:`package` is the set shipped with the toolkit (``schema/``); a release carries
    its own copy (``<release>/schema/``), which :meth:`from_directory` reads, so that a
    release is rebuilt and checked with the schemas it was made with. Layers are bound to
    one set (:class:`annotate.layers.Layer`); everything derived from a schema (taxonomy,
    validators, registry) is computed once per set. Two sets with the same files are equal.
    """

    def __init__(self, files: Mapping[str, str], *, origin: str) -> None:
        self.files: dict[str, str] = dict(sorted(files.items()))
        self.origin = origin  # where the files were read from, for error messages
        digest = hashlib.sha256()
        for name, text in self.files.items():
            digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        self.digest = digest.hexdigest()
        self._parsed: dict[str, dict[str, Any]] | None = None
        self._taxonomies: dict[str, Taxonomy] = {}
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._registry: Registry | None = None

    @classmethod
    def package(cls) -> SchemaSet:
        """The schemas shipped with the package (``annotate._schema``)."""
        return _package_set()

    @classmethod
    def from_directory(cls, path: Path) -> SchemaSet:
        """Every ``*.schema.json`` in ``path`` (a release's ``schema/`` copy, say)."""
        if not path.is_dir():
            raise SchemaError(
                "no schema directory here",
                file=path,
                hint="a release keeps the schemas it was built with in schema/",
            )
        files = {p.name: p.read_text(encoding="utf-8") for p in sorted(path.glob("*.schema.json"))}
        return cls(files, origin=str(path))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SchemaSet) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"SchemaSet({self.origin!r}, {len(self.files)} files)"

    def _where(self, name: str) -> str:
        return f"{self.origin}/{name}" if self.origin != SCHEMA_PACKAGE else f"schema/{name}"

    def schemas(self) -> dict[str, dict[str, Any]]:
        """File name → parsed schema."""
        if self._parsed is None:
            out = {}
            for name, text in self.files.items():
                try:
                    out[name] = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise SchemaError(
                        f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                        file=self._where(name),
                    ) from exc
            self._parsed = out
        return self._parsed

    def load(self, name: str) -> dict[str, Any]:
        """The schema ``<name>.schema.json`` as a dict (``name`` like ``entities``)."""
        schemas = self.schemas()
        key = f"{name}.schema.json"
        if key not in schemas:
            known = sorted(k.removesuffix(".schema.json") for k in schemas)
            raise ConfigError(
                f"no schema named {name!r} in {self.origin}; known: {', '.join(known)}"
            )
        return schemas[key]

    def registry(self) -> Registry:
        """A referencing registry of every schema of the set, by ``$id`` and by file name,
        so that ``{"$ref": "record.schema.json"}`` resolves offline."""
        if self._registry is None:
            reg: Registry = Registry()
            for name, schema in self.schemas().items():
                reg = reg.with_resource(schema.get("$id", name), Resource.from_contents(schema))
            self._registry = reg
        return self._registry

    def layer_names(self) -> list[str]:
        """The layers the set has schemas for (those with an ``x-annotate`` block), by file
        name; the layers' order is the registry's (:func:`annotate.layers.layer_names`)."""
        return [
            n.removesuffix(".schema.json") for n, s in self.schemas().items() if "x-annotate" in s
        ]

    def taxonomy(self, layer: str) -> Taxonomy:
        """What the schema of ``layer`` declares in its ``x-annotate`` block."""
        if layer not in self._taxonomies:
            self._taxonomies[layer] = self._read_taxonomy(layer)
        return self._taxonomies[layer]

    def _read_taxonomy(self, layer: str) -> Taxonomy:
        schema = self.load(layer)
        meta = schema.get("x-annotate")
        if meta is None:
            raise ConfigError(
                f"{layer!r} is not an annotation layer; known: {', '.join(self.layer_names())}"
            )
        choices = {
            name: Choice(
                name=name,
                description=c.get("description", ""),
                values=dict(c["values"]),
                applies_to=c.get("applies_to", "*"),
                title=c.get("title", ""),
                required=bool(c.get("required", False)),
                hotkeys=dict(c.get("hotkeys", {})),
                colours=dict(c.get("colours", {})),
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
            alone_in_segment=tuple(meta.get("alone_in_segment", ())),
        )

    def validator(self, name: str) -> jsonschema.protocols.Validator:
        """A Draft 2020-12 validator for ``<name>.schema.json`` with the set's registry."""
        if name not in self._validators:
            schema = self.load(name)
            cls = jsonschema.validators.validator_for(
                schema, default=jsonschema.Draft202012Validator
            )
            self._validators[name] = cls(
                schema, registry=self.registry(), format_checker=cls.FORMAT_CHECKER
            )
        return self._validators[name]

    def hashes(self) -> dict[str, str]:
        """File name → sha256 of its text (the manifest's ``schema``)."""
        return {name: hashlib.sha256(t.encode()).hexdigest() for name, t in self.files.items()}

    def versions(self) -> dict[str, str]:
        """Layer → its schema version (the manifest's ``schema_versions``)."""
        return {name: self.taxonomy(name).version for name in self.layer_names()}

    def check(self) -> list[str]:
        """Check every schema of the set; returns the problems (see :func:`check_schemas`)."""
        return _check(self)


# Schema files of layers registered at run time (annotate.layers.register_layer):
# file name → text; they join the package's set.
_REGISTERED: dict[str, str] = {}


@cache
def _package_set() -> SchemaSet:
    root = resources.files(SCHEMA_PACKAGE)
    files = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".schema.json")
    }
    return SchemaSet({**files, **_REGISTERED}, origin=SCHEMA_PACKAGE)


def add_schema_file(name: str, text: str) -> SchemaSet:
    """Add a schema file (``<layer>.schema.json``) to the package's set; returns the new
    set. Refuses a name the set has already."""
    if name in _package_set().files:
        raise ConfigError(f"a schema named {name!r} exists already", hint="choose another name")
    _REGISTERED[name] = text
    _package_set.cache_clear()
    return _package_set()


def remove_schema_file(name: str) -> None:
    """Undo :func:`add_schema_file` (the shipped files cannot be removed)."""
    if _REGISTERED.pop(name, None) is not None:
        _package_set.cache_clear()


_ACTIVE: ContextVar[SchemaSet | None] = ContextVar("annotate_schemas", default=None)


def active_schemas() -> SchemaSet:
    """The set in use: the one :func:`using_schemas` put in place, else the package's."""
    return _ACTIVE.get() or _package_set()


@contextmanager
def using_schemas(schemas: SchemaSet | None) -> Iterator[SchemaSet]:
    """Make ``schemas`` the default set inside the block (``None``: the current one), for
    the stages that look a layer up by name (the export reader, the validators). A rebuild
    wraps itself in the release's own set so that editing ``schema/`` does not change it."""
    chosen = schemas or active_schemas()
    token = _ACTIVE.set(chosen)
    try:
        yield chosen
    finally:
        _ACTIVE.reset(token)


# The functions below read the active set; they are what most callers need.


def schema_files() -> dict[str, str]:
    """File name → text of every schema of the active set."""
    return dict(active_schemas().files)


def load_schema(name: str) -> dict[str, Any]:
    """The schema ``schema/<name>.schema.json`` of the active set, as a dict."""
    return active_schemas().load(name)


def registry() -> Registry:
    """The referencing registry of the active set."""
    return active_schemas().registry()


def layer_names() -> list[str]:
    """The layers the active set has schemas for, by file name."""
    return active_schemas().layer_names()


def taxonomy(layer: str) -> Taxonomy:
    """The taxonomy of ``layer`` in the active set."""
    return active_schemas().taxonomy(layer)


def validator(name: str) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator of ``name`` in the active set."""
    return active_schemas().validator(name)


def _span_label_enum(schema: dict[str, Any]) -> list[str] | None:
    try:
        return list(schema["properties"]["spans"]["items"]["properties"]["label"]["enum"])
    except KeyError:
        return None


def check_schemas(schemas: SchemaSet | None = None) -> list[str]:
    """Check every schema of a set (default: the active one): valid Draft 2020-12,
    ``$ref``s resolve, and each layer's label enum and choice enums agree with its
    ``x-annotate`` taxonomy. Returns the problems."""
    return _check(schemas or active_schemas())


def _check(schemas: SchemaSet) -> list[str]:
    problems: list[str] = []
    for name, schema in schemas.schemas().items():
        where = schemas._where(name)
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
            schemas.validator(layer).is_valid({})  # forces $ref resolution
        except Exception as exc:  # referencing errors have no common public base
            problems.append(f"{where}: cannot resolve references: {exc}")
        if "x-annotate" not in schema:
            continue
        tax = schemas.taxonomy(layer)
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
        for label in tax.alone_in_segment:
            if label not in tax.labels:
                problems.append(f"{where}: alone_in_segment names {label!r}, not a label")
        for rel in tax.relations.values():
            for end in ("from", "to"):
                if rel.get(end) not in tax.labels:
                    problems.append(f"{where}: relation end {rel.get(end)!r} is not a label")
    return problems
