"""Structural checks: the layer's JSON Schema (Draft 2020-12, ``schema/``).

The fast path is a compiled validator (``jsonschema_rs``): a record that passes costs a
few microseconds. Only a record that fails is run through ``jsonschema`` to explain every
error, in plain words, with its JSON path in the record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, cast

import jsonschema
from jsonschema import _keywords
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from annotate.model import Issue
from annotate.schemas import SchemaSet, active_schemas
from annotate.text import did_you_mean, kind, one_of, schema_type, span_name

try:  # the compiled fast path; jsonschema alone is correct, only slower
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover - jsonschema-rs is a declared dependency
    _rs = None  # type: ignore[assignment]

__all__ = ["StructuralValidator", "json_path"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_path(parts: Any) -> str:
    """``$.spans[2].end`` from ``["spans", 2, "end"]``."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@cache
def _rs_registry(schemas: SchemaSet) -> Any:
    resources = []
    for name, text in schemas.files.items():
        schema = json.loads(text)
        resources.append((schema.get("$id", name), schema))
    return _rs.Registry(resources)


@cache
def _compiled(schemas: SchemaSet, layer: str) -> Any:
    if _rs is None:  # pragma: no cover
        return None
    return _rs.validator_for(schemas.load(layer), registry=_rs_registry(schemas))


def _pointer(pointer: str, key: Any) -> str:
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


# keywords whose result depends on what the subschemas around them evaluated, or that
# the two validators read differently (``format`` asserts only in jsonschema here): in
# a schema set with any of them, no property is stepped over
_WHOLE_ONLY = ("format", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef")


def _item_checks(
    schemas: dict[str, dict[str, Any]], registry: Any, *, properties: bool = False
) -> dict[int, Any]:
    """``id`` of every ``items`` subschema in ``schemas`` (the very objects ``jsonschema``
    walks), and with ``properties`` of every subschema of a ``properties`` keyword → the
    compiled ``is_valid`` of that subschema, reached by its absolute URI and JSON pointer
    in ``registry`` (the compiled validator's)."""
    out: dict[int, Any] = {}

    def check(value: Any, uri: str, here: str) -> None:
        if not isinstance(value, dict) or not here.isascii():
            return
        try:
            compiled = _rs.validator_for({"$ref": f"{uri}#{here}"}, registry=registry)
        except Exception:  # not compiled: that subschema is walked
            return
        out[id(value)] = compiled.is_valid

    def walk(node: Any, uri: str, pointer: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = _pointer(pointer, key)
                if key == "items":
                    check(value, uri, here)
                elif key == "properties" and properties and isinstance(value, dict):
                    for name, sub in value.items():
                        check(sub, uri, _pointer(here, name))
                walk(value, uri, here)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, uri, f"{pointer}/{i}")

    for name, schema in schemas.items():
        walk(schema, schema.get("$id", name), "")
    return out


@cache
def _explainer(schemas: SchemaSet, layer: str) -> jsonschema.protocols.Validator:
    """The layer's ``jsonschema`` validator, which words every error, made to step over
    the array items and the properties the compiled validator finds valid: they have no
    error to word, and only the failing spans of a failing record are walked (explaining
    a record with one bad span costs about what one span does, not the record).

    ``jsonschema`` picks the class of a schema that names its ``$schema``, so the set's
    schemas are used here without that key (each is Draft 2020-12, as the registry then
    says); a set with another dialect keeps the plain validator."""
    slow = schemas.validator(layer)
    parsed = schemas.schemas()
    if _rs is None or any(s.get("$schema", _DRAFT) != _DRAFT for s in parsed.values()):
        return slow  # pragma: no cover
    copies = {n: {k: v for k, v in s.items() if k != "$schema"} for n, s in parsed.items()}
    text = "".join(schemas.files.values())
    whole = any(f'"{k}"' in text for k in _WHOLE_ONLY)
    checks = _item_checks(copies, _rs_registry(schemas), properties=not whole)

    def items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
        check = checks.get(id(items))
        if check is None or "prefixItems" in schema or not validator.is_type(instance, "array"):
            yield from _keywords.items(validator, items, instance, schema)
            return
        for index, element in enumerate(instance):
            if not check(element):
                yield from validator.descend(instance=element, schema=items, path=index)

    def properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for name, sub in properties.items():
            if name in instance:
                check = checks.get(id(sub))
                if check is not None and check(instance[name]):
                    continue  # valid: nothing to word
                yield from validator.descend(instance[name], sub, path=name, schema_path=name)

    registry: Registry = Registry().with_resources(
        (s.get("$id", n), Resource.from_contents(s, default_specification=DRAFT202012))
        for n, s in copies.items()
    )
    cls = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, {"items": items, "properties": properties}
    )
    root = copies[f"{layer}.schema.json"]
    return cast(
        jsonschema.protocols.Validator,
        cls(root, registry=registry, format_checker=slow.format_checker),
    )


