"""The validation engine: items in, a :class:`Report` out (valid or quarantined, with
every reason).

:class:`RecordValidator` checks one record: the compiled schema and the fast semantic pass
decide the common (valid) case; only a failing record is explained in full.
:class:`ValidationRun` routes every item read into exactly one of valid or quarantined.
Reading the exports is not done here: :mod:`annotate.validate` streams them from the Label
Studio reader into a run, so that the engine knows items, not files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from annotate.errors import ConfigError
from annotate.labelstudio.fast_records import RecordItem
from annotate.layers import LAYERS
from annotate.model import Annotation, Document, Issue
from annotate.schemas import SchemaSet, active_schemas
from annotate.text import did_you_mean
from annotate.validation.issues import IssueLog
from annotate.validation.report import Quarantined, RecordWriter, Report
from annotate.validation.semantic import SemanticChecker, Whitespace
from annotate.validation.structural import StructuralValidator

if TYPE_CHECKING:  # the type of what the reader yields; the engine never calls the reader
    from annotate.labelstudio.export import ReadItem

__all__ = [
    "RecordValidator",
    "ValidationRun",
    "check_record",
    "record_validator",
    "validate_items",
]


class RecordValidator:
    """Structural and semantic checks of the records of one layer."""

    def __init__(
        self, layer: str, *, whitespace: Whitespace = "flag", schemas: SchemaSet | None = None
    ) -> None:
        self.layer = layer
        self.structural = StructuralValidator(layer, schemas=schemas)
        self.semantic = SemanticChecker(layer, whitespace=whitespace, schemas=schemas)
        # bound once: this pair decides every valid record
        self._is_valid = self.structural.fast_is_valid()
        self._ok = self.semantic.ok

    def check(
        self,
        record: dict[str, Any],
        *,
        document: Document | None,
        segment_text: str | None = None,
    ) -> list[Issue]:
        """Every problem of one record (errors and warnings), with JSON paths in the record;
        ``[]`` when it is valid. In ``fix`` mode, trimmed spans are changed in ``record``."""
        text = document.text if document is not None else None
        structural_ok = self._is_valid(record)
        if structural_ok and self._ok(record, text, segment_text):
            return []
        issues = [] if structural_ok else self.structural.explain(record)
        return issues + self.semantic.explain(record, document, segment_text)

    def passes(
        self, record: dict[str, Any], text: str, segment_text: str | None, *, built: bool = False
    ) -> bool:
        """Whether ``record`` has no problem at all (what :meth:`check` decides first);
        ``built``: read by the fast path from ``segment_text`` (:meth:`SemanticChecker.ok`)."""
        return bool(self._is_valid(record)) and self._ok(record, text, segment_text, built=built)


def record_validator(
    layer: str, whitespace: Whitespace = "flag", *, schemas: SchemaSet | None = None
) -> RecordValidator:
    """The (cached) validator of one layer under ``schemas`` (default: the active set);
    an unknown layer lists the known ones."""
    if layer not in LAYERS:
        raise ConfigError(f"unknown layer {layer!r}; {did_you_mean(layer, LAYERS)}")
    return _record_validator(layer, whitespace, schemas or active_schemas())


@cache
def _record_validator(layer: str, whitespace: Whitespace, schemas: SchemaSet) -> RecordValidator:
    return RecordValidator(layer, whitespace=whitespace, schemas=schemas)


def check_record(
    record: dict[str, Any],
    *,
    document: Document | None,
    segment_text: str | None = None,
    whitespace: Whitespace = "flag",
) -> list[Issue]:
    """Every problem of one record: schema errors, then semantic ones, each with its JSON
    path in the record (``$.spans[2].end``); the caller adds the file/task context."""
    layer = record.get("layer")
    if not isinstance(layer, str) or layer not in LAYERS:
        return [
            Issue(
                "unknown-layer",
                f"unknown layer {layer!r}",
                json_path="$.layer",
                hint=did_you_mean(str(layer), LAYERS),
            )
        ]
    return record_validator(layer, whitespace).check(
        record, document=document, segment_text=segment_text
    )


class ValidationRun:
    """One validation run: routes each read item to valid or quarantine, into
    :attr:`report` (and ``writer``'s files); ``keep`` keeps the records in the report,
    ``log`` says what becomes of its issues (default: all kept in the report)."""

    def __init__(
        self,
        documents: Mapping[str, Document],
        *,
        whitespace: Whitespace,
        keep: bool,
        writer: RecordWriter | None,
        log: IssueLog | None = None,
    ) -> None:
        self.documents = documents
        self.whitespace = whitespace
        self.keep = keep
        self.writer = writer
        self.report = Report() if log is None else Report(log=log)
        self.seen: set[str] = set()
        self.schemas = active_schemas()  # the set this run validates against
        self._validators: dict[str, RecordValidator] = {}

    def validator(self, layer: str) -> RecordValidator:
        found = self._validators.get(layer)
        if found is None:
            found = self._validators[layer] = record_validator(
                layer, self.whitespace, schemas=self.schemas
            )
        return found

    def item(self, item: ReadItem | RecordItem) -> None:
        if isinstance(item, RecordItem):  # read by the fast path
            self._record_item(item)
            return
        ann = item.annotation
        reader_errors = [i for i in item.issues if i.severity == "error"]
        reader_warnings = [i for i in item.issues if i.severity != "error"]
        if ann is None:
            self._quarantine(None, item, reader_errors, reader_warnings)
            return
        record = ann.to_record()
        document = self.documents.get(ann.doc_id) or item.document
        if self.keep and item.document is not None and ann.doc_id not in self.documents:
            self.report.documents.setdefault(ann.doc_id, item.document)  # a foreign task's text
        found = self.validator(ann.layer).check(
            record, document=document, segment_text=item.segment_text
        )
        errors, warnings = list(reader_errors), list(reader_warnings)
        for issue in found:
            where = (
                item.locator.locate(issue.json_path, record) if item.locator else issue.json_path
            )
            if where is None:
                continue  # repeats an error the reader reported on the same item
            issue.json_path = where
            if item.locator:
                issue.message = item.locator.rename(issue.message)
            issue.file = item.source.get("file")
            issue.task_id, issue.annotation_id = ann.task_id, ann.annotation_id
            issue.annotator, issue.record_id = ann.annotator, ann.record_id
            (errors if issue.severity == "error" else warnings).append(issue)
        if ann.record_id in self.seen:
            errors.append(
                Issue(
                    "duplicate-record",
                    f"annotation {ann.annotation_id!r} of task {ann.task_id!r} was already read",
                    file=item.source.get("file"),
                    task_id=ann.task_id,
                    annotation_id=ann.annotation_id,
                    annotator=ann.annotator,
                    record_id=ann.record_id,
                    json_path=f"{item.source.get('json_path', '$')}",
                    hint="the same annotation is in the inputs twice; pass each export once",
                )
            )
        else:
            self.seen.add(ann.record_id)
        if errors:
            self._quarantine(record, item, errors, warnings)
            return
        if any(w.code == "whitespace-trimmed" for w in warnings):
            ann = Annotation.from_record(record)
        self.report.add_valid(ann if self.keep else None, warnings)
        if self.writer is not None:
            self.writer.valid(record)

    def _record_item(self, item: RecordItem) -> None:
        """A record the reader built directly: valid if it passes every check; anything
        else is read again by the full path, so that its issues are worded as always."""
        record = item.record
        document = self.documents.get(record["doc_id"])
        record_id = record["record_id"]
        if (
            document is not None
            and record_id not in self.seen
            and self.validator(record["layer"]).passes(
                record, document.text, item.segment_text, built=True
            )
        ):
            self.seen.add(record_id)
            self.report.add_valid(Annotation.from_record(record) if self.keep else None, [])
            if self.writer is not None:
                self.writer.valid(record, plain=True)
            return
        self.item(item.full())

    def _quarantine(
        self,
        record: dict[str, Any] | None,
        item: ReadItem,
        errors: list[Issue],
        warnings: list[Issue],
    ) -> None:
        q = Quarantined(record, item.raw, errors, warnings, dict(item.source))
        self.report.add_quarantined(q, keep=self.keep)
        if self.writer is not None:
            self.writer.quarantined(q)


def validate_items(
    items: Iterable[ReadItem],
    documents: Mapping[str, Document],
    *,
    file: str | None = None,
    whitespace: Whitespace = "flag",
) -> Report:
    """Validate records read from an export against the corpus (records kept in memory)."""
    run = ValidationRun(documents, whitespace=whitespace, keep=True, writer=None)
    for item in items:
        if file is not None:
            item.source.setdefault("file", file)
        run.report.received += 1
        run.item(item)
    return run.report
