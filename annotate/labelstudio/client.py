"""The low-level Label Studio client: small, rerunnable calls over the official SDK.

Every function takes the ``LabelStudio`` client returned by :func:`connect` first and
keyword-only options after. Each is safe to rerun: projects and users are found before they
are created, tasks are imported only when their key is not in the project yet, exports are
read-only snapshots.

Retries: only temporary failures (connection refused or reset, timeouts, HTTP 5xx and 429)
are retried, with exponential backoff and a bound. The SDK's own retries are switched off
(they would resend a POST after a 5xx); connection failures before a request is sent are
retried by the httpx transport. A call that is not safe to resend (submitting an
annotation) is retried only in that last case.

Errors are :class:`annotate.errors.LabelStudioError`; their messages carry the HTTP status
and a one-line summary of the server's answer (:func:`annotate.redact.summarise_body`: the
first line of a JSON ``detail``; an HTML page only by its title), never the API token, the
request or response headers, or a URL's ``user:password@``.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.actions.types import CreateActionsRequestSelectedItemsIncluded
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.core.request_options import RequestOptions

from annotate.errors import AnnotateError, LabelStudioError
from annotate.redact import redact, remember_secret, summarise_body

__all__ = [
    "ImportResult",
    "annotator_names",
    "connect",
    "delete_tasks",
    "ensure_project",
    "ensure_user",
    "existing_task_keys",
    "find_project",
    "import_tasks",
    "project_label_config",
    "submit_annotation",
    "task_count",
    "task_keys",
]

T = TypeVar("T")

URL_VAR = "LABEL_STUDIO_URL"
API_KEY_VAR = "LABEL_STUDIO_API_KEY"

# Tasks per import request: the server's cost per request (auth, counters) is paid per batch.
IMPORT_BATCH_SIZE = 2000
TASK_PAGE_SIZE = 1000
EXPORT_TIMEOUT_S = 1800.0
TITLE_MIN_LEN, TITLE_MAX_LEN = 3, 50  # Label Studio's PROJECT_TITLE_MIN_LEN / _MAX_LEN

RERUN_HINT = (
    "rerun the same push: it imports only the tasks that are not on the server yet, "
    "without duplicates"
)

RETRY_ATTEMPTS = 5
RETRY_FIRST_DELAY_S = 0.5
RETRY_MAX_DELAY_S = 8.0

# One retry policy, ours: the SDK's would resend non-idempotent POSTs after a 5xx.
_NO_SDK_RETRY: RequestOptions = {"max_retries": 0}
_LONG_CALL: RequestOptions = {"max_retries": 0, "timeout_in_seconds": int(EXPORT_TIMEOUT_S)}


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


# --- errors and retries ----------------------------------------------------------------


def _is_temporary(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError):  # refused, reset, timeouts, protocol errors
        return True
    if isinstance(exc, ApiError):
        return exc.status_code is not None and (exc.status_code >= 500 or exc.status_code == 429)
    return False


def _as_error(exc: BaseException, doing: str, **context: Any) -> AnnotateError:
    """A LabelStudioError for `exc`; ApiError's own str() would include response headers.
    Our own errors (a full disk while a download is written) pass as they are."""
    if isinstance(exc, AnnotateError):
        return exc
    if isinstance(exc, ApiError):
        hint = None
        if exc.status_code == 401:
            hint = f"check {API_KEY_VAR} (scripts/label-studio.sh env prints a working one)"
        elif exc.status_code == 404:
            hint = "the project, task or user may have been deleted on the server"
        content_type = (exc.headers or {}).get("content-type")
        summary = summarise_body(exc.body, content_type=content_type)
        return LabelStudioError(f"{doing}: HTTP {exc.status_code}: {summary}", hint=hint, **context)
    if isinstance(exc, httpx.TransportError):
        return LabelStudioError(
            f"{doing}: {type(exc).__name__}: {_first_line(exc)}",
            hint="is the server running? scripts/label-studio.sh status",
            **context,
        )
    return LabelStudioError(f"{doing}: {type(exc).__name__}: {_first_line(exc)}", **context)


def _first_line(exc: BaseException) -> str:
    return summarise_body(str(exc), content_type="text/plain")


def _retrying(call: Callable[[], T], *, doing: str, **context: Any) -> T:
    """Run `call`, retrying temporary failures with exponential backoff; `call` must be
    safe to rerun as a whole."""
    delay = RETRY_FIRST_DELAY_S
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == RETRY_ATTEMPTS or not _is_temporary(exc):
                raise _as_error(exc, doing, **context) from exc
        time.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_DELAY_S)
    raise AssertionError("unreachable")


# --- connection ------------------------------------------------------------------------


def _read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments, blank lines and `export ` allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def connect(*, url: str | None = None, api_key: str | None = None) -> LabelStudio:
    """A client for the server at `url` with `api_key`, checked to answer and accept the key.

    Each value comes from the argument, else the environment (``LABEL_STUDIO_URL``,
    ``LABEL_STUDIO_API_KEY``), else a ``.env`` file in the current directory. Legacy tokens
    and personal access tokens (JWT refresh tokens) both work.
    """
    dotenv = _read_dotenv(Path.cwd() / ".env")
    url = url or os.environ.get(URL_VAR) or dotenv.get(URL_VAR)
    api_key = api_key or os.environ.get(API_KEY_VAR) or dotenv.get(API_KEY_VAR)
    if not url or not api_key:
        missing = [name for name, value in ((URL_VAR, url), (API_KEY_VAR, api_key)) if not value]
        raise LabelStudioError(
            f"Label Studio is not configured: {' and '.join(missing)} not set",
            hint="set them in the environment or .env; scripts/label-studio.sh start "
            "starts a local server and writes .env",
        )
    remember_secret(api_key)  # every later message is redacted of it
    if not url.startswith(("http://", "https://")):
        remember_secret(url)  # a key in the URL's place (the two swapped) is never shown
        swapped = api_key.startswith(("http://", "https://"))
        raise LabelStudioError(
            f"{URL_VAR} does not start with http:// or https:// (its value is not shown: "
            "it may be a key)"
            + (f"; {API_KEY_VAR} looks like a URL: are the two swapped?" if swapped else ""),
            hint="e.g. LABEL_STUDIO_URL=http://127.0.0.1:8080",
        )
    http = httpx.Client(
        timeout=httpx.Timeout(60.0, connect=10.0),
        follow_redirects=True,
        # Retries only connections that failed before a request was sent: safe for any call.
        transport=httpx.HTTPTransport(retries=2),
    )
    doing = f"connecting to Label Studio at {redact(url)}"
    try:
        client = LabelStudio(base_url=url.rstrip("/"), api_key=api_key, httpx_client=http)
        _retrying(lambda: client.users.whoami(request_options=_NO_SDK_RETRY), doing=doing)
    except Exception as exc:  # the SDK raises ApiError itself for an expired token
        http.close()
        raise _as_error(exc, doing) from exc
    return client


# --- projects --------------------------------------------------------------------------


def _project_ids(client: LabelStudio, title: str) -> list[int]:
    """The ids of the projects titled exactly `title`, lowest first."""
    # The server's `title` filter is a case-insensitive substring match.
    projects: Iterator[Any] = iter(
        client.projects.list(title=title, page_size=100, request_options=_NO_SDK_RETRY)
    )
    return sorted(p.id for p in projects if p.title == title and p.id is not None)


def find_project(client: LabelStudio, *, title: str) -> int | None:
    """The id of the project titled exactly `title`, or None."""

    def find() -> int | None:
        ids = _project_ids(client, title)
        if len(ids) > 1:
            raise LabelStudioError(
                f"{len(ids)} projects are titled {title!r}: ids {ids}",
                hint="rename or delete all but one in Label Studio",
            )
        return ids[0] if ids else None

    return _retrying(find, doing=f"looking up project {title!r}")


def project_label_config(client: LabelStudio, project_id: int) -> str:
    """The labeling config (XML) of a project: which task field each region indexes."""

    def get() -> str:
        project = client.projects.get(id=project_id, request_options=_NO_SDK_RETRY)
        return str(project.label_config or "")

    return _retrying(get, doing=f"reading the labeling config of project {project_id}")


def ensure_project(
    client: LabelStudio,
    *,
    title: str,
    label_config: str,
    description: str = "",
    instructions: str = "",
) -> tuple[int, bool]:
    """Create the project titled `title`, or bring its config, description and
    instructions (HTML, shown before labelling) up to date. Returns (id, created)."""
    if not TITLE_MIN_LEN <= len(title) <= TITLE_MAX_LEN:
        raise LabelStudioError(
            f"project title {title!r} has {len(title)} characters; Label Studio accepts "
            f"{TITLE_MIN_LEN} to {TITLE_MAX_LEN}",
            hint="use a shorter project prefix",
        )
    wanted: dict[str, Any] = {
        "label_config": label_config,
        "description": description,
        "expert_instruction": instructions,
        "show_instruction": bool(instructions),
    }

    def ensure() -> tuple[int, bool]:
        # Several: a concurrent push (or a retried creation) made one too; the lowest id
        # is the one every push uses, and its creator deletes the other.
        ids = _project_ids(client, title)
        project_id = ids[0] if ids else None
        if project_id is None:
            created = client.projects.create(title=title, **wanted, request_options=_NO_SDK_RETRY)
            assert created.id is not None
            return _first_of_racing_creations(client, title, created.id)
        current = client.projects.get(project_id, request_options=_NO_SDK_RETRY)
        changed = {k: v for k, v in wanted.items() if getattr(current, k, None) != v}
        if changed:
            client.projects.update(project_id, **changed, request_options=_NO_SDK_RETRY)
        return project_id, False

    # Rerunning is safe: a project created by a failed attempt is found by the next one.
    return _retrying(ensure, doing=f"creating or updating project {title!r}")


def _first_of_racing_creations(client: LabelStudio, title: str, mine: int) -> tuple[int, bool]:
    """After creating project `mine`: when another push created one with the same title
    meanwhile, the lowest id wins and a higher one of ours (still empty) is deleted, so
    that both pushes import into the same project."""
    projects: Iterator[Any] = iter(
        client.projects.list(title=title, page_size=100, request_options=_NO_SDK_RETRY)
    )
    ids = sorted(p.id for p in projects if p.title == title and p.id is not None)
    first = ids[0] if ids else mine
    if first == mine:
        return mine, True
    client.projects.delete(mine, request_options=_NO_SDK_RETRY)
    return first, False


# --- tasks -----------------------------------------------------------------------------


def _task_pages(
    client: LabelStudio, project_id: int, *, retry: bool = True, page_size: int = TASK_PAGE_SIZE
) -> Iterator[tuple[list[Any], int | None]]:
    """Pages of the project's tasks carrying only `id` and `data`, with the project's task
    count; `retry` false leaves the retries to a caller's own loop."""
    page, seen = 1, 0
    while True:
        call = partial(
            client.tasks.list,
            project=project_id,
            page=page,
            page_size=page_size,
            fields="task_only",
            include="id,data",
            request_options=_LONG_CALL,
        )
        doing = f"listing tasks of project {project_id} (page {page})"
        pager = _retrying(call, doing=doing) if retry else call()
        items = list(pager.items or [])
        total = getattr(pager.response, "total", None)
        yield items, total
        seen += len(items)
        if not items or total is None or seen >= total:
            return
        page += 1