class StructuralValidator:
    """The schema of one layer: ``is_valid`` (compiled) and ``explain`` (every error)."""

    def __init__(self, layer: str, *, schemas: SchemaSet | None = None) -> None:
        self.layer = layer
        self.schemas = schemas or active_schemas()
        self._fast = _compiled(self.schemas, layer)
        self._slow: jsonschema.protocols.Validator = _explainer(self.schemas, layer)
        self._labels = list(self.schemas.taxonomy(layer).labels)
        self._relations = list(self.schemas.taxonomy(layer).relations)

    def fast_is_valid(self) -> Callable[[Any], bool]:
        """The fastest ``is_valid`` available, as a plain callable."""
        if self._fast is not None:
            return cast(Callable[[Any], bool], self._fast.is_valid)
        return self._slow.is_valid  # pragma: no cover

    def is_valid(self, record: dict[str, Any]) -> bool:
        if self._fast is not None:
            return bool(self._fast.is_valid(record))
        return bool(self._slow.is_valid(record))  # pragma: no cover

    def explain(self, record: dict[str, Any]) -> list[Issue]:
        """Every schema error of ``record``, in plain words, one issue per problem."""
        issues: list[Issue] = []
        seen: set[tuple[str, str, str]] = set()
        errors = sorted(
            self._slow.iter_errors(record),
            key=lambda e: ([str(p) for p in e.absolute_path], e.validator),
        )
        for err in errors:
            for issue in self._plain(err, record):
                key = (issue.code, issue.json_path, issue.message)
                if key not in seen:
                    seen.add(key)
                    issues.append(issue)
        if not issues and not self.is_valid(record):  # the two validators disagree
            for e in self._fast.iter_errors(record):
                issues.append(Issue("schema", e.message, json_path=json_path(e.instance_path)))
        return issues

    # ------------------------------------------------------------------ plain words
    def _where(self, path: list[Any], record: dict[str, Any]) -> str:
        if len(path) >= 2 and path[0] == "spans" and isinstance(path[1], int):
            spans = record.get("spans")
            span = spans[path[1]] if isinstance(spans, list) and path[1] < len(spans) else None
            rest = ".".join(str(p) for p in path[2:])
            return span_name(span, path[1]) + (f" {rest}" if rest else "")
        if len(path) >= 2 and path[0] == "relations" and isinstance(path[1], int):
            rest = ".".join(str(p) for p in path[2:])
            return f"relations[{path[1]}]" + (f" {rest}" if rest else "")
        return " ".join(str(p) for p in path) if path else "the record"

    def _plain(self, err: jsonschema.ValidationError, record: dict[str, Any]) -> Iterator[Issue]:
        path = list(err.absolute_path)
        where = self._where(path, record)
        at = json_path(path)
        field = path[-1] if path else None
        value = err.instance
        rule = err.validator
        expected = err.validator_value
        if rule == "required":
            present = value if isinstance(value, dict) else {}
            for name in expected:
                if name not in present:
                    yield Issue(
                        "missing-field",
                        f"{where}: {name} is missing",
                        json_path=f"{at}.{name}",
                        hint=self._hint_for(path, name),
                    )
        elif rule == "enum" and path[:1] == ["spans"] and field == "label":
            yield Issue(
                "unknown-label",
                f"{self._where(path[:2], record)}: {value!r} is not a label of the {self.layer} layer",
                json_path=at,
                hint=did_you_mean(value, self._labels),
            )
        elif rule == "enum" and path[:1] == ["relations"] and field == "label":
            yield Issue(
                "unknown-relation",
                f"{self._where(path[:2], record)}: {value!r} is not a relation of the {self.layer} layer",
                json_path=at,
                hint=did_you_mean(value, self._relations),
            )
        elif rule == "enum":
            yield Issue(
                "unknown-value",
                f"{where}: {value!r} is not an allowed value",
                json_path=at,
                hint=did_you_mean(value, [v for v in expected if isinstance(v, str)])
                if isinstance(value, str)
                else f"expected one of {one_of(expected)}",
            )
        elif rule == "const":
            yield Issue(
                "wrong-layer" if field == "layer" else "unknown-value",
                f"{where}: expected {expected!r}, got {kind(value)}",
                json_path=at,
            )
        elif rule == "type":
            yield Issue(
                "wrong-type",
                f"{where}: must be {schema_type(expected)}, got {kind(value)}",
                json_path=at,
            )
        elif rule in ("minimum", "exclusiveMinimum"):
            yield Issue(
                "negative-offset" if field in ("start", "end") else "too-small",
                f"{where}: must be at least {expected}, got {value}",
                json_path=at,
            )
        elif rule == "minLength":
            yield Issue("empty-value", f"{where}: is empty", json_path=at)
        elif rule == "maxItems" and field == "relations" and expected == 0:
            yield Issue(
                "relations-not-allowed",
                f"the {self.layer} layer has no relations; this record has {len(value)}",
                json_path=at,
                hint="delete the relations in Label Studio",
            )
        elif rule == "pattern":
            hint = "a Wikidata id such as Q90" if field == "kb_id" else f"pattern {expected}"
            yield Issue(
                "bad-format",
                f"{where}: {kind(value)} is not in the expected form",
                json_path=at,
                hint=hint,
            )
        elif rule == "additionalProperties":
            extra = sorted(k for k in value if k not in err.schema.get("properties", {}))
            yield Issue(
                "unexpected-field", f"{where}: unexpected field(s) {', '.join(extra)}", json_path=at
            )
        elif rule == "not" and isinstance(value, dict):
            banned = sorted(_required_names(expected) & set(value))
            label = value.get("label")
            yield Issue(
                "field-not-allowed",
                f"{where}: a {label} span must not have {', '.join(banned) or 'these fields'}",
                json_path=at,
                hint="remove them in Label Studio (they belong to another label)",
            )
        else:
            yield Issue("schema", f"{where}: {err.message}", json_path=at)

    def _hint_for(self, path: list[Any], name: str) -> str | None:
        if path[:1] == ["spans"]:
            choice = self.schemas.taxonomy(self.layer).choices.get(name)
            if choice is not None:
                return f"choose one of {one_of(choice.values)} for this region in Label Studio"
        return None


def _required_names(schema: Any) -> set[str]:
    """The property names a ``not``/``anyOf``-of-``required`` schema forbids."""
    out: set[str] = set()
    if isinstance(schema, dict):
        for name in schema.get("required", []):
            out.add(name)
        for sub in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
            out |= _required_names(sub)
    return out
