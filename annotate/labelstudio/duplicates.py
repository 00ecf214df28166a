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

from dataclasses import dataclass

from label_studio_sdk import LabelStudio

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls

__all__ = ["Deduplicated", "remove_own_duplicates"]


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """How many of this push's tasks were copies of a concurrent push's, and every key's
    surviving task id."""

    removed: int
    task_ids: dict[str, int]


def remove_own_duplicates(
    client: LabelStudio, project_id: int, result: ls.ImportResult, *, key_field: str
) -> Deduplicated:
    """Delete the tasks `result` created that another push created first (see above)."""
    task_ids = dict(result.task_ids)
    if not result.created_ids:
        return Deduplicated(0, task_ids)
    try:
        if ls.task_count(client, project_id) == result.tasks_before + result.created:
            return Deduplicated(0, task_ids)
        keys, _count = ls.task_keys(client, project_id, key_field=key_field)
        doomed = [tid for key, tid in result.created_ids.items() if keys.get(key, [tid])[0] != tid]
        ls.delete_tasks(client, project_id, doomed)
    except LabelStudioError as exc:
        raise LabelStudioError(
            f"{exc.message}; {result.created} new tasks were imported, but checking them "
            "against a concurrent push failed",
            hint="some tasks may now be in the project twice: Label Studio's Data Manager "
            "action 'Remove Duplicated Tasks' removes the copies",
        ) from exc
    task_ids.update({key: keys[key][0] for key in result.created_ids if key in keys})
    return Deduplicated(len(doomed), task_ids)