def existing_task_keys(
    client: LabelStudio, project_id: int, *, key_field: str = "task_key"
) -> dict[str, int]:
    """``data[key_field] -> task id`` for every task of the project that has that field.

    Reads pages of 1000 tasks carrying only id and data (10k tasks: about 6 s on a local
    server, faster than an export). If two tasks share a key, the lower id wins.
    """
    return {k: ids[0] for k, ids in task_keys(client, project_id, key_field=key_field)[0].items()}


def task_keys(
    client: LabelStudio, project_id: int, *, key_field: str = "task_key", retry: bool = True
) -> tuple[dict[str, list[int]], int]:
    """``data[key_field] -> sorted task ids`` (several when a key is duplicated), and the
    number of tasks in the project (with or without that field)."""
    keys: dict[str, list[int]] = {}
    count = 0
    for page, _total in _task_pages(client, project_id, retry=retry):
        count += len(page)
        for task in page:
            data = task.data if isinstance(task.data, dict) else {}
            key = data.get(key_field)
            if key is not None and task.id is not None:
                keys.setdefault(str(key), []).append(task.id)
    for ids in keys.values():
        ids.sort()
    return keys, count


def task_count(client: LabelStudio, project_id: int) -> int:
    """The number of tasks in the project (one small request)."""
    for page, total in _task_pages(client, project_id, page_size=1):
        return total if total is not None else len(page)
    return 0


