"""Check a release against its manifest and its schema: ``annotate verify``.

1. every file listed in manifest.json exists with its size and sha256, and no other file
   is there (a tampered, truncated, deleted or added file is named);
2. every row of every config validates against the schema of the release's version (the
   copy in ``schema/``): labels and choice values against the layer's enums, offsets inside
   the segment and the document, ``span_text`` equal to the document's text there,
   document ids equal to the sha256 of their text, row counts as in the manifest;
3. ``datasets.load_dataset`` loads every config (into a temporary cache).

Every problem is reported, each with the file and row it is about.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow.parquet as pq

from annotate.model import Issue
from annotate.pins import file_sha256
from annotate.release.manifest import MANIFEST, read_manifest
from annotate.release.shards import config_files
from annotate.release.tables import features_of, iter_rows, read_rows, row_id_column
from annotate.release.verify_load import load_configs

__all__ = ["VerifyReport", "verify_release"]

_MAX_PER_FILE = 1000
Progress = Callable[[str], None]


@dataclass(slots=True)
class VerifyReport:
    path: Path
    version: str | None
    files: int = 0
    rows: int = 0
    loaded: dict[str, int] = field(default_factory=dict)  # config → rows load_dataset gave
    problems: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "version": self.version,
            "ok": self.ok,
            "files": self.files,
            "rows": self.rows,
            "loaded": self.loaded,
            "problems": [p.to_dict() for p in self.problems],
        }


def _check_files(root: Path, manifest: dict[str, Any], report: VerifyReport) -> set[str]:
    """Checksums of the listed files; returns the paths that are intact."""
    intact = set()
    listed = set()
    for i, entry in enumerate(manifest.get("files", [])):
        rel = entry["path"]
        listed.add(rel)
        path = root / rel
        where = f"$.files[{i}]"
        if not path.is_file():
            report.problems.append(
                Issue("missing", "listed in the manifest but missing", file=rel, json_path=where)
            )
            continue
        report.files += 1
        size = path.stat().st_size
        if "bytes" in entry and size != entry["bytes"]:
            report.problems.append(
                Issue(
                    "size",
                    f"{size} bytes, the manifest says {entry['bytes']} (truncated or extended)",
                    file=rel,
                    json_path=f"{where}.bytes",
                )
            )
        actual = file_sha256(path)
        if actual != entry["sha256"]:
            report.problems.append(
                Issue(
                    "checksum",
                    f"sha256 {actual[:12]}… differs from the manifest's {entry['sha256'][:12]}…",
                    file=rel,
                    json_path=f"{where}.sha256",
                    hint="the file was changed after the release was built; rebuild it",
                )
            )
        elif "bytes" not in entry or size == entry["bytes"]:
            intact.add(rel)
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and rel != MANIFEST and rel not in listed:
            report.problems.append(
                Issue("unexpected", "a file the manifest does not list", file=rel)
            )
    return intact


def _schema_copy(root: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for p in sorted((root / "schema").glob("*.schema.json")):
        try:
            out[p.name.removesuffix(".schema.json")] = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue  # its checksum problem is reported already
    return out


def _row_validator(layer_schema: dict[str, Any]) -> tuple[Any, list[str]]:
    """A validator of a row's span fields (label and choices) from a layer schema, and the
    columns it reads."""
    items = layer_schema.get("properties", {}).get("spans", {}).get("items", {})
    props = items.get("properties", {})
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": [r for r in items.get("required", []) if r in props],
    }
    return jsonschema.Draft202012Validator(schema), list(props)


def _source_side(row: dict[str, Any]) -> bool:
    """Whether a layer or annotations row is a span marked on the source side."""
    if row.get("side") == "source":
        return True
    attributes = row.get("attributes")
    return isinstance(attributes, str) and '"side": "source"' in attributes


def _unreadable(exc: Exception, rel: str) -> Issue:
    return Issue("unreadable", f"cannot read the parquet file: {exc}", file=rel)


def _readable(rows: Iterator[dict[str, Any]], rel: str, report: VerifyReport) -> Iterator[Any]:
    try:
        yield from rows
    except Exception as exc:  # damage found past the footer, as the rows are read
        report.problems.append(_unreadable(exc, rel))


def _check_rows(
    root: Path,
    config: str,
    rel: str,
    schemas: dict[str, dict[str, Any]],
    texts: tuple[dict[str, str], dict[str, str]],
    report: VerifyReport,
    expected_rows: int | None,
) -> None:
    path = root / rel
    documents, sources = texts
    problems: list[Issue] = []
    try:
        count = pq.ParquetFile(path).metadata.num_rows
        features = features_of(path)
    except Exception as exc:  # pyarrow raises many kinds on a damaged file
        report.problems.append(_unreadable(exc, rel))
        return
    rows = _readable(iter_rows(path), rel, report)  # a batch at a time: shards are big
    report.rows += count
    if expected_rows is not None and count != expected_rows:
        problems.append(
            Issue("row-count", f"{count} rows, the manifest says {expected_rows}", file=rel)
        )
    if config == "documents":
        for i, r in enumerate(rows):
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
        report.problems += problems[:_MAX_PER_FILE]
        return
    judgements: dict[str, list[Any]] = {}
    for layer, schema in schemas.items():
        if "x-annotate" in schema:
            judgement = schema.get("properties", {}).get("judgement", {}).get("enum")
            judgements[layer] = judgement if judgement is not None else [None]
    layer_schema = schemas.get(config)
    if config not in ("segments", "annotations") and layer_schema is None:
        problems.append(
            Issue("no-schema", f"no schema/{config}.schema.json in the release", file=rel)
        )
        report.problems += problems
        return
    validator, columns = _row_validator(layer_schema or {})
    ident = row_id_column(features) if config not in ("segments", "annotations") else None
    seen: dict[str, list[str]] = {}
    for i, r in enumerate(rows):
        where = f"$[{i}]"
        text = documents.get(r.get("doc_id") or "")
        if text is None:
            problems.append(
                Issue(
                    "unknown-document",
                    f"document {str(r.get('doc_id'))[:12]}… is not in the documents config",
                    file=rel,
                    json_path=f"{where}.doc_id",
                )
            )
            continue
        s0, s1 = r.get("segment_start"), r.get("segment_end")
        if not (isinstance(s0, int) and isinstance(s1, int) and 0 <= s0 <= s1 <= len(text)):
            problems.append(
                Issue(
                    "segment-range",
                    f"segment [{s0}, {s1}) is outside the document ({len(text)})",
                    file=rel,
                    json_path=where,
                )
            )
            continue
        if _source_side(r):  # indexes the document's source text, anywhere in it
            text, s0, s1 = sources.get(r["doc_id"], ""), 0, len(sources.get(r["doc_id"], ""))
        if config == "annotations":
            start, end = r.get("start"), r.get("end")
            if start is not None and (
                not isinstance(end, int)
                or not s0 <= start < end <= s1
                or text[start:end] != r.get("span_text")
            ):
                problems.append(
                    Issue(
                        "span-text",
                        f"span [{start}, {end}) is outside its segment or its text differs",
                        file=rel,
                        json_path=where,
                    )
                )
            continue
        if config == "segments":
            layer = str(r.get("layer"))
            if layer not in judgements:
                problems.append(
                    Issue(
                        "unknown-layer",
                        f"layer {layer!r} has no schema",
                        file=rel,
                        json_path=f"{where}.layer",
                    )
                )
            elif r.get("judgement") not in judgements[layer]:
                problems.append(
                    Issue(
                        "schema",
                        f"judgement {r.get('judgement')!r} is not one of {judgements[layer]}",
                        file=rel,
                        json_path=f"{where}.judgement",
                    )
                )
            continue
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
        if ident and not r.get(ident):
            problems.append(
                Issue("schema", f"{ident} is empty", file=rel, json_path=f"{where}.{ident}")
            )
        instance = {c: r[c] for c in columns if c in r and not isinstance(r[c], bool)}
        key = json.dumps(instance, sort_keys=True, default=str)
        if key not in seen:
            seen[key] = [
                f"{'.'.join(map(str, e.absolute_path)) or '$'}: {e.message}"
                for e in validator.iter_errors(instance)
            ]
        for message in seen[key]:
            problems.append(Issue("schema", message, file=rel, json_path=where))
    if len(problems) > _MAX_PER_FILE:
        extra = len(problems) - _MAX_PER_FILE
        problems = [
            *problems[:_MAX_PER_FILE],
            Issue("more", f"… and {extra} more problems in this file", file=rel),
        ]
    report.problems += problems


def verify_release(
    path: Path, *, load: bool = True, progress: Progress | None = None
) -> VerifyReport:
    """Check the release in ``path``; the report lists every problem found."""
    say = progress or (lambda _msg: None)
    manifest = read_manifest(path)
    report = VerifyReport(path, manifest.get("version"))
    say("checking checksums")
    _check_files(path, manifest, report)
    configs = manifest.get("configs") or sorted(p.parent.name for p in path.glob("*/train.parquet"))
    files = {c: config_files(path, c, manifest) for c in configs}  # shards in row order
    rows_of = {e["path"]: e.get("rows") for e in manifest.get("files", [])}
    schemas = _schema_copy(path)
    say("validating rows")
    texts = _documents(path, files.get("documents", []))
    for config in configs:
        for rel in files[config]:
            if not (path / rel).is_file():
                if rel not in rows_of:
                    report.problems.append(
                        Issue("missing", f"config {config!r} has no data file", file=rel)
                    )
                continue
            _check_rows(path, config, rel, schemas, texts, report, rows_of.get(rel))
    if load:
        say("loading every config")
        expected = {
            c: sum(rows_of[f] or 0 for f in fs)
            for c, fs in files.items()
            if all(rows_of.get(f) is not None for f in fs)
        }
        load_configs(path, files, expected, report)
    return report


def _documents(root: Path, files: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """doc_id → text and doc_id → source text (source-side spans index it), from the
    documents config's files; an unreadable one is reported by the row checks."""
    documents: dict[str, str] = {}
    sources: dict[str, str] = {}
    for rel in files:
        try:
            rows = read_rows(root / rel)
        except Exception:  # reported as unreadable by _check_rows
            continue
        documents.update((r["doc_id"], r["text"]) for r in rows)
        sources.update((r["doc_id"], r.get("source_text") or "") for r in rows)
    return documents, sources
