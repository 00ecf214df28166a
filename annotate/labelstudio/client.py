"""The Label Studio calls of push, review and the tests: tasks, users, annotations.

Every function takes a client first — an :class:`annotate.labelstudio.rest.Api` (plain
httpx, what push and pull use) or the SDK's ``LabelStudio`` from :func:`connect` — and
keyword-only options after. Each is safe to rerun: projects and users are found before
they are created, tasks are imported only when their key is not in the project yet.
Connection, errors and retries are :mod:`annotate.labelstudio.rest`'s; projects are
:mod:`annotate.labelstudio.projects`' (both re-exported here).

A call that is not safe to resend (submitting an annotation) is retried only when the
connection failed before the request was sent (the httpx transport's own retries).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from annotate.errors import LabelStudioError
from annotate.labelstudio import rest
from annotate.labelstudio.projects import ensure_project, find_project, project_label_config
from annotate.labelstudio.rest import (
    API_KEY_VAR,
    EXPORT_TIMEOUT_S,
    URL_VAR,
    as_api,
    as_error,
    http_client,
    retrying,
    server_settings,
)
from annotate.redact import redact

if TYPE_CHECKING:  # the SDK costs 155 MiB and seconds to import: only where it is used
    from label_studio_sdk import LabelStudio

__all__ = [
    "API_KEY_VAR",
    "EXPORT_TIMEOUT_S",
    "URL_VAR",
    "ImportResult",
    "annotator_names",
    "connect",
    "delete_tasks",
    "ensure_project",
    "ensure_user",
    "existing_task_keys",
    "find_project",
    "import_batch",
    "import_tasks",
    "project_label_config",
    "submit_annotation",
    "task_count",
    "task_keys",
    "unfinished_import",
]

# Tasks per import request: the server's cost per request (auth, counters) is paid per batch.
IMPORT_BATCH_SIZE = 2000
TASK_PAGE_SIZE = 1000

RERUN_HINT = (
    "rerun the same push: it imports only the tasks that are not on the server yet, "
    "without duplicates"
)

# One retry policy, ours: the SDK's would resend non-idempotent POSTs after a 5xx.
_NO_SDK_RETRY: dict[str, Any] = {"max_retries": 0}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What :func:`import_tasks` did: tasks created, tasks skipped, and every key's task id;
    `tasks_before` (the project's task count it listed) and `created_ids` (key -> id of
    each task it created) let :mod:`annotate.labelstudio.duplicates` check for a
    concurrent push."""

    created: int
    skipped: int
    task_ids: dict[str, int]
    tasks_before: int = 0
    created_ids: dict[str, int] = field(default_factory=dict)


# --- the SDK's client ------------------------------------------------------------------


def connect(*, url: str | None = None, api_key: str | None = None) -> LabelStudio:
    """The SDK's client for the server at `url` with `api_key`, checked to answer and
    accept the key (for review, users and annotations; push and pull use the lighter
    :func:`annotate.labelstudio.rest.open_api`).

    Each value comes from the argument, else the environment (``LABEL_STUDIO_URL``,
    ``LABEL_STUDIO_API_KEY``), else a ``.env`` file in the current directory. Legacy tokens
    and personal access tokens (JWT refresh tokens) both work.
    """
    from label_studio_sdk import LabelStudio

    url, api_key = server_settings(url=url, api_key=api_key)
    http = http_client()
    doing = f"connecting to Label Studio at {redact(url)}"
    try:
        client = LabelStudio(base_url=url, api_key=api_key, httpx_client=http)
        retrying(lambda: client.users.whoami(request_options=_NO_SDK_RETRY), doing=doing)
    except Exception as exc:  # the SDK raises ApiError itself for an expired token
        http.close()
        raise as_error(exc, doing) from exc
    return client


# --- tasks -----------------------------------------------------------------------------


def _task_pages(
    client: Any, project_id: int, *, retry: bool = True, page_size: int = TASK_PAGE_SIZE
) -> Iterator[tuple[list[dict[str, Any]], int | None]]:
    """Pages of the project's tasks carrying only `id` and `data`, with the project's task
    count; `retry` false leaves the retries to a caller's own loop."""
    api = as_api(client)
    page, seen = 1, 0
    while True:
        params = {
            "project": project_id,
            "page": page,
            "page_size": page_size,
            "fields": "task_only",
            "include": "id,data",
        }

        def call(params: dict[str, Any] = params) -> Any:
            return api.call("GET", "api/tasks/", params=params, timeout=EXPORT_TIMEOUT_S)

        doing = f"listing tasks of project {project_id} (page {page})"
        try:
            answer = retrying(call, doing=doing) if retry else call()
        except rest.StatusError as exc:
            if exc.status_code == 404 and page > 1:  # past the last page
                return
            raise
        items = list(answer.get("tasks") or []) if isinstance(answer, dict) else []
        total = answer.get("total") if isinstance(answer, dict) else None
        yield items, total
        seen += len(items)
        if not items or total is None or seen >= total:
            return
        page += 1