def delete_tasks(client: LabelStudio, project_id: int, task_ids: Sequence[int]) -> None:
    """Delete these tasks of the project (one Data Manager action per 1000 ids)."""
    ids = sorted(set(task_ids))
    for start in range(0, len(ids), TASK_PAGE_SIZE):
        chunk = ids[start : start + TASK_PAGE_SIZE]
        _retrying(
            partial(
                client.actions.create,
                id="delete_tasks",
                project=project_id,
                selected_items=CreateActionsRequestSelectedItemsIncluded.model_validate(
                    {"all": False, "included": chunk}
                ),
                request_options=_LONG_CALL,
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
    client: LabelStudio,
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
    try:
        listed, before = task_keys(client, project_id, key_field=key_field)
    except LabelStudioError as exc:
        raise _unfinished(exc, imported=0, of=len(tasks)) from exc
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
            _import_batch(client, project_id, batch, key_field=key_field, found=created)
        except LabelStudioError as exc:
            raise _unfinished(exc, imported=len(created), of=len(pending)) from exc
    task_ids.update(created)
    return ImportResult(len(created), skipped, task_ids, before, created)


def _unfinished(exc: LabelStudioError, *, imported: int, of: int) -> LabelStudioError:
    """`exc` saying how far the push got, and that a rerun completes it."""
    return LabelStudioError(
        f"{exc.message}; {imported} of {of} new tasks were imported before the failure",
        file=exc.file,
        task_id=exc.task_id,
        json_path=exc.json_path,
        hint=f"{exc.hint}; then {RERUN_HINT}" if exc.hint else RERUN_HINT,
    )


def _post_tasks(client: LabelStudio, project_id: int, tasks: list[dict[str, Any]]) -> Any:
    """POST tasks to the project's import endpoint; returns the JSON answer.

    The same request as the SDK's ``projects.import_tasks``, on the SDK's own connection
    (URL, headers, httpx client), but with the body serialised once by :mod:`json`: the
    SDK's encoder walks every value of every task through pydantic helpers first, which
    was 40% of an import's time for tasks that are plain JSON already.
    """
    wrapper = client._client_wrapper
    response = wrapper.httpx_client.httpx_client.post(
        urllib.parse.urljoin(f"{wrapper.get_base_url()}/", f"api/projects/{project_id}/import"),
        params={"return_task_ids": "true"},
        content=json.dumps(tasks, ensure_ascii=False).encode("utf-8"),
        headers={**wrapper.get_headers(), "Content-Type": "application/json"},
        timeout=EXPORT_TIMEOUT_S,
    )
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if not 200 <= response.status_code < 300:
        raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=body)
    return body


def _import_batch(
    client: LabelStudio,
    project_id: int,
    batch: list[tuple[str, dict[str, Any]]],
    *,
    key_field: str,
    found: dict[str, int],
) -> None:
    """Import one batch, adding key -> task id of the tasks it created to `found`.

    After a temporary failure the project's keys are listed again, inside the same retry
    loop (a failed listing is retried like the import), and the batch is resent without
    the tasks that reached the server."""
    delay = RETRY_FIRST_DELAY_S
    doing = f"importing {len(batch)} tasks into project {project_id}"
    for attempt in range(1, RETRY_ATTEMPTS + 1):
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
            if attempt == RETRY_ATTEMPTS or not _is_temporary(exc):
                raise _as_error(exc, doing) from exc
        time.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_DELAY_S)


