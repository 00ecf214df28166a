"""Validate annotation records: JSON Schema (Draft 2020-12) plus the checks a schema
cannot express. Every problem of every record is reported with its location; nothing is
lost: each record that enters leaves either valid or quarantined with its reasons.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.labelstudio.export import ExportStats, ReadItem, read_export
from annotate.model import Annotation, Document, Issue
from annotate.schemas import validator

__all__ = ["Report", "check_record", "validate_exports", "validate_items", "write_outputs"]


@dataclass(slots=True)
class Report:
    """The outcome of a validation run. ``received == valid + quarantined`` always."""

    valid: list[Annotation] = field(default_factory=list)
    quarantined: list[tuple[dict[str, Any], list[Issue]]] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    received: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for _, issues in self.quarantined for i in issues]

    @property
    def ok(self) -> bool:
        return not self.quarantined

    def counts(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "valid": len(self.valid),
            "quarantined": len(self.quarantined),
            "warnings": len(self.warnings),
            "skipped": dict(sorted(self.skipped.items())),
            "balanced": self.received == len(self.valid) + len(self.quarantined),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def check_record(
    record: dict[str, Any],
    *,
    document: Document | None,
    segment_text: str | None = None,
) -> list[Issue]:
    """Every problem of one record: schema errors, then semantic ones. Issues carry the
    record's JSON paths (``$.spans[2].end``); the caller adds file/task context."""
    layer = record.get("layer")
    issues: list[Issue] = []
    try:
        val = validator(str(layer))
    except Exception:
        return [Issue("unknown-layer", f"unknown layer {layer!r}", json_path="$.layer")]
    for err in sorted(val.iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        issues.append(Issue("schema", err.message, json_path=_json_path(err.absolute_path)))
    if issues:
        return issues
    issues += _semantic(record, document, segment_text)
    return issues


def _semantic(
    record: dict[str, Any], doc: Document | None, segment_text: str | None
) -> list[Issue]:
    issues: list[Issue] = []
    seg = record["segment"]
    if doc is None:
        issues.append(
            Issue(
                "unknown-document",
                f"document {record['doc_id'][:12]}… is not in the corpus",
                json_path="$.doc_id",
                hint="ingest the article the task was made from",
            )
        )
        text = None
    else:
        text = doc.text
        if not 0 <= seg["start"] <= seg["end"] <= len(text):
            issues.append(
                Issue(
                    "segment-range",
                    f"segment [{seg['start']}, {seg['end']}) is outside the document (length {len(text)})",
                    json_path="$.segment",
                )
            )
        elif segment_text is not None and text[seg["start"] : seg["end"]] != segment_text:
            issues.append(
                Issue(
                    "segment-text",
                    "the task's text differs from the document at the segment's offsets",
                    json_path="$.segment",
                    hint="the corpus changed since the tasks were pushed",
                )
            )
    ids: Counter[str] = Counter(s["id"] for s in record["spans"])
    for i, span in enumerate(record["spans"]):
        where = f"$.spans[{i}]"
        start, end = span["start"], span["end"]
        if start >= end:
            issues.append(
                Issue("empty-span", f"start {start} is not before end {end}", json_path=where)
            )
            continue
        if not (seg["start"] <= start and end <= seg["end"]):
            issues.append(
                Issue(
                    "outside-segment",
                    f"span [{start}, {end}) is outside its segment [{seg['start']}, {seg['end']})",
                    json_path=where,
                )
            )
        if text is not None:
            if end > len(text):
                issues.append(
                    Issue(
                        "out-of-range",
                        f"end {end} is past the end of the document ({len(text)})",
                        json_path=f"{where}.end",
                    )
                )
            elif text[start:end] != span["text"]:
                issues.append(
                    Issue(
                        "text-mismatch",
                        f"text {span['text']!r} differs from the document's {text[start:end]!r}",
                        json_path=f"{where}.text",
                    )
                )
        if ids[span["id"]] > 1:
            issues.append(
                Issue(
                    "duplicate-id",
                    f"span id {span['id']!r} is used {ids[span['id']]} times",
                    json_path=f"{where}.id",
                )
            )
    for i, rel in enumerate(record["relations"]):
        for end_name in ("from_id", "to_id"):
            if rel[end_name] not in ids:
                issues.append(
                    Issue(
                        "dangling-relation",
                        f"relation {end_name} {rel[end_name]!r} names no span",
                        json_path=f"$.relations[{i}].{end_name}",
                    )
                )
    return issues


def validate_items(
    items: Iterable[ReadItem], documents: Mapping[str, Document], *, file: str | None = None
) -> Report:
    """Validate records read from an export against the corpus."""
    report = Report()
    for item in items:
        report.received += 1
        ann = item.annotation
        record = ann.to_record()
        problems = check_record(
            record, document=documents.get(ann.doc_id), segment_text=item.segment_text
        )
        for p in problems:
            p.file = p.file or file
            p.task_id, p.annotation_id = ann.task_id, ann.annotation_id
            p.annotator, p.record_id = ann.annotator, ann.record_id
        report.warnings += [i for i in item.issues if i.severity == "warning"]
        problems += [i for i in item.issues if i.severity == "error"]
        if problems:
            report.quarantined.append((record, problems))
        else:
            report.valid.append(ann)
    return report


def validate_exports(
    exports: Iterable[str | Path],
    documents: Mapping[str, Document],
    *,
    layer: str | None = None,
) -> Report:
    """Read and validate every annotation in the given raw exports."""
    total = Report()
    for path in exports:
        stats = ExportStats()
        part = validate_items(
            read_export(path, layer=layer, stats=stats), documents, file=str(path)
        )
        total.valid += part.valid
        total.quarantined += part.quarantined
        total.warnings += part.warnings
        total.received += part.received
        total.skipped.update(stats.skipped)
    return total


def write_outputs(
    report: Report, *, quarantine_path: Path | None, report_path: Path | None
) -> None:
    """Write the quarantine JSONL (each rejected record whole, with its reasons) and the
    JSON report."""
    if quarantine_path is not None:
        quarantine_path.parent.mkdir(parents=True, exist_ok=True)
        with quarantine_path.open("w", encoding="utf-8") as fh:
            for record, issues in report.quarantined:
                fh.write(
                    json.dumps(
                        {"record": record, "errors": [i.to_dict() for i in issues]},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
