"""Snapshot exports of a project through the exports API, streamed as they download.

A pull makes a snapshot, waits for it, downloads it and deletes it from the server, also
when anything fails; snapshots an earlier pull could not delete (it was killed, or the
server was) are deleted by a later pull once they are old enough to be surely abandoned.
Calls are retried as in :mod:`annotate.labelstudio.client`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.core.request_options import RequestOptions
from label_studio_sdk.types import (
    LseAnnotationFilterOptionsRequest,
    LseTaskFilterOptionsRequest,
    SerializationOptionRequest,
    SerializationOptionsRequest,
)

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import (
    _LONG_CALL,
    _NO_SDK_RETRY,
    EXPORT_TIMEOUT_S,
    RETRY_FIRST_DELAY_S,
    _is_temporary,
    _retrying,
)
from annotate.redact import summarise_body

__all__ = [
    "DOWNLOAD_CHUNK_BYTES",
    "EXPORT_TITLE",
    "STALE_EXPORT_S",
    "delete_stale_exports",
    "export_project",
    "stream_export",
]

T = TypeVar("T")

# A snapshot titled EXPORT_TITLE older than this was left by a pull that died: deleted.
STALE_EXPORT_S = 2 * 3600.0
EXPORT_TITLE = "annotate pull"
DOWNLOAD_CHUNK_BYTES = 1 << 20
_DOWNLOAD: RequestOptions = {**_LONG_CALL, "chunk_size": DOWNLOAD_CHUNK_BYTES}


def export_project(
    client: LabelStudio,
    project_id: int,
    *,
    export_type: str = "JSON",
    download_all_tasks: bool = True,
    timeout: float = EXPORT_TIMEOUT_S,
) -> bytes:
    """The raw bytes of a snapshot export of the project (see :func:`stream_export`, which
    hands the bytes on as they arrive instead of holding them)."""
    return stream_export(
        client,
        project_id,
        b"".join,
        export_type=export_type,
        download_all_tasks=download_all_tasks,
        timeout=timeout,
    )


def stream_export(
    client: LabelStudio,
    project_id: int,
    consume: Callable[[Iterator[bytes]], T],
    *,
    export_type: str = "JSON",
    download_all_tasks: bool = True,
    timeout: float = EXPORT_TIMEOUT_S,
    stale_after: float = STALE_EXPORT_S,
) -> T:
    """A snapshot export of the project (exports API), its bytes handed to ``consume`` as
    they arrive (``consume`` must be safe to call again: a download that fails for a
    temporary reason is restarted from the first byte). Returns what ``consume`` returns.

    A snapshot is created, awaited, converted when `export_type` is not JSON, downloaded
    and then deleted from the server, also when anything fails; snapshots that earlier
    pulls left behind (a pull killed, or the server killed during one) are deleted once
    they are `stale_after` seconds old. A snapshot holds every annotation (submitted,
    ground truth and skipped ones: ``was_cancelled`` tells), full predictions,
    ``completed_by`` as a user id, and drafts as ids only (a draft is unsubmitted work).
    With `download_all_tasks` false, only tasks that have annotations are exported.
    """
    exports = client.projects.exports
    doing = f"exporting project {project_id}"
    delete_stale_exports(client, project_id, older_than=stale_after)
    snapshot = _retrying(
        lambda: exports.create(
            project_id,
            title=EXPORT_TITLE,
            task_filter_options=LseTaskFilterOptionsRequest(
                only_with_annotations=not download_all_tasks
            ),
            annotation_filter_options=LseAnnotationFilterOptionsRequest(
                usual=True, ground_truth=True, skipped=True
            ),
            serialization_options=SerializationOptionsRequest(
                drafts=SerializationOptionRequest(only_id=True),
                predictions=SerializationOptionRequest(only_id=False),
                annotations__completed_by=SerializationOptionRequest(only_id=True),
                include_annotation_history=False,
            ),
            request_options=_LONG_CALL,
        ),
        doing=doing,
    )
    export_pk = snapshot.id
    assert export_pk is not None
    try:
        deadline = time.monotonic() + timeout
        _wait_export(client, project_id, export_pk, None, deadline=deadline, doing=doing)
        if export_type != "JSON":
            _retrying(
                lambda: exports.convert(
                    project_id, export_pk, export_type=export_type, request_options=_LONG_CALL
                ),
                doing=f"{doing} as {export_type}",
            )
            _wait_export(client, project_id, export_pk, export_type, deadline=deadline, doing=doing)
        return _retrying(
            lambda: consume(
                exports.download(
                    project_id, export_pk, export_type=export_type, request_options=_DOWNLOAD
                )
            ),
            doing=f"downloading export {export_pk} of project {project_id}",
        )
    finally:
        _delete_export(client, project_id, export_pk)


def _delete_export(client: LabelStudio, project_id: int, export_pk: int) -> None:
    # Cleanup only: a snapshot left behind costs disk space, nothing else; one that cannot
    # be deleted now (the server is gone) is deleted by a later pull once stale.
    for attempt in range(3):
        try:
            client.projects.exports.delete(project_id, export_pk, request_options=_NO_SDK_RETRY)
            return
        except ApiError as exc:
            if exc.status_code == 404 or not _is_temporary(exc):
                return
        except httpx.TransportError:
            pass
        time.sleep(RETRY_FIRST_DELAY_S * (attempt + 1))


def delete_stale_exports(client: LabelStudio, project_id: int, *, older_than: float) -> int:
    """Delete the project's snapshots made by a pull (titled :data:`EXPORT_TITLE`) more than
    `older_than` seconds ago, whatever their status; returns how many were deleted."""
    listed = _retrying(
        lambda: client.projects.exports.list(project_id, request_options=_NO_SDK_RETRY),
        doing=f"listing the exports of project {project_id}",
    )
    now = datetime.now(UTC)
    deleted = 0
    for export in listed:
        created = export.created_at
        if export.title != EXPORT_TITLE or export.id is None or created is None:
            continue
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        if (now - created).total_seconds() >= older_than:
            _delete_export(client, project_id, export.id)
            deleted += 1
    return deleted


def _wait_export(
    client: LabelStudio,
    project_id: int,
    export_pk: int,
    export_type: str | None,
    *,
    deadline: float,
    doing: str,
) -> None:
    """Poll until the snapshot (or its conversion to `export_type`) is completed."""
    delay = 0.2
    while True:
        snapshot = _retrying(
            lambda: client.projects.exports.get(
                project_id, export_pk, request_options=_NO_SDK_RETRY
            ),
            doing=doing,
        )
        if export_type is None:
            status, traceback = snapshot.status, None
        else:
            converted = [
                c for c in snapshot.converted_formats or [] if c.export_type == export_type
            ]
            status = converted[0].status if converted else None
            traceback = converted[0].traceback if converted else None
        if status == "completed":
            return
        if status == "failed":
            raise LabelStudioError(
                f"{doing}: export {export_pk} failed"
                + (
                    f" converting to {export_type}: {summarise_body(traceback)}"
                    if export_type
                    else ""
                ),
                hint="see the server log (.labelstudio/label-studio.log for a local server)",
            )
        if time.monotonic() > deadline:
            raise LabelStudioError(
                f"{doing}: export {export_pk} still {status} after the timeout",
                hint="pass a longer timeout",
            )
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
