"""Validation file by file: one export read into a run (:func:`read_into`, what every run
does), and several exports validated at once on an engine (:func:`validate_files`), with
the same outcome as one run over them in order.

Each worker validates one file on its own (:func:`validate_file`) into part files (valid
records, quarantine, its issues in the order found) and hands back a small
:class:`FileDigest`: counts, the file's own problems, and the ids of the records it read.
The parent then makes one ordered pass over the digests: a file that holds a record an
earlier file already held (a duplicate across files, which only the order can tell) is
validated again, in order, knowing the ids read before it, exactly as one run would; every
other file's parts are taken as they are. The parts are appended in input order and the
issues replayed into the report in order, so the output, the report and every printed line
are those of ``--jobs 1``. With a cluster on other machines, the exports and the output
folder must be on a file system every worker sees (the parts are written beside the
output).
"""

from __future__ import annotations

import gc
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from annotate.labelstudio.export import ExportStats, OnError, read_export
from annotate.model import Document, Issue
from annotate.schemas import SchemaSet, active_schemas, using_schemas
from annotate.sources.foreign import ForeignOptions
from annotate.validation.engine import ValidationRun
from annotate.validation.issues import IssueLog
from annotate.validation.report import RecordWriter, Report
from annotate.validation.semantic import Whitespace

__all__ = ["FileDigest", "FileJob", "add_stats", "read_into", "validate_file", "validate_files"]

Progress = Callable[[str], None]
_PROGRESS_EVERY = 10_000


def read_into(
    run: ValidationRun,
    path: str | Path,
    *,
    layer: str | None,
    include_predictions: bool,
    on_error: OnError,
    foreign: ForeignOptions | None,
    progress: Progress | None = None,
) -> ExportStats:
    """Read one export into ``run`` (every record routed); its counts and its own
    problems are returned, for :func:`add_stats`."""
    run.report.inputs.append(str(path))
    stats = ExportStats()
    items = read_export(
        path,
        layer=layer,
        include_predictions=include_predictions,
        stats=stats,
        on_error=on_error,
        foreign=foreign,
        fast=not run.keep,  # a kept run builds Annotation objects: the full path does
    )
    with _fewer_collections():
        for n, item in enumerate(items, 1):
            run.item(item)
            if progress is not None and n % _PROGRESS_EVERY == 0:
                progress(f"{path}: {n} records")
    return stats


