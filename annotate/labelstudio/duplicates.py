"""Concurrent pushes can't duplicate: a check after the import finds the tasks this push
made twice and deletes its own copies.

Two pushes of the same corpus to the same project both list the project's keys before
importing, so both may import a key neither saw. After its import a push compares the
project's task count with what it listed plus what it created (one small request). Equal:
nobody imported meanwhile, nothing to check. Otherwise it lists the keys again and, for
every key it created that now has several tasks, deletes its own copy unless it is the
lowest id. Every push applies the same rule — the lowest id of a key survives — and each
deletes only tasks it created itself, so whichever order the pushes finish in, one task
per key remains (the server hands out increasing ids and commits imports one at a time,
as Label Studio's SQLite and PostgreSQL setups do).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls

__all__ = ["Deduplicated", "remove_own_copies", "remove_own_duplicates"]


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """How many of this push's tasks were copies of a concurrent push's, and every key's
    surviving task id."""

    removed: int
    task_ids: dict[str, int]


def remove_own_duplicates(
    client: Any, project_id: int, result: ls.ImportResult, *, key_field: str
) -> Deduplicated:
    """Delete the tasks `result` created that another push created first (see above)."""
    task_ids = dict(result.task_ids)
    keys = _remove(
        client,
        project_id,
        set(result.created_ids.values()),
        tasks_before=result.tasks_before,
        key_field=key_field,
    )
    if keys is None:
        return Deduplicated(0, task_ids)
    removed = sum(1 for key, tid in result.created_ids.items() if keys.get(key, [tid])[0] != tid)
    task_ids.update({key: keys[key][0] for key in result.created_ids if key in keys})
    return Deduplicated(removed, task_ids)


def remove_own_copies(
    client: Any,
    project_id: int,
    *,
    created_ids: Collection[int],
    tasks_before: int,
    key_field: str,
) -> int:
    """The rule above for a push that kept only the ids of the tasks it created (and the
    project's task count before it imported): deletes those that another push created
    first and returns how many."""
    created = set(created_ids)
    keys = _remove(client, project_id, created, tasks_before=tasks_before, key_field=key_field)
    if keys is None:
        return 0
    return sum(1 for ids in keys.values() for tid in ids[1:] if tid in created)


def _remove(
    client: Any, project_id: int, created: set[int], *, tasks_before: int, key_field: str
) -> dict[str, list[int]] | None:
    """Delete the tasks of ``created`` that are not the lowest id of their key; the keys
    listed to find them (``None``: nothing to check, nobody imported meanwhile)."""
    if not created:
        return None
    try:
        if ls.task_count(client, project_id) == tasks_before + len(created):
            return None
        keys, _count = ls.task_keys(client, project_id, key_field=key_field)
        doomed = [tid for ids in keys.values() for tid in ids[1:] if tid in created]
        ls.delete_tasks(client, project_id, doomed)
    except LabelStudioError as exc:
        raise LabelStudioError(
            f"{exc.message}; {len(created)} new tasks were imported, but checking them "
            "against a concurrent push failed",
            hint="some tasks may now be in the project twice: Label Studio's Data Manager "
            "action 'Remove Duplicated Tasks' removes the copies",
        ) from exc
    return keys
