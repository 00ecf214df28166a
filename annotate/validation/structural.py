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

from annotate.model import Issue
from annotate.schemas import SchemaSet, active_schemas
from annotate.text import did_you_mean, kind, one_of, schema_type, span_name

try:  # the compiled fast path; jsonschema alone is correct, only slower
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover - jsonschema-rs is a declared dependency
    _rs = None  # type: ignore[assignment]

__all__ = ["StructuralValidator", "json_path"]


def json_path(parts: Any) -> str:
    """``$.spans[2].end`` from ``["spans", 2, "end"]``."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@cache
def _compiled(schemas: SchemaSet, layer: str) -> Any:
    if _rs is None:  # pragma: no cover
        return None
    resources = []
    for name, text in schemas.files.items():
        schema = json.loads(text)
        resources.append((schema.get("$id", name), schema))
    registry = _rs.Registry(resources)
    return _rs.validator_for(schemas.load(layer), registry=registry)


class StructuralValidator:
    """The schema of one layer: ``is_valid`` (compiled) and ``explain`` (every error)."""

    def __init__(self, layer: str, *, schemas: SchemaSet | None = None) -> None:
        self.layer = layer
        self.schemas = schemas or active_schemas()
        self._fast = _compiled(self.schemas, layer)
        self._slow: jsonschema.protocols.Validator = self.schemas.validator(layer)
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
