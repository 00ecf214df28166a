"""The validation engine: records in, valid or quarantined (with every reason) out.

:class:`RecordValidator` checks one record: the compiled schema and the fast semantic pass
decide the common (valid) case; only a failing record is explained in full.
:func:`validate_exports` reads exports as a stream and routes every unit read into
exactly one of valid, quarantined or skipped; :func:`run_validation` does the same while
writing the records to JSON Lines files, so that memory does not grow with the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError
from annotate.labelstudio.export import ExportStats, OnError, ReadItem, read_export
from annotate.layers import LAYERS
from annotate.model import Annotation, Document, Issue
from annotate.schemas import SchemaSet, active_schemas
from annotate.sources.foreign import ForeignOptions
from annotate.validation.report import Quarantined, RecordWriter, Report, write_report
from annotate.validation.semantic import SemanticChecker, Whitespace
from annotate.validation.structural import StructuralValidator
from annotate.validation.words import did_you_mean

__all__ = [
    "RecordValidator",
    "check_record",
    "record_validator",
    "run_validation",
    "validate_exports",
    "validate_items",
]

Progress = Callable[[str], None]
_PROGRESS_EVERY = 10_000


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


class _Run:
    """One validation run: routes each read item to valid or quarantine."""

    def __init__(
        self,
        documents: Mapping[str, Document],
        *,
        whitespace: Whitespace,
        keep: bool,
        writer: RecordWriter | None,
    ) -> None:
        self.documents = documents
        self.whitespace = whitespace
        self.keep = keep
        self.writer = writer
        self.report = Report()
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

    def item(self, item: ReadItem) -> None:
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
    run = _Run(documents, whitespace=whitespace, keep=True, writer=None)
    for item in items:
        if file is not None:
            item.source.setdefault("file", file)
        run.report.received += 1
        run.item(item)
    return run.report


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
) -> Report:
    if layer is not None and layer not in LAYERS:
        raise ConfigError(f"unknown layer {layer!r}; {did_you_mean(layer, LAYERS)}")
    if whitespace not in ("flag", "fix"):
        raise ConfigError(f"whitespace must be 'flag' or 'fix', not {whitespace!r}")
    run = _Run(documents, whitespace=whitespace, keep=keep, writer=writer)
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
        )
        for n, item in enumerate(items, 1):
            run.item(item)
            if progress is not None and n % _PROGRESS_EVERY == 0:
                progress(f"{path}: {n} records")
        report.received += stats.received
        report.skipped.update(stats.skipped)
        report.input_errors += stats.errors
        report.warnings += stats.warnings
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
) -> Report:
    """Validate exports as a stream: valid records to ``output`` (JSONL), rejected ones
    to ``quarantine`` (JSONL, each whole with its reasons), the JSON report to ``report``.
    Records are not kept in memory; an input that cannot be read is reported, not raised."""
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
        )
    if report is not None:
        write_report(result, report)
    return result
