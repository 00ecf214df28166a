"""What a validation run gives back: the :class:`Report` (counts that balance, every issue),
the quarantined records with their reasons, and the files they are written to."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from annotate.model import Annotation, Document, Issue
from annotate.sources.label_map import MapCounts

__all__ = ["Quarantined", "RecordWriter", "Report", "write_outputs", "write_report"]


@dataclass(slots=True)
class Quarantined:
    """A record held back: the record as converted (``None`` when it could not be), the
    Label Studio item it came from, whole, where that is, and every reason."""

    record: dict[str, Any] | None
    raw: Any
    errors: list[Issue]
    warnings: list[Issue] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
            "record": self.record,
            "raw": self.raw,
        }


@dataclass(slots=True)
class Report:
    """The outcome of a validation run.

    Every unit read from the inputs (an annotation, a prediction, a draft, a task without
    annotation, an unreadable entry) is counted in ``received`` and ends in exactly one of
    ``valid``, ``quarantined`` or ``skipped`` (with its reason): ``counts()["balanced"]``
    checks it. Records are kept in ``valid``/``quarantined`` unless they were streamed to
    files (:func:`annotate.validation.run_validation`); the counts are kept either way."""

    valid: list[Annotation] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    received: int = 0
    record_errors: list[Issue] = field(default_factory=list)
    input_errors: list[Issue] = field(default_factory=list)
    valid_count: int = 0
    quarantined_count: int = 0
    inputs: list[str] = field(default_factory=list)
    labels: MapCounts = field(default_factory=MapCounts)  # what a label map did, and missed
    label_map: dict[str, str | None] | None = None  # the map used: file and sha256
    documents: dict[str, Document] = field(default_factory=dict)  # foreign tasks' own texts

    @property
    def errors(self) -> list[Issue]:
        """Every error: inputs that could not be read, then the records' errors."""
        return self.input_errors + self.record_errors

    @property
    def ok(self) -> bool:
        """No record held back and every input read to its end."""
        return not self.quarantined_count and not self.input_errors

    @property
    def clean(self) -> bool:
        """``ok`` and not a single warning either (what ``--strict`` asks for)."""
        return self.ok and not self.warnings

    def counts(self) -> dict[str, Any]:
        skipped_total = sum(self.skipped.values())
        accounted = self.valid_count + self.quarantined_count + skipped_total
        return {
            "received": self.received,
            "valid": self.valid_count,
            "quarantined": self.quarantined_count,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_total": skipped_total,
            "warnings": len(self.warnings),
            "unreadable_inputs": len({i.file for i in self.input_errors}),
            "balanced": self.received == accounted,
        }

    def issue_counts(self) -> dict[str, int]:
        """How many issues of each code (errors and warnings)."""
        c = Counter(i.code for i in self.errors) + Counter(i.code for i in self.warnings)
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "counts": self.counts(),
            "issue_counts": self.issue_counts(),
            "labels": self.labels_summary(),
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }

    def labels_summary(self) -> dict[str, Any]:
        """The label map used, what it renamed and dropped, and every foreign name it did
        not cover, once, with its count, where it was first seen and the entry to add."""
        out: dict[str, Any] = {"label_map": self.label_map, **self.labels.to_dict()}
        out["add_to_label_map"] = self.labels.suggestion() if self.labels.unmapped else None
        return out

    # ------------------------------------------------------------------ filled by the engine
    def add_valid(self, annotation: Annotation | None, warnings: list[Issue]) -> None:
        self.valid_count += 1
        self.warnings += warnings
        if annotation is not None:
            self.valid.append(annotation)

    def add_quarantined(self, item: Quarantined, *, keep: bool) -> None:
        self.quarantined_count += 1
        self.record_errors += item.errors
        self.warnings += item.warnings
        if keep:
            self.quarantined.append(item)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


class RecordWriter:
    """Writes valid records and quarantined ones as JSON Lines while a run streams; files
    are written next to their final name and moved into place on a clean close."""

    def __init__(self, *, valid_path: Path | None, quarantine_path: Path | None) -> None:
        self.paths = {"valid": valid_path, "quarantine": quarantine_path}
        self._files: dict[str, IO[str]] = {}

    def __enter__(self) -> RecordWriter:
        for kind, path in self.paths.items():
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._files[kind] = path.with_name(path.name + ".part").open("w", encoding="utf-8")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for kind, fh in self._files.items():
            fh.close()
            part = Path(fh.name)
            if exc_type is None:
                target = self.paths[kind]
                assert target is not None
                part.replace(target)
            else:
                part.unlink(missing_ok=True)

    def valid(self, record: dict[str, Any]) -> None:
        fh = self._files.get("valid")
        if fh is not None:
            fh.write(_dump(record) + "\n")

    def quarantined(self, item: Quarantined) -> None:
        fh = self._files.get("quarantine")
        if fh is not None:
            fh.write(_dump(item.to_dict()) + "\n")


def write_report(report: Report, path: Path) -> None:
    """The JSON report: counts, issue counts, every error and warning with its place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )


def write_outputs(
    report: Report,
    *,
    quarantine_path: Path | None,
    report_path: Path | None,
    valid_path: Path | None = None,
) -> None:
    """Write the records a run kept in memory: the quarantine JSONL (each rejected record
    whole, with its reasons), the valid records (JSONL) and the JSON report."""
    with RecordWriter(valid_path=valid_path, quarantine_path=quarantine_path) as out:
        for ann in report.valid:
            out.valid(ann.to_record())
        for item in report.quarantined:
            out.quarantined(item)
    if report_path is not None:
        write_report(report, report_path)
