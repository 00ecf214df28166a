"""Raw exports on disk: downloaded as a stream, hashed while written, kept when unchanged.

:func:`store_export` is the one step every pull goes through. It streams the project's
snapshot export into a temporary file beside the others (never the whole export in
memory), hashing the bytes as they arrive, and names it ``<sha256>.json`` — the bytes
exactly as the server sent them. Two exports of an unchanged project are not
byte-identical (``predictions[].created_ago`` says "0 minutes", then "2 minutes"), so the
new export is compared with the previous one *on content*, with such volatile fields left
out: when nothing else differs the previous file is kept and the download discarded, so
the pin does not move.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.files import write_error
from annotate.labelstudio.export import iter_tasks
from annotate.labelstudio.exports import stream_export

__all__ = ["VOLATILE_FIELDS", "ExportContent", "StoredExport", "export_content", "store_export"]

# Fields whose value changes between two exports of the same data: the server renders them
# relative to the time of the export.
VOLATILE_FIELDS = frozenset({"created_ago"})


@dataclass(frozen=True, slots=True)
class ExportContent:
    """What an export holds, volatile fields left out: a digest of its tasks, how many
    tasks, and the ids of the users who completed its annotations."""

    digest: str
    tasks: int
    annotators: frozenset[str]
    annotations: int = 0


@dataclass(frozen=True, slots=True)
class StoredExport:
    """The result of :func:`store_export`: the raw export file to pin (the new download,
    or the previous file when the content is the same), its sha256 and content."""

    path: Path
    sha256: str
    new_file: bool
    unchanged: bool
    content: ExportContent
    received_sha256: str  # of the bytes this download received (kept or not)


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE_FIELDS}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def export_content(path: Path) -> ExportContent:
    """Read an export once, as a stream: its :class:`ExportContent`."""
    digest = hashlib.sha256()
    tasks = annotations = 0
    annotators: set[str] = set()
    for task in iter_tasks(path):
        tasks += 1
        annotations += len(task.get("annotations") or [])
        annotators.update(str(a.get("completed_by")) for a in task.get("annotations") or [])
        canonical = json.dumps(_stable(task), sort_keys=True, ensure_ascii=False, default=str)
        digest.update(canonical.encode("utf-8"))
        digest.update(b"\n")
    return ExportContent(digest.hexdigest(), tasks, frozenset(annotators), annotations)


class _Download:
    """Writes the chunks of one download attempt to a fresh temporary file, hashing them;
    called again by a retry, it starts over."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None

    def __call__(self, chunks: Iterator[bytes]) -> tuple[Path, str]:
        self.discard()
        digest = hashlib.sha256()
        try:
            fd, name = tempfile.mkstemp(prefix=".export-", suffix=".part", dir=self.folder)
            self.path = Path(name)
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            self.discard()
            raise write_error(self.folder, exc) from exc
        return self.path, digest.hexdigest()

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


def store_export(
    client: Any,
    project_id: int,
    *,
    folder: Path,
    previous: Path | None = None,
) -> StoredExport:
    """Download the project's export into ``folder/<sha256>.json`` and return what to pin.

    ``previous`` is the export pinned so far: when the new one has the same content
    (:data:`VOLATILE_FIELDS` ignored), it is kept and the new download is not stored.
    Nothing is half-written: the file appears under its name only once complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    download = _Download(folder)
    try:
        part, sha256 = stream_export(client, project_id, download)
        content = export_content(part)
        path = folder / f"{sha256}.json"
        before = previous.resolve() if previous is not None and previous.is_file() else None
        moved = before is not None and before != path.resolve()
        if moved and before is not None and export_content(before).digest == content.digest:
            kept = previous or before
            return StoredExport(kept, _file_sha256(before), False, True, content, sha256)
        if path.exists():  # the same bytes were pulled before
            return StoredExport(path, sha256, False, before == path.resolve(), content, sha256)
        os.replace(part, path)
        download.path = None
        with contextlib.suppress(OSError):  # make the rename durable (best effort)
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return StoredExport(path, sha256, True, False, content, sha256)
    finally:
        download.discard()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
