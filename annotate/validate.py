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
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import ConfigError
from annotate.labelstudio.export import OnError
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
from annotate.validation.files import add_stats, read_into, validate_files
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
    "Engine",
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


@dataclass(frozen=True, slots=True)
class Engine:
    """Where several exports are validated at once (one file per worker): an engine of
    :mod:`annotate.engine` (``local``: processes here; ``dask``: a cluster at ``address``,
    or one started for the run), with ``jobs`` workers (``None``: every core)."""

    name: str = "local"
    jobs: int | None = None
    address: str | None = None

    @property
    def parallel(self) -> bool:
        """Whether it runs anywhere but in this process alone."""
        return self.name != "local" or self.address is not None or self.jobs != 1


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
    engine: Engine | None = None,
) -> Report:
    if layer is not None and layer not in LAYERS:
        raise ConfigError(f"unknown layer {layer!r}; {did_you_mean(layer, LAYERS)}")
    if whitespace not in ("flag", "fix"):
        raise ConfigError(f"whitespace must be 'flag' or 'fix', not {whitespace!r}")
    run = ValidationRun(documents, whitespace=whitespace, keep=keep, writer=writer, log=log)
    report = run.report
    if engine is not None and writer is not None:
        validate_files(
            list(exports),
            documents,
            report=report,
            writer=writer,
            engine=engine.name,
            jobs=engine.jobs,
            address=engine.address,
            layer=layer,
            whitespace=whitespace,
            include_predictions=include_predictions,
            foreign=foreign,
            progress=progress,
        )
    else:
        for path in exports:
            stats = read_into(
                run,
                path,
                layer=layer,
                include_predictions=include_predictions,
                on_error=on_error,
                foreign=foreign,
                progress=progress,
            )
            add_stats(report, stats)
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
    engine: Engine | None = None,
) -> Report:
    """Validate exports as a stream: valid records to ``output`` (JSONL), rejected ones
    to ``quarantine`` (JSONL, each whole with its reasons), the JSON report to ``report``.
    Records are not kept in memory; an input that cannot be read is reported, not raised.

    Nor are the issues: each is handed to ``on_issue`` as it is found, and the report
    keeps their counts (per code, per file) and the first ``examples`` errors and warnings
    (:attr:`Report.log`); :meth:`Report.write_json` and ``report`` list them all.

    ``engine`` validates the files at once, one per worker (:class:`Engine`;
    :mod:`annotate.validation.files`): the records, the report and the order of every
    issue are those of a run over the files in order."""
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
            engine=engine if engine is not None and engine.parallel else None,
        )
    if report is not None:
        write_report(result, report)
    return result
