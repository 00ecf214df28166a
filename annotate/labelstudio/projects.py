"""Projects on the server: found by exact title, created or brought up to date, read back.

Plain REST calls (:class:`annotate.labelstudio.rest.Api`); every function also takes the
SDK's client (:func:`~annotate.labelstudio.rest.as_api`). Each is safe to rerun: a project
is found before it is created, and two pushes creating one at once end in one project.
"""

from __future__ import annotations

from typing import Any

from annotate.errors import LabelStudioError
from annotate.labelstudio.rest import Api, StatusError, as_api, retrying

__all__ = [
    "TITLE_MAX_LEN",
    "TITLE_MIN_LEN",
    "ensure_project",
    "find_project",
    "get_project",
    "project_label_config",
    "update_project",
]

TITLE_MIN_LEN, TITLE_MAX_LEN = 3, 50  # Label Studio's PROJECT_TITLE_MIN_LEN / _MAX_LEN


def _project_ids(api: Api, title: str) -> list[int]:
    """The ids of the projects titled exactly `title`, lowest first."""
    # The server's `title` filter is a case-insensitive substring match.
    ids: list[int] = []
    page = 1
    while True:
        params = {"title": title, "page": page, "page_size": 100}
        answer = api.call("GET", "api/projects/", params=params)
        results = answer.get("results", []) if isinstance(answer, dict) else answer or []
        ids += [p["id"] for p in results if p.get("title") == title and p.get("id") is not None]
        if not isinstance(answer, dict) or not answer.get("next") or not results:
            return sorted(ids)
        page += 1


def find_project(client: Any, *, title: str) -> int | None:
    """The id of the project titled exactly `title`, or None."""
    api = as_api(client)

    def find() -> int | None:
        ids = _project_ids(api, title)
        if len(ids) > 1:
            raise LabelStudioError(
                f"{len(ids)} projects are titled {title!r}: ids {ids}",
                hint="rename or delete all but one in Label Studio",
            )
        return ids[0] if ids else None

    return retrying(find, doing=f"looking up project {title!r}")


def get_project(client: Any, project_id: int) -> dict[str, Any]:
    """The project's fields as the API gives them (one call, not retried)."""
    answer = as_api(client).call("GET", f"api/projects/{project_id}/")
    return answer if isinstance(answer, dict) else {}


def update_project(client: Any, project_id: int, fields: dict[str, Any]) -> None:
    """Set these fields of the project (PATCH: a rerun sets the same values again)."""
    as_api(client).call("PATCH", f"api/projects/{project_id}/", json=fields)


def project_label_config(client: Any, project_id: int) -> str:
    """The labeling config (XML) of a project: which task field each region indexes."""
    return retrying(
        lambda: str(get_project(client, project_id).get("label_config") or ""),
        doing=f"reading the labeling config of project {project_id}",
    )


def ensure_project(
    client: Any,
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
    api = as_api(client)
    wanted: dict[str, Any] = {
        "label_config": label_config,
        "description": description,
        "expert_instruction": instructions,
        "show_instruction": bool(instructions),
    }

    def ensure() -> tuple[int, bool]:
        # Several: a concurrent push (or a retried creation) made one too; the lowest id
        # is the one every push uses, and its creator deletes the other.
        ids = _project_ids(api, title)
        if not ids:
            created = api.call("POST", "api/projects/", json={"title": title, **wanted})
            return _first_of_racing_creations(api, title, int(created["id"]))
        _drop_empty_copies(api, ids)
        current = get_project(api, ids[0])
        changed = {k: v for k, v in wanted.items() if current.get(k) != v}
        if changed:
            update_project(api, ids[0], changed)
        return ids[0], False

    # Rerunning is safe: a project created by a failed attempt is found by the next one.
    return retrying(ensure, doing=f"creating or updating project {title!r}")


def _first_of_racing_creations(api: Api, title: str, mine: int) -> tuple[int, bool]:
    """After creating project `mine`: when another push created one with the same title
    meanwhile, the lowest id wins and a higher one of ours (still empty) is deleted, so
    that both pushes import into the same project."""
    ids = _project_ids(api, title)
    first = ids[0] if ids else mine
    _drop_empty_copies(api, ids)
    return first, first == mine


def _drop_empty_copies(api: Api, ids: list[int]) -> None:
    """Delete the projects after the lowest id that hold no task. Racing creations leave
    them: a creation the server saved but answered with an error (SQLite's "database is
    locked" under two pushes) is retried, and the retry finds the lowest id, not its own.
    Every push imports into the lowest id only, so an empty higher one is nobody's."""
    for project_id in ids[1:]:
        try:
            if int(get_project(api, project_id).get("task_number") or 0) == 0:
                api.call("DELETE", f"api/projects/{project_id}/")
        except StatusError as exc:
            if exc.status_code != 404:  # the other push deleted it first
                raise
