"""Snapshot exports of a project through the exports API, streamed as they download.

A pull makes a snapshot, waits for it, downloads it and deletes it from the server, also
when anything fails; snapshots an earlier pull could not delete (it was killed, or the
server was) are deleted by a later pull once they are old enough to be surely abandoned.

Plain REST calls (:class:`annotate.labelstudio.rest.Api`, no SDK: a pull's memory is the
export's chunks, not the SDK's 155 MiB), retried as :func:`~annotate.labelstudio.rest.retrying`
says. Every function takes an ``Api`` or the SDK's client (:func:`~annotate.labelstudio.rest.as_api`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from annotate.errors import LabelStudioError
from annotate.labelstudio import rest
from annotate.labelstudio.rest import EXPORT_TIMEOUT_S, as_api, retrying
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


def export_project(
    client: Any,
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


def _snapshot_request(download_all_tasks: bool) -> dict[str, Any]:
    # What the SDK's exports.create sends for the same options (checked against it).
    return {
        "title": EXPORT_TITLE,
        "task_filter_options": {"only_with_annotations": not download_all_tasks},
        "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
        "serialization_options": {
            "drafts": {"only_id": True},
            "predictions": {"only_id": False},
            "annotations__completed_by": {"only_id": True},
            "include_annotation_history": False,
        },
    }


def stream_export(
    client: Any,
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
    api = as_api(client)
    base = f"api/projects/{project_id}/exports"
    doing = f"exporting project {project_id}"
    delete_stale_exports(api, project_id, older_than=stale_after)
    snapshot = retrying(
        lambda: api.call(
            "POST", f"{base}/", json=_snapshot_request(download_all_tasks), timeout=EXPORT_TIMEOUT_S
        ),
        doing=doing,
    )
    export_pk = int(snapshot["id"])
    try:
        deadline = time.monotonic() + timeout
        _wait_export(api, project_id, export_pk, None, deadline=deadline, doing=doing)
        if export_type != "JSON":
            retrying(
                lambda: api.call(
                    "POST",
                    f"{base}/{export_pk}/convert",
                    json={"export_type": export_type},
                    timeout=EXPORT_TIMEOUT_S,
                ),
                doing=f"{doing} as {export_type}",
            )
            _wait_export(api, project_id, export_pk, export_type, deadline=deadline, doing=doing)

        def download() -> T:
            path, params = f"{base}/{export_pk}/download", {"exportType": export_type}
            with api.download(path, params=params, chunk_size=DOWNLOAD_CHUNK_BYTES) as chunks:
                return consume(chunks)

        return retrying(download, doing=f"downloading export {export_pk} of project {project_id}")
    finally:
        _delete_export(api, project_id, export_pk)


def _delete_export(api: rest.Api, project_id: int, export_pk: int) -> None:
    # Cleanup only: a snapshot left behind costs disk space, nothing else; one that cannot
    # be deleted now (the server is gone) is deleted by a later pull once stale.
    for attempt in range(3):
        try:
            api.call("DELETE", f"api/projects/{project_id}/exports/{export_pk}")
            return
        except rest.StatusError as exc:
            if exc.status_code == 404 or not rest.is_temporary(exc):
                return
        except httpx.TransportError:
            pass
        time.sleep(rest.RETRY_FIRST_DELAY_S * (attempt + 1))


def _created_at(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        created = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


def delete_stale_exports(client: Any, project_id: int, *, older_than: float) -> int:
    """Delete the project's snapshots made by a pull (titled :data:`EXPORT_TITLE`) more than
    `older_than` seconds ago, whatever their status; returns how many were deleted."""
    api = as_api(client)
    listed = retrying(
        lambda: api.call("GET", f"api/projects/{project_id}/exports/"),
        doing=f"listing the exports of project {project_id}",
    )
    now = datetime.now(UTC)
    deleted = 0
    for export in listed if isinstance(listed, list) else []:
        created = _created_at(export.get("created_at"))
        if export.get("title") != EXPORT_TITLE or export.get("id") is None or created is None:
            continue
        if (now - created).total_seconds() >= older_than:
            _delete_export(api, project_id, int(export["id"]))
            deleted += 1
    return deleted


def _wait_export(
    api: rest.Api,
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
        snapshot = retrying(
            lambda: api.call("GET", f"api/projects/{project_id}/exports/{export_pk}"),
            doing=doing,
        )
        status, traceback = snapshot.get("status"), None
        if export_type is not None:
            converted = [
                c
                for c in snapshot.get("converted_formats") or []
                if c.get("export_type") == export_type
            ]
            status = converted[0].get("status") if converted else None
            traceback = converted[0].get("traceback") if converted else None
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