def existing_task_keys(
    client: Any, project_id: int, *, key_field: str = "task_key"
) -> dict[str, int]:
    """``data[key_field] -> task id`` for every task of the project that has that field.

    Reads pages of 1000 tasks carrying only id and data (10k tasks: about 6 s on a local
    server, faster than an export). If two tasks share a key, the lower id wins.
    """
    return {k: ids[0] for k, ids in task_keys(client, project_id, key_field=key_field)[0].items()}


def task_keys(
    client: Any, project_id: int, *, key_field: str = "task_key", retry: bool = True
) -> tuple[dict[str, list[int]], int]:
    """``data[key_field] -> sorted task ids`` (several when a key is duplicated), and the
    number of tasks in the project (with or without that field)."""
    keys: dict[str, list[int]] = {}
    count = 0
    for page, _total in _task_pages(client, project_id, retry=retry):
        count += len(page)
        for task in page:
            data = task.get("data") if isinstance(task.get("data"), dict) else {}
            key = data.get(key_field) if data else None
            if key is not None and task.get("id") is not None:
                keys.setdefault(str(key), []).append(int(task["id"]))
    for ids in keys.values():
        ids.sort()
    return keys, count


def task_count(client: Any, project_id: int) -> int:
    """The number of tasks in the project (one small request)."""
    for page, total in _task_pages(client, project_id, page_size=1):
        return total if total is not None else len(page)
    return 0


def delete_tasks(client: Any, project_id: int, task_ids: Sequence[int]) -> None:
    """Delete these tasks of the project (one Data Manager action per 1000 ids)."""
    api = as_api(client)
    ids = sorted(set(task_ids))
    for start in range(0, len(ids), TASK_PAGE_SIZE):
        chunk = ids[start : start + TASK_PAGE_SIZE]
        body = {"selectedItems": {"all": False, "included": chunk}}
        retrying(
            partial(
                api.call,
                "POST",
                "api/dm/actions/",
                params={"id": "delete_tasks", "project": project_id},
                json=body,
                timeout=EXPORT_TIMEOUT_S,
            ),
            doing=f"deleting {len(chunk)} tasks of project {project_id}",
        )


def _task_key(task: dict[str, Any], index: int, key_field: str) -> str:
    data = task.get("data")
    if not isinstance(data, dict) or data.get(key_field) in (None, ""):
        raise LabelStudioError(
            f"task #{index} has no data.{key_field}",
            json_path=f"$[{index}].data.{key_field}",
            hint="every task needs a stable key so that a re-import can skip it",
        )
    return str(data[key_field])


def import_tasks(
    client: Any,
    project_id: int,
    tasks: Sequence[dict[str, Any]],
    *,
    key_field: str = "task_key",
    batch_size: int = IMPORT_BATCH_SIZE,
) -> ImportResult:
    """Import the tasks whose ``data[key_field]`` is not in the project yet, in batches.

    Tasks look like ``{"data": {...}, "predictions": [{"model_version", "score",
    "result"}]}``. A task whose key is already in the project, or repeated in `tasks`, is
    skipped. After a temporary failure the batch is resent without the tasks that reached
    the server, so a rerun or a retry never duplicates a task.
    """
    keys = [_task_key(task, i, key_field) for i, task in enumerate(tasks)]
    client = as_api(client)  # once: the SDK's client, if given, shares its connection
    try:
        listed, before = task_keys(client, project_id, key_field=key_field)
    except LabelStudioError as exc:
        raise unfinished_import(exc, imported=0, of=len(tasks)) from exc
    existing = {k: ids[0] for k, ids in listed.items()}
    task_ids: dict[str, int] = {}
    pending: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    skipped = 0
    for key, task in zip(keys, tasks, strict=True):
        if key in existing:
            task_ids[key] = existing[key]
            skipped += 1
        elif key in seen:  # the same key twice in `tasks`: the same task
            skipped += 1
        else:
            seen.add(key)
            pending.append((key, task))
    created: dict[str, int] = {}
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        try:
            import_batch(client, project_id, batch, key_field=key_field, found=created)
        except LabelStudioError as exc:
            raise unfinished_import(exc, imported=len(created), of=len(pending)) from exc
    task_ids.update(created)
    return ImportResult(len(created), skipped, task_ids, before, created)


def unfinished_import(exc: LabelStudioError, *, imported: int, of: int) -> LabelStudioError:
    """`exc` saying that `imported` of the `of` new tasks got in, and that a rerun completes it."""
    return LabelStudioError(
        f"{exc.message}; {imported} of {of} new tasks were imported before the failure",
        file=exc.file,
        task_id=exc.task_id,
        json_path=exc.json_path,
        hint=f"{exc.hint}; then {RERUN_HINT}" if exc.hint else RERUN_HINT,
    )


