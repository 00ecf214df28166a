"""Validate annotation records: JSON Schema (Draft 2020-12) plus the checks a schema
cannot express. Every problem of every record is reported with its location; nothing is
lost: each unit that enters leaves valid, quarantined with its reasons, or skipped with a
reason, and the counts say so.

Issue codes (``Issue.code``) and what they mean:

=========================  ===============================================================
reading the export
-------------------------  ---------------------------------------------------------------
invalid-json, empty-export  the file is not JSON, is truncated, or holds nothing
not-an-export, unreadable   not a Label Studio export; a file that cannot be opened
not-a-task, not-an-annotation, wrong-type   an entry of the wrong JSON type
unknown-layer, no-text, task-data           a task whose layer or text is unknown
negative-offset, offset-out-of-range, empty-span   offsets outside the task's text
utf16-offsets               offsets counted in UTF-16 units (an emoji before the span)
offset-splits-character     an offset inside a character that NFC merges (NFD text)
stale-text (warning)        ``value.text`` differs from the text at the offsets; recomputed
no-label, many-labels, relation-incomplete, orphan-region-field, json-min-lossy
unknown-control (warning), no-annotator (warning)
structure (schema/)
-------------------------  ---------------------------------------------------------------
missing-field, wrong-type, unknown-label, unknown-relation, unknown-value, wrong-layer,
negative-offset, too-small, empty-value, relations-not-allowed, bad-format,
unexpected-field, field-not-allowed, schema
meaning
-------------------------  ---------------------------------------------------------------
unknown-document, segment-range, segment-text, out-of-range, crosses-segment,
outside-segment, text-mismatch, whitespace-edge (whitespace-trimmed: warning), blank-span,
duplicate-span-id, duplicate-span, overlapping-spans, dangling-relation,
duplicate-relation, bad-relation, forbidden-combination, exclusive-label,
judgement-conflict, missing-judgement (judgement-implied: warning), duplicate-record
=========================  ===============================================================
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