# --- users and annotations -------------------------------------------------------------


def ensure_user(
    client: LabelStudio, *, email: str, first_name: str = "", last_name: str = ""
) -> int:
    """The id of the organisation's user with `email`, created if missing; names updated.

    Label Studio 1.23 gives an admin no way to read or set another user's API token, nor a
    password (users made through the API cannot log in until they reset it in the
    browser): annotations are attributed to a user through ``completed_by`` in
    :func:`submit_annotation`, which an admin may set.
    """
    wanted = {"first_name": first_name, "last_name": last_name}

    def ensure() -> int:
        users = client.users.list(request_options=_NO_SDK_RETRY)
        for user in users:
            if (user.email or "").lower() == email.lower() and user.id is not None:
                changed = {k: v for k, v in wanted.items() if v and getattr(user, k, None) != v}
                if changed:
                    client.users.update(user.id, **changed, request_options=_NO_SDK_RETRY)
                return user.id
        created = client.users.create(
            email=email, username=email, **wanted, request_options=_NO_SDK_RETRY
        )
        assert created.id is not None
        return created.id

    # Rerunning is safe: a user created by a failed attempt is found by the next one.
    return _retrying(ensure, doing=f"creating or finding user {email!r}")


def submit_annotation(
    client: LabelStudio,
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
        annotation = client.annotations.create(task_id, **options, request_options=_NO_SDK_RETRY)
    except Exception as exc:
        raise _as_error(
            exc, f"submitting an annotation of task {task_id}", task_id=task_id
        ) from exc
    assert annotation.id is not None
    return annotation.id


def annotator_names(client: LabelStudio) -> dict[str, str]:
    """User id → the local part of the user's e-mail, for every user of the organisation."""

    def names() -> dict[str, str]:
        return {
            str(u.id): (u.email or f"user-{u.id}").split("@", 1)[0]
            for u in client.users.list(request_options=_NO_SDK_RETRY)
            if u.id is not None
        }

    return _retrying(names, doing="listing users")
