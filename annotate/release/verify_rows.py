"""The row checks of :func:`annotate.release.verify.verify_release`: every row of a data
file against the documents and the schema of the release's version.

A file is read a record batch at a time. A fast pass over the batch's columns (Python
lists of the few columns the checks read; the schema columns' distinct values decided once
each by the compiled ``jsonschema_rs`` validator) clears every row that passes all the
checks. Only a row it cannot clear is checked again by :meth:`RowChecks.word`, the full
checks, which word every problem with ``jsonschema`` as they always did: the fast pass
decides which rows are worded, never what is said about them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pyarrow as pa

from annotate.model import Issue

try:  # the compiled fast path; jsonschema alone is correct, only slower
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover - jsonschema-rs is a declared dependency
    _rs = None  # type: ignore[assignment]

__all__ = ["RowChecks", "decode_labels", "document_problems", "row_validator"]

# the columns the checks of a segments row read, and of a layer's or annotations row
# (besides the schema's and the row id)
_SEGMENT_COLUMNS = ("doc_id", "segment_start", "segment_end", "layer", "judgement")
_SPAN_COLUMNS = (
    *("doc_id", "segment_start", "segment_end", "start", "end", "span_text"),
    *("side", "attributes"),
)


def row_validator(layer_schema: dict[str, Any]) -> tuple[Any, list[str], Callable[..., bool]]:
    """A validator of a row's span fields (label and choices) from a layer schema, the
    columns it reads, and a fast ``is_valid`` of the same schema (compiled when it can be)."""
    items = layer_schema.get("properties", {}).get("spans", {}).get("items", {})
    props = items.get("properties", {})
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": [r for r in items.get("required", []) if r in props],
    }
    validator = jsonschema.Draft202012Validator(schema)
    is_valid: Callable[..., bool] = validator.is_valid
    if _rs is not None:
        with contextlib.suppress(Exception):  # one it does not compile: jsonschema decides
            is_valid = _rs.validator_for(schema).is_valid
    return validator, list(props), is_valid


def decode_labels(rows: list[dict[str, Any]], labels: dict[str, list[str]]) -> None:
    """ClassLabel indexes of ``rows`` (column → names) to their names, in place, as
    :func:`~annotate.release.tables.read_rows` gives them (a value past the names stays)."""
    for name, names in labels.items():
        for r in rows:
            v = r.get(name)
            if isinstance(v, int) and 0 <= v < len(names):
                r[name] = names[v]


def _source_side(row: dict[str, Any]) -> bool:
    """Whether a layer or annotations row is a span marked on the source side."""
    if row.get("side") == "source":
        return True
    attributes = row.get("attributes")
    return isinstance(attributes, str) and '"side": "source"' in attributes


def document_problems(rows: list[dict[str, Any]], offset: int, rel: str) -> list[Issue]:
    """Rows of the documents config whose doc_id is not the sha256 of their text."""
    problems = []
    for i, r in enumerate(rows, start=offset):
        text = r.get("text") or ""
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != r.get("doc_id"):
            problems.append(
                Issue(
                    "doc-id",
                    "doc_id is not the sha256 of the text",
                    file=rel,
                    json_path=f"$[{i}].doc_id",
                )
            )
    return problems


@dataclass(slots=True)
class RowChecks:
    """The checks of the rows of one data file of ``config`` (not ``documents``)."""

    config: str
    rel: str
    documents: dict[str, str]  # doc_id → text
    sources: dict[str, str]  # doc_id → source text
    judgements: dict[str, list[Any]]  # layer → the judgements its schema allows
    validator: Any  # jsonschema's, of the schema columns
    columns: list[str]  # the schema columns
    is_valid: Callable[..., bool]  # the same schema, compiled
    ident: str | None  # the row id column, which may not be empty
    labels: dict[str, list[str]]  # ClassLabel column → names
    _seen: dict[str, list[str]] = field(default_factory=dict)  # instance → its messages
    _cleared: dict[tuple[Any, ...], bool] = field(default_factory=dict)  # schema values → ok

    def suspects(self, batch: pa.RecordBatch) -> list[int]:
        """The indexes of the rows of ``batch`` the fast pass cannot clear."""
        n = batch.num_rows
        names = set(batch.schema.names)
        col: dict[str, list[Any]] = {}
        if self.config == "segments":
            read = set(_SEGMENT_COLUMNS)
        else:
            read = {*_SPAN_COLUMNS, *self.columns, *([self.ident] if self.ident else [])}
        for name in read:
            values = batch.column(name).to_pylist() if name in names else [None] * n
            if name in self.labels:
                its = self.labels[name]
                values = [its[v] if isinstance(v, int) and 0 <= v < len(its) else v for v in values]
            col[name] = values
        if self.config == "segments":
            return self._segment_suspects(col, n)
        ranges = self._range_suspects(col, n)
        if self.config == "annotations":
            return sorted(ranges)
        present = [c for c in self.columns if c in names]
        keys = zip(*(col[c] for c in present), strict=True) if present else [()] * n
        ids = col[self.ident] if self.ident else [True] * n
        out = []
        for i, key, ident in zip(range(n), keys, ids, strict=True):
            if i in ranges or not ident or not self._clear(present, key):
                out.append(i)
        return out

    def _segment_suspects(self, col: dict[str, list[Any]], n: int) -> list[int]:
        documents, judgements = self.documents, self.judgements
        out = []
        rows = zip(col["doc_id"], col["segment_start"], col["segment_end"], strict=True)
        for i, (doc, s0, s1), layer, judgement in zip(
            range(n), rows, col["layer"], col["judgement"], strict=True
        ):
            text = documents.get(doc or "")
            if (
                text is None
                or not (type(s0) is int and type(s1) is int and 0 <= s0 <= s1 <= len(text))
                or judgement not in judgements.get(str(layer), ())
            ):
                out.append(i)
        return out

    def _range_suspects(self, col: dict[str, list[Any]], n: int) -> set[int]:
        """Rows of a layer or of annotations whose document, segment, offsets or text the
        fast pass cannot clear."""
        documents, sources = self.documents, self.sources
        spans = self.config != "annotations"  # a layer's row always has a span
        out = set()
        where = zip(col["doc_id"], col["segment_start"], col["segment_end"], strict=True)
        span = zip(col["start"], col["end"], col["span_text"], strict=True)
        side = zip(col["side"], col["attributes"], strict=True)
        for i, (doc, s0, s1), (start, end, span_text), (its_side, attributes) in zip(
            range(n), where, span, side, strict=True
        ):
            text = documents.get(doc or "")
            if text is None or not (
                type(s0) is int and type(s1) is int and 0 <= s0 <= s1 <= len(text)
            ):
                out.add(i)
                continue
            if its_side == "source" or (
                isinstance(attributes, str) and '"side": "source"' in attributes
            ):
                text = sources.get(doc, "")
                s0, s1 = 0, len(text)
            if start is None and not spans:
                continue
            if not (
                type(start) is int
                and type(end) is int
                and s0 <= start < end <= s1
                and text[start:end] == span_text
            ):
                out.add(i)
        return out

    def _clear(self, present: list[str], key: tuple[Any, ...]) -> bool:
        """Whether the schema columns' values ``key`` pass the schema (decided once)."""
        try:
            known = self._cleared.get(key)
        except TypeError:  # an unhashable value: the full checks decide
            return False
        if known is None:
            instance = {c: v for c, v in zip(present, key, strict=True) if not isinstance(v, bool)}
            known = self._cleared[key] = bool(self.is_valid(instance))
        return known

    def word(self, i: int, r: dict[str, Any]) -> list[Issue]:
        """Every problem of row ``i`` (``r``: as :func:`~annotate.release.tables.read_rows`
        gives it), worded."""
        rel, where = self.rel, f"$[{i}]"
        text = self.documents.get(r.get("doc_id") or "")
        if text is None:
            return [
                Issue(
                    "unknown-document",
                    f"document {str(r.get('doc_id'))[:12]}… is not in the documents config",
                    file=rel,
                    json_path=f"{where}.doc_id",
                )
            ]
        s0, s1 = r.get("segment_start"), r.get("segment_end")
        if not (isinstance(s0, int) and isinstance(s1, int) and 0 <= s0 <= s1 <= len(text)):
            return [
                Issue(
                    "segment-range",
                    f"segment [{s0}, {s1}) is outside the document ({len(text)})",
                    file=rel,
                    json_path=where,
                )
            ]
        if _source_side(r):  # indexes the document's source text, anywhere in it
            text, s0, s1 = (
                self.sources.get(r["doc_id"], ""),
                0,
                len(self.sources.get(r["doc_id"], "")),
            )
        if self.config == "annotations":
            return self._annotation_problems(r, text, s0, s1, where)
        if self.config == "segments":
            return self._segment_problems(r, where)
        return self._span_problems(r, text, s0, s1, where)

    def _annotation_problems(
        self, r: dict[str, Any], text: str, s0: int, s1: int, where: str
    ) -> list[Issue]:
        start, end = r.get("start"), r.get("end")
        if start is not None and (
            not isinstance(end, int)
            or not s0 <= start < end <= s1
            or text[start:end] != r.get("span_text")
        ):
            return [
                Issue(
                    "span-text",
                    f"span [{start}, {end}) is outside its segment or its text differs",
                    file=self.rel,
                    json_path=where,
                )
            ]
        return []

    def _segment_problems(self, r: dict[str, Any], where: str) -> list[Issue]:
        layer = str(r.get("layer"))
        if layer not in self.judgements:
            return [
                Issue(
                    "unknown-layer",
                    f"layer {layer!r} has no schema",
                    file=self.rel,
                    json_path=f"{where}.layer",
                )
            ]
        if r.get("judgement") not in self.judgements[layer]:
            return [
                Issue(
                    "schema",
                    f"judgement {r.get('judgement')!r} is not one of {self.judgements[layer]}",
                    file=self.rel,
                    json_path=f"{where}.judgement",
                )
            ]
        return []

    def _span_problems(
        self, r: dict[str, Any], text: str, s0: int, s1: int, where: str
    ) -> list[Issue]:
        rel, problems = self.rel, []
        start, end = r.get("start"), r.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and s0 <= start < end <= s1):
            problems.append(
                Issue(
                    "offsets",
                    f"span [{start}, {end}) is not a non-empty part of its segment [{s0}, {s1})",
                    file=rel,
                    json_path=where,
                )
            )
        elif text[start:end] != r.get("span_text"):
            problems.append(
                Issue(
                    "text-mismatch",
                    f"span_text {r.get('span_text')!r} differs from the document's {text[start:end]!r}",
                    file=rel,
                    json_path=f"{where}.span_text",
                )
            )
        ident = self.ident
        if ident and not r.get(ident):
            problems.append(
                Issue("schema", f"{ident} is empty", file=rel, json_path=f"{where}.{ident}")
            )
        instance = {c: r[c] for c in self.columns if c in r and not isinstance(r[c], bool)}
        key = json.dumps(instance, sort_keys=True, default=str)
        if key not in self._seen:
            self._seen[key] = [
                f"{'.'.join(map(str, e.absolute_path)) or '$'}: {e.message}"
                for e in self.validator.iter_errors(instance)
            ]
        for message in self._seen[key]:
            problems.append(Issue("schema", message, file=rel, json_path=where))
        return problems
