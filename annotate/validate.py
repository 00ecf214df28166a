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

from annotate.validation.engine import (
    RecordValidator,
    check_record,
    record_validator,
    run_validation,
    validate_exports,
    validate_items,
)
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
