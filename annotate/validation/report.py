"""What a validation run gives back: the :class:`Report` (counts that balance, every issue),
the quarantined records with their reasons, and the files they are written to.

A run that keeps its records (:func:`annotate.validate.validate_exports`) keeps every issue
in the report's lists; a streamed run (:func:`annotate.validate.run_validation`) keeps the
counts and the first examples only (:class:`~annotate.validation.issues.IssueLog`) and
writes its JSON report from the log's spool, so that memory does not grow with the number
of issues."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO

import orjson

from annotate.model import Annotation, Document, Issue
from annotate.sources.label_map import MapCounts
from annotate.validation.issues import IssueLog, dump_json_stream

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
    files (:func:`annotate.validation.run_validation`); the counts are kept either way.

    ``warnings`` and ``record_errors`` hold every issue, or, when the run streamed them
    (``log.examples`` set), the first ones: :meth:`iter_issues` reads them all back and
    ``log`` counts them per code and per file."""

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
    log: IssueLog = field(default_factory=lambda: IssueLog(examples=None, spool=False))

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
            "warnings": self.log.counts["warning"],
            "unreadable_inputs": len({i.file for i in self.input_errors}),
            "balanced": self.received == accounted,
        }

    def issue_counts(self) -> dict[str, int]:
        """How many issues of each code (errors and warnings)."""
        return dict(sorted(self.log.by_code.items(), key=lambda kv: (-kv[1], kv[0])))

    def issue_counts_by_file(self) -> dict[str, int]:
        """How many issues (errors and warnings) each input has."""
        return dict(self.log.by_file)

    @property
    def issues_total(self) -> int:
        """How many issues the run found (errors and warnings), kept or not."""
        return sum(self.log.counts.values())

    def iter_issues(self, severity: str) -> Iterator[dict[str, Any]]:
        """Every error (inputs first, then records) or warning, in ``to_dict`` form; read
        back from the log's spool when the run did not keep them all."""
        kept = self.record_errors if severity == "error" else self.warnings
        total = len(kept)
        if severity == "error":
            yield from (i.to_dict() for i in self.input_errors)
            total += len(self.input_errors)
        if self.log.complete(severity, total):
            yield from (i.to_dict() for i in kept)
        else:
            yield from self.log.spooled(severity)

    def summary_dict(self) -> dict[str, Any]:
        """The report without its lists of issues."""
        return {
            "inputs": self.inputs,
            "counts": self.counts(),
            "issue_counts": self.issue_counts(),
            "issue_counts_by_file": self.issue_counts_by_file(),
            "labels": self.labels_summary(),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary_dict(),
            "errors": list(self.iter_issues("error")),
            "warnings": list(self.iter_issues("warning")),
        }

    def write_json(self, out: IO[str]) -> None:
        """The JSON report (:meth:`to_dict`, indented), written as a stream."""
        issues = {"errors": self.iter_issues("error"), "warnings": self.iter_issues("warning")}
        dump_json_stream(self.summary_dict(), issues, out)

    def labels_summary(self) -> dict[str, Any]:
        """The label map used, what it renamed and dropped, and every foreign name it did
        not cover, once, with its count, where it was first seen and the entry to add."""
        out: dict[str, Any] = {"label_map": self.label_map, **self.labels.to_dict()}
        out["add_to_label_map"] = self.labels.suggestion() if self.labels.unmapped else None
        return out

    # ------------------------------------------------------------------ filled by the engine
    def add_valid(self, annotation: Annotation | None, warnings: list[Issue]) -> None:
        self.valid_count += 1
        for w in warnings:
            self.log.add(w, self.warnings)
        if annotation is not None:
            self.valid.append(annotation)

    def add_quarantined(self, item: Quarantined, *, keep: bool) -> None:
        self.quarantined_count += 1
        for e in item.errors:
            self.log.add(e, self.record_errors)
        for w in item.warnings:
            self.log.add(w, self.warnings)
        if keep:
            self.quarantined.append(item)

    def add_input_issues(self, errors: list[Issue], warnings: list[Issue]) -> None:
        """What an input's reader found about the file itself (all kept: a few per file)."""
        for e in errors:
            self.log.add(e, self.input_errors, bounded=False)
        for w in warnings:
            self.log.add(w, self.warnings)


_WRITE_BUFFER = 1 << 20


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


class RecordWriter:
    """Writes valid records and quarantined ones as JSON Lines while a run streams; files
    are written next to their final name and moved into place on a clean close."""

    def __init__(self, *, valid_path: Path | None, quarantine_path: Path | None) -> None:
        self.paths = {"valid": valid_path, "quarantine": quarantine_path}
        self._files: dict[str, BinaryIO] = {}

    def __enter__(self) -> RecordWriter:
        for kind, path in self.paths.items():
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                # bytes (UTF-8) written straight: orjson gives them, json.dumps's are encoded
                part = path.with_name(path.name + ".part")
                self._files[kind] = part.open("wb", buffering=_WRITE_BUFFER)
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

    def writes(self, kind: str) -> bool:
        """Whether this writer has a file for ``kind`` (``valid`` or ``quarantine``)."""
        return self.paths.get(kind) is not None

    def folder(self) -> Path | None:
        """The folder of the first file written (for part files beside it)."""
        found = next((p for p in self.paths.values() if p is not None), None)
        return None if found is None else found.parent

    def append_part(self, kind: str, part: Path) -> None:
        """Append the lines another writer wrote to ``part`` (then removed) to ``kind``."""
        fh = self._files.get(kind)
        if fh is None or not part.exists():
            return
        fh.flush()  # what was written here first, then the part's bytes as they are
        with part.open("rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)
        part.unlink()

    def valid(self, record: dict[str, Any], *, plain: bool = False) -> None:
        """One valid record, as ``json.dumps`` writes it. A ``plain`` record (parsed JSON
        whose floats are all in plain notation: :func:`annotate.labelstudio.fast_records.
        plain_number`) is written by ``orjson``, whose bytes are then the same, faster."""
        fh = self._files.get("valid")
        if fh is None:
            return
        if plain:
            try:
                fh.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
                return
            except TypeError:  # an int past 64 bits: json.dumps writes it
                pass
        fh.write((_dump(record) + "\n").encode("utf-8"))

    def quarantined(self, item: Quarantined) -> None:
        fh = self._files.get("quarantine")
        if fh is not None:
            fh.write((_dump(item.to_dict()) + "\n").encode("utf-8"))


def write_report(report: Report, path: Path) -> None:
    """The JSON report: counts, issue counts, every error and warning with its place
    (written as a stream, next to its name and moved into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with part.open("w", encoding="utf-8") as fh:
        report.write_json(fh)
    part.replace(path)


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