def _post_tasks(client: Any, project_id: int, tasks: list[dict[str, Any]]) -> Any:
    """POST tasks to the project's import endpoint; returns the JSON answer.

    The body is serialised once by :mod:`json` (the SDK's encoder walked every value of
    every task through pydantic helpers first: 40% of an import's time)."""
    return as_api(client).call(
        "POST",
        f"api/projects/{project_id}/import",
        params={"return_task_ids": "true"},
        content=json.dumps(tasks, ensure_ascii=False).encode("utf-8"),
        timeout=EXPORT_TIMEOUT_S,
    )


def import_batch(
    client: Any,
    project_id: int,
    batch: list[tuple[str, dict[str, Any]]],
    *,
    key_field: str,
    found: dict[str, int],
) -> None:
    """Import one batch of (key, task) pairs not in the project yet, in one request, adding
    key -> task id of each task it created to `found` (when it raises, those that got in).
    After a temporary failure the keys are listed again inside the same retry loop, and the
    batch is resent without the tasks that reached the server."""
    delay = rest.RETRY_FIRST_DELAY_S
    doing = f"importing {len(batch)} tasks into project {project_id}"
    for attempt in range(1, rest.RETRY_ATTEMPTS + 1):
        try:
            if attempt > 1:  # the failed request may have been committed: keep what arrived
                present = task_keys(client, project_id, key_field=key_field, retry=False)[0]
                found.update({k: present[k][0] for k, _ in batch if k in present})
            todo = [(k, t) for k, t in batch if k not in found]
            if not todo:
                return
            response = _post_tasks(client, project_id, [t for _, t in todo])
            ids = response.get("task_ids") if isinstance(response, dict) else None
            if isinstance(ids, list) and len(ids) == len(todo):
                found.update({k: int(i) for (k, _), i in zip(todo, ids, strict=True)})
            else:  # an edition that imports asynchronously: read the ids back
                present = task_keys(client, project_id, key_field=key_field, retry=False)[0]
                found.update({k: present[k][0] for k, _ in todo if k in present})
            return
        except Exception as exc:
            if attempt == rest.RETRY_ATTEMPTS or not rest.is_temporary(exc):
                raise as_error(exc, doing) from exc
        time.sleep(delay)
        delay = min(delay * 2, rest.RETRY_MAX_DELAY_S)


# --- users and annotations -------------------------------------------------------------


def _users(api: rest.Api) -> list[dict[str, Any]]:
    answer = api.call("GET", "api/users/")
    return answer if isinstance(answer, list) else list((answer or {}).get("results") or [])


def ensure_user(client: Any, *, email: str, first_name: str = "", last_name: str = "") -> int:
    """The id of the organisation's user with `email`, created if missing; names updated.

    Label Studio 1.23 gives an admin no way to read or set another user's API token, nor a
    password (users made through the API cannot log in until they reset it in the
    browser): annotations are attributed to a user through ``completed_by`` in
    :func:`submit_annotation`, which an admin may set.
    """
    api = as_api(client)
    wanted = {"first_name": first_name, "last_name": last_name}

    def ensure() -> int:
        for user in _users(api):
            if (user.get("email") or "").lower() == email.lower() and user.get("id") is not None:
                changed = {k: v for k, v in wanted.items() if v and user.get(k) != v}
                if changed:
                    api.call("PATCH", f"api/users/{user['id']}/", json=changed)
                return int(user["id"])
        created = api.call("POST", "api/users/", json={"email": email, "username": email, **wanted})
        return int(created["id"])

    # Rerunning is safe: a user created by a failed attempt is found by the next one.
    return retrying(ensure, doing=f"creating or finding user {email!r}")


def submit_annotation(
    client: Any,
    *,
    task_id: int,
    result: list[dict[str, Any]],
    completed_by: int | None = None,
    ground_truth: bool = False,
    lead_time: float | None = None,
) -> int:
    """Submit an annotation of `task_id` and return its id.

    `completed_by` attributes it to that user (default: the API key's user). Not
    idempotent, so it is retried only when the connection failed before sending.
    """
    options: dict[str, Any] = {"result": result, "ground_truth": ground_truth}
    if completed_by is not None:
        options["completed_by"] = completed_by
    if lead_time is not None:
        options["lead_time"] = lead_time
    try:
        annotation = as_api(client).call("POST", f"api/tasks/{task_id}/annotations/", json=options)
    except Exception as exc:
        doing = f"submitting an annotation of task {task_id}"
        raise as_error(exc, doing, task_id=task_id) from exc
    return int(annotation["id"])


def annotator_names(client: Any) -> dict[str, str]:
    """User id → the local part of the user's e-mail, for every user of the organisation."""
    api = as_api(client)

    def names() -> dict[str, str]:
        return {
            str(u["id"]): (u.get("email") or f"user-{u['id']}").split("@", 1)[0]
            for u in _users(api)
            if u.get("id") is not None
        }

    return retrying(names, doing="listing users")
