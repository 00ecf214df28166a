"""Annotation by a team in Label Studio: how many annotators get each task (overlap) and
whether they start from the predictions (:class:`TeamSettings`, applied by ``push``), and
how far the team is (:func:`project_status`, ``annotate status``).

The project fields are Label Studio 1.23's (``label_studio/projects/models.py``):
``maximum_annotations`` (annotators per task), ``overlap_cohort_percentage`` (the share of
tasks that get that many; the others get one), ``show_overlap_first`` (the overlapping
tasks come first in the labeling stream), ``sampling`` (``Sequential sampling``: the Data
Manager's order; ``Uniform sampling``: random) and ``show_collab_predictions`` ("show
predictions to annotators": whether an annotator's new annotation starts from the task's
predictions).

Status reads the project's counters (one request) and one snapshot export of the tasks
that have annotations, streamed (never paging through the tasks list): per task how many
annotations were submitted and skipped, per annotator their counts and last activity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import ijson

from annotate.errors import ConfigError
from annotate.labelstudio.client import annotator_names
from annotate.labelstudio.exports import stream_export
from annotate.labelstudio.projects import get_project, update_project
from annotate.labelstudio.rest import retrying

__all__ = [
    "SAMPLING",
    "AnnotatorStatus",
    "LayerStatus",
    "TeamSettings",
    "apply_team_settings",
    "project_status",
]

Sampling = Literal["sequential", "uniform"]
SAMPLING: dict[str, str] = {"sequential": "Sequential sampling", "uniform": "Uniform sampling"}


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """What ``push`` sets on each project; ``None`` leaves a setting as the project has it."""

    annotators_per_task: int | None = None
    overlap: int | None = None  # percent of the tasks that get annotators_per_task
    show_predictions: bool | None = None
    sampling: Sampling | None = None

    def __post_init__(self) -> None:
        n, pct = self.annotators_per_task, self.overlap
        if n is not None and not 1 <= n <= 100:
            raise ConfigError(f"--annotators-per-task {n}: give 1 to 100 annotators per task")
        if pct is not None and not 0 <= pct <= 100:
            raise ConfigError(f"--overlap {pct}: give a percentage of the tasks, 0 to 100")
        if pct is not None and n is None:
            raise ConfigError(
                "--overlap needs --annotators-per-task",
                hint="e.g. --annotators-per-task 2 --overlap 20: a fifth of the tasks get two",
            )
        if self.sampling is not None and self.sampling not in SAMPLING:
            raise ConfigError(f"sampling {self.sampling!r}; known: {', '.join(SAMPLING)}")

    def fields(self) -> dict[str, Any]:
        """The Label Studio project fields these settings give."""
        out: dict[str, Any] = {}
        if self.annotators_per_task is not None:
            pct = 100 if self.overlap is None else self.overlap
            out["maximum_annotations"] = self.annotators_per_task
            out["overlap_cohort_percentage"] = pct
            out["show_overlap_first"] = self.annotators_per_task > 1 and pct < 100
        if self.show_predictions is not None:
            out["show_collab_predictions"] = self.show_predictions
        if self.sampling is not None:
            out["sampling"] = SAMPLING[self.sampling]
        return out


def apply_team_settings(client: Any, project_id: int, settings: TeamSettings) -> list[str]:
    """Bring the project's fields to ``settings``; returns the names of the fields changed
    (none on a rerun: safe to repeat)."""
    wanted = settings.fields()
    if not wanted:
        return []

    def apply() -> list[str]:
        current = get_project(client, project_id)
        changed = {k: v for k, v in wanted.items() if current.get(k) != v}
        if changed:
            update_project(client, project_id, changed)
        return sorted(changed)

    return retrying(apply, doing=f"setting the overlap of project {project_id}")


@dataclass(slots=True)
class AnnotatorStatus:
    user_id: str
    name: str
    submitted: int = 0  # annotations (tasks) submitted
    skipped: int = 0
    last_activity: str | None = None  # the latest created_at/updated_at of their annotations

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "submitted": self.submitted,
            "skipped": self.skipped,
            "last_activity": self.last_activity,
        }


@dataclass(slots=True)
class LayerStatus:
    """How far one layer's project is."""

    layer: str
    project_id: int
    project_title: str
    annotators_per_task: int  # the project's maximum_annotations
    tasks: int
    by_annotations: dict[int, int] = field(default_factory=dict)  # n submitted → tasks
    skipped: int = 0  # tasks skipped by at least one annotator
    annotators: list[AnnotatorStatus] = field(default_factory=list)

    @property
    def done(self) -> int:
        """Tasks with as many submitted annotations as the project asks for."""
        return sum(t for n, t in self.by_annotations.items() if n >= self.annotators_per_task)

    @property
    def remaining(self) -> int:
        return self.tasks - self.done

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "project_id": self.project_id,
            "project_title": self.project_title,
            "annotators_per_task": self.annotators_per_task,
            "tasks": self.tasks,
            "tasks_by_annotations": {str(n): t for n, t in sorted(self.by_annotations.items())},
            "skipped": self.skipped,
            "done": self.done,
            "remaining": self.remaining,
            "annotators": [a.to_dict() for a in self.annotators],
        }


def project_status(client: Any, *, layer: str, project_id: int, title: str) -> LayerStatus:
    """The progress of one project, from the live server (see the module docstring)."""

    def counters() -> tuple[int, int]:
        project = get_project(client, project_id)
        return int(project.get("task_number") or 0), int(project.get("maximum_annotations") or 1)

    tasks, per_task = retrying(counters, doing=f"reading project {project_id}")
    status = LayerStatus(layer, project_id, title, per_task, tasks)
    per_user: dict[str, AnnotatorStatus] = {}
    exported = stream_export(
        client,
        project_id,
        lambda chunks: _count(chunks, status, per_user),
        download_all_tasks=False,
    )
    status.by_annotations[0] = max(tasks - exported, 0) + status.by_annotations.get(0, 0)
    names = annotator_names(client) if per_user else {}
    for user_id, who in sorted(
        per_user.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0
    ):
        who.name = names.get(user_id, f"user-{user_id}")
        status.annotators.append(who)
    return status


def _count(
    chunks: Iterator[bytes], status: LayerStatus, per_user: dict[str, AnnotatorStatus]
) -> int:
    """Count the streamed export into ``status`` and ``per_user`` (reset first: a download
    may be restarted); returns the number of tasks read."""
    status.by_annotations.clear()
    status.skipped = 0
    per_user.clear()
    n_tasks = 0
    for task in ijson.items(_Reader(chunks), "item", use_float=True):
        n_tasks += 1
        submitted = skipped = 0
        for ann in task.get("annotations") or []:
            who = _user_id(ann.get("completed_by"))
            mine = per_user.setdefault(who, AnnotatorStatus(who, who))
            when = ann.get("updated_at") or ann.get("created_at")
            if when and (mine.last_activity is None or str(when) > mine.last_activity):
                mine.last_activity = str(when)
            if ann.get("was_cancelled"):
                skipped += 1
                mine.skipped += 1
            else:
                submitted += 1
                mine.submitted += 1
        status.by_annotations[submitted] = status.by_annotations.get(submitted, 0) + 1
        status.skipped += skipped > 0
    return n_tasks


def _user_id(completed_by: Any) -> str:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    return str(completed_by) if completed_by not in (None, "") else "?"


class _Reader:
    """A file-like ``read`` over an iterator of byte chunks, for ijson."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out
