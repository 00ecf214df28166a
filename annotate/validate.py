"""Validate annotation records: JSON Schema (Draft 2020-12) plus the checks a schema
cannot express. Every problem of every record is reported with its location; nothing is
lost: each unit that enters leaves valid, quarantined with its reasons, or skipped with a
reason, and the counts say so.

Issue codes (``Issue.code``); warnings are marked (w), everything else is an error that
holds the record back:

- the file: ``invalid-json`` (not JSON, or truncated: the tasks before the fault still
  count), ``empty-export``, ``not-an-export``, ``unreadable``;
- tasks and annotations: ``not-a-task``, ``not-an-annotation``, ``wrong-type``,
  ``task-data``, ``unknown-layer``, ``no-text``, ``duplicate-record``, ``no-annotator`` (w);
- regions as exported: ``negative-offset``, ``offset-out-of-range``, ``empty-span``,
  ``utf16-offsets`` (offsets counted in UTF-16 units, an emoji before the span),
  ``offset-splits-character`` (inside a character NFC merges), ``stale-text`` (w: value.text
  differs from the text at the offsets, which wins), ``no-label``, ``many-labels``,
  ``relation-incomplete``, ``orphan-region-field``, ``json-min-lossy``,
  ``unknown-control`` (w);
- the schema (``schema/``): ``missing-field``, ``wrong-type``, ``unknown-label`` and
  ``unknown-relation`` (with the closest known name), ``unknown-value``, ``wrong-layer``,
  ``negative-offset``, ``too-small``, ``empty-value``, ``relations-not-allowed``,
  ``bad-format``, ``unexpected-field``, ``field-not-allowed``, ``schema``;
- meaning: ``unknown-document``, ``segment-range``, ``segment-text``, ``out-of-range``,
  ``crosses-segment``, ``outside-segment``, ``text-mismatch``, ``whitespace-edge``
  (``whitespace-trimmed`` (w) with ``whitespace="fix"``), ``blank-span``,
  ``duplicate-span-id``, ``duplicate-span``, ``overlapping-spans``, ``dangling-relation``,
  ``duplicate-relation``, ``bad-relation``, ``forbidden-combination``, ``exclusive-label``,
  ``judgement-conflict``, ``missing-judgement``, ``judgement-implied`` (w).

Each issue carries the file, task id, annotation id, annotator and the JSON path of the
place in the export (``$[7].annotations[0].result[4].value.end``); :func:`check_record`
alone gives paths in the record (``$.spans[2].end``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from annotate.errors import ConfigError
from annotate.labelstudio.export import ExportStats, OnError, read_export
from annotate.layers import LAYERS
from annotate.model import Document
from annotate.sources.foreign import ForeignOptions
from annotate.text import did_you_mean
from annotate.validation.engine import (
    RecordValidator,
    ValidationRun,
    check_record,
    record_validator,
    validate_items,
)
from annotate.validation.issues import EXAMPLES, IssueLog, IssueSink
from annotate.validation.report import (
    Quarantined,
    RecordWriter,
    Report,
    write_outputs,
    write_report,
)
from annotate.validation.semantic import Whitespace

__all__ = [
    "Quarantined",
    "RecordValidator",
    "RecordWriter",
    "Report",
    "Whitespace",
    "check_record",
    "record_validator",
    "run_validation",
    "validate_exports",
    "validate_items",
    "write_outputs",
    "write_report",
]

Progress = Callable[[str], None]
_PROGRESS_EVERY = 10_000


def _validate(
    exports: Iterable[str | Path],
    documents: Mapping[str, Document],
    *,
    layer: str | None,
    whitespace: Whitespace,
    include_predictions: bool,
    on_error: OnError,
    keep: bool,
    writer: RecordWriter | None,
    progress: Progress | None,
    foreign: ForeignOptions | None,
    log: IssueLog | None = None,
) -> Report:
    if layer is not None and layer not in LAYERS:
        raise ConfigError(f"unknown layer {layer!r}; {did_you_mean(layer, LAYERS)}")
    if whitespace not in ("flag", "fix"):
        raise ConfigError(f"whitespace must be 'flag' or 'fix', not {whitespace!r}")
    run = ValidationRun(documents, whitespace=whitespace, keep=keep, writer=writer, log=log)
    report = run.report
    for path in exports:
        report.inputs.append(str(path))
        stats = ExportStats()
        items = read_export(
            path,
            layer=layer,
            include_predictions=include_predictions,
            stats=stats,
            on_error=on_error,
            foreign=foreign,
            fast=not keep,  # a kept run builds Annotation objects: the full path does
        )
        for n, item in enumerate(items, 1):
            run.item(item)
            if progress is not None and n % _PROGRESS_EVERY == 0:
                progress(f"{path}: {n} records")
        report.received += stats.received
        report.skipped.update(stats.skipped)
        report.add_input_issues(stats.errors, stats.warnings)
        report.labels.update(stats.labels)
    if foreign is not None and foreign.label_map is not None:
        report.label_map = {"file": foreign.label_map.file, "sha256": foreign.label_map.sha256}
    return report


def validate_exports(
    exports: Iterable[str | Path],
    documents: Mapping[str, Document],
    *,
    layer: str | None = None,
    whitespace: Whitespace = "flag",
    include_predictions: bool = False,
    on_error: OnError = "raise",
    progress: Progress | None = None,
    foreign: ForeignOptions | None = None,
) -> Report:
    """Read and validate every annotation in the given raw exports; the records are kept in
    the report. An export that cannot be read to its end raises
    :class:`~annotate.errors.ExportError` (``on_error="raise"``) or is reported. ``foreign``
    says how to read exports annotate did not make (text field, labeling config, label
    map: :func:`annotate.sources.foreign.foreign_options`)."""
    return _validate(
        exports,
        documents,
        layer=layer,
        whitespace=whitespace,
        include_predictions=include_predictions,
        on_error=on_error,
        keep=True,
        writer=None,
        progress=progress,
        foreign=foreign,
    )


def run_validation(
    exports: Iterable[str | Path],
    documents: Mapping[str, Document],
    *,
    layer: str | None = None,
    whitespace: Whitespace = "flag",
    include_predictions: bool = False,
    output: Path | None = None,
    quarantine: Path | None = None,
    report: Path | None = None,
    progress: Progress | None = None,
    foreign: ForeignOptions | None = None,
    on_issue: IssueSink | None = None,
    examples: int = EXAMPLES,
) -> Report:
    """Validate exports as a stream: valid records to ``output`` (JSONL), rejected ones
    to ``quarantine`` (JSONL, each whole with its reasons), the JSON report to ``report``.
    Records are not kept in memory; an input that cannot be read is reported, not raised.

    Nor are the issues: each is handed to ``on_issue`` as it is found, and the report
    keeps their counts (per code, per file) and the first ``examples`` errors and warnings
    (:attr:`Report.log`); :meth:`Report.write_json` and ``report`` list them all."""
    log = IssueLog(examples=examples, sink=on_issue)
    with RecordWriter(valid_path=output, quarantine_path=quarantine) as writer:
        result = _validate(
            exports,
            documents,
            layer=layer,
            whitespace=whitespace,
            include_predictions=include_predictions,
            on_error="report",
            keep=False,
            writer=writer,
            progress=progress,
            foreign=foreign,
            log=log,
        )
    if report is not None:
        write_report(result, report)
    return result