@contextmanager
def _fewer_collections(young: int = 50_000) -> Iterator[None]:
    """The cycle collector's young generation collected every ``young`` allocations
    rather than 700 while an export streams: a task and its records are trees, freed as
    soon as they are done with, so that the collector only ever finds the few objects
    alive at the time (2-3% of a run, for nothing). Memory stays flat: nothing waits for
    a collection to be freed."""
    old = gc.get_threshold()
    gc.set_threshold(young, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def add_stats(report: Report, stats: ExportStats) -> None:
    """An export's counts and its own problems, added after its records'."""
    report.received += stats.received
    report.skipped.update(stats.skipped)
    report.add_input_issues(stats.errors, stats.warnings)
    report.labels.update(stats.labels)


@dataclass(slots=True)
class FileJob:
    """One export to validate on a worker, and where its parts go."""

    index: int
    path: str
    parts: str  # the folder of the run's part files
    layer: str | None
    include_predictions: bool
    whitespace: Whitespace
    foreign: ForeignOptions | None
    schemas: tuple[dict[str, str], str]  # the schema set's files and origin (it is rebuilt)
    valid: bool  # write the valid records (the run has --output)
    quarantine: bool  # write the quarantined ones (the run has --quarantine)
    seen: frozenset[str] = frozenset()  # record ids read before this file (a rerun)


@dataclass(slots=True)
class FileDigest:
    """What a worker hands back about one export (no record)."""

    job: FileJob
    record_ids: set[str]
    valid: int
    quarantined: int
    stats: ExportStats  # its counts and its own problems (a few)
    issues: str  # the part file of its record issues, in the order found (pickled)


_DOCUMENTS: dict[str, Mapping[str, Document]] = {}  # the corpus, set once per worker


def _use_documents(documents: Mapping[str, Document]) -> None:
    _DOCUMENTS["corpus"] = documents


def _part(job: FileJob, kind: str) -> Path:
    return Path(job.parts) / f"{job.index:06d}.{kind}"


def validate_file(job: FileJob) -> FileDigest:
    """Validate one export on its own (see the module docstring): its parts written, its
    digest returned. The corpus is the one the engine preloaded on this worker."""
    documents = _DOCUMENTS["corpus"]
    with (
        using_schemas(SchemaSet(job.schemas[0], origin=job.schemas[1])),
        _part(job, "issues").open("wb") as spool,
        RecordWriter(
            valid_path=_part(job, "valid") if job.valid else None,
            quarantine_path=_part(job, "quarantine") if job.quarantine else None,
        ) as writer,
    ):
        log = IssueLog(examples=0, sink=partial(pickle.dump, file=spool), spool=False)
        run = ValidationRun(
            documents, whitespace=job.whitespace, keep=False, writer=writer, log=log
        )
        run.seen = set(job.seen)
        stats = read_into(
            run,
            job.path,
            layer=job.layer,
            include_predictions=job.include_predictions,
            on_error="report",
            foreign=job.foreign,
        )
    report = run.report
    return FileDigest(
        job,
        run.seen - job.seen,
        report.valid_count,
        report.quarantined_count,
        stats,
        str(_part(job, "issues")),
    )


def _issues(path: str) -> Iterator[Issue]:
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def _merge(report: Report, writer: RecordWriter, digest: FileDigest) -> None:
    """Add one file's outcome to the run, as if it had been read here."""
    report.inputs.append(digest.job.path)
    for issue in _issues(digest.issues):
        report.log.add(
            issue, report.record_errors if issue.severity == "error" else report.warnings
        )
    report.valid_count += digest.valid
    report.quarantined_count += digest.quarantined
    add_stats(report, digest.stats)
    for kind in ("valid", "quarantine"):
        writer.append_part(kind, _part(digest.job, kind))


def validate_files(
    exports: list[str | Path],
    documents: Mapping[str, Document],
    *,
    report: Report,
    writer: RecordWriter,
    engine: str,
    jobs: int | None,
    address: str | None,
    layer: str | None,
    whitespace: Whitespace,
    include_predictions: bool,
    foreign: ForeignOptions | None,
    progress: Progress | None = None,
) -> None:
    """Validate ``exports`` on ``engine`` (one file per worker) into ``report`` and
    ``writer``: the same outcome as reading them in order into one run."""
    from annotate.engine import open_engine  # the engine's modules only when asked for

    parts = Path(tempfile.mkdtemp(prefix="annotate-validate-", dir=writer.folder()))
    make = partial(
        FileJob,
        parts=str(parts),
        layer=layer,
        include_predictions=include_predictions,
        whitespace=whitespace,
        foreign=foreign,
        schemas=(active_schemas().files, active_schemas().origin),
        valid=writer.writes("valid"),
        quarantine=writer.writes("quarantine"),
    )
    work = [make(i, str(p)) for i, p in enumerate(exports)]
    seen: set[str] = set()
    try:
        with open_engine(engine, workers=jobs, address=address) as executor:
            executor.preload(partial(_use_documents, documents))
            _use_documents(documents)  # a file validated again is validated here
            for digest in executor.map(validate_file, work):
                if not seen.isdisjoint(digest.record_ids):  # a duplicate across files
                    job = digest.job
                    digest = validate_file(make(job.index, job.path, seen=frozenset(seen)))
                seen |= digest.record_ids
                _merge(report, writer, digest)
                if progress is not None:
                    progress(f"{digest.job.path}: {digest.stats.received} records")
    finally:
        shutil.rmtree(parts, ignore_errors=True)
