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

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from annotate.model import Issue
from annotate.pins import file_sha256
from annotate.release.manifest import MANIFEST, read_manifest
from annotate.release.shards import config_files
from annotate.release.tables import class_labels, features_of, read_rows, row_id_column
from annotate.release.verify_load import load_configs
from annotate.release.verify_rows import RowChecks, decode_labels, document_problems, row_validator

__all__ = ["VerifyReport", "verify_release"]

_MAX_PER_FILE = 1000
BATCH_ROWS = 10_000  # rows read at a time
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


def _unreadable(exc: Exception, rel: str) -> Issue:
    return Issue("unreadable", f"cannot read the parquet file: {exc}", file=rel)


def _batches(file: pq.ParquetFile, rel: str, report: VerifyReport) -> Iterator[pa.RecordBatch]:
    """The file's record batches; damage found past the footer, as they are read, is
    reported and ends the file."""
    batches = file.iter_batches(batch_size=BATCH_ROWS)
    while True:
        try:
            batch = next(batches, None)
        except Exception as exc:  # pyarrow raises many kinds on a damaged file
            report.problems.append(_unreadable(exc, rel))
            return
        if batch is None:
            return
        yield batch


def _row_checks(
    config: str,
    rel: str,
    schemas: dict[str, dict[str, Any]],
    texts: tuple[dict[str, str], dict[str, str]],
    features: Any,
) -> RowChecks:
    judgements: dict[str, list[Any]] = {}
    for layer, schema in schemas.items():
        if "x-annotate" in schema:
            judgement = schema.get("properties", {}).get("judgement", {}).get("enum")
            judgements[layer] = judgement if judgement is not None else [None]
    validator, columns, is_valid = row_validator(schemas.get(config) or {})
    return RowChecks(
        config,
        rel,
        *texts,
        judgements,
        validator,
        columns,
        is_valid,
        ident=row_id_column(features) if config not in ("segments", "annotations") else None,
        labels=class_labels(features),
    )


def _check_rows(
    root: Path,
    config: str,
    rel: str,
    schemas: dict[str, dict[str, Any]],
    texts: tuple[dict[str, str], dict[str, str]],
    report: VerifyReport,
    expected_rows: int | None,
) -> None:
    """Every row of one data file: a batch at a time (shards are big), the rows the fast
    pass cannot clear worded by the full checks, in row order."""
    try:
        file = pq.ParquetFile(root / rel)
        count = file.metadata.num_rows
        features = features_of(root / rel)
    except Exception as exc:  # pyarrow raises many kinds on a damaged file
        report.problems.append(_unreadable(exc, rel))
        return
    report.rows += count
    problems: list[Issue] = []
    if expected_rows is not None and count != expected_rows:
        problems.append(
            Issue("row-count", f"{count} rows, the manifest says {expected_rows}", file=rel)
        )
    if config not in ("documents", "segments", "annotations") and config not in schemas:
        problems.append(
            Issue("no-schema", f"no schema/{config}.schema.json in the release", file=rel)
        )
        report.problems += problems
        return
    checks = _row_checks(config, rel, schemas, texts, features)
    offset = 0
    for batch in _batches(file, rel, report):
        if config == "documents":
            rows = batch.to_pylist()
            decode_labels(rows, checks.labels)
            problems += document_problems(rows, offset, rel)
        elif suspects := checks.suspects(batch):
            rows = batch.take(pa.array(suspects, pa.int64())).to_pylist()
            decode_labels(rows, checks.labels)
            for i, r in zip(suspects, rows, strict=True):
                problems += checks.word(offset + i, r)
        offset += batch.num_rows
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
