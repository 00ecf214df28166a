"""Submit annotation records to Label Studio as a given annotator (the demo and the
reference exports stand in for annotators this way). Safe to rerun: a task that already
has an annotation by that user is skipped."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls
from annotate.labelstudio.exports import export_project
from annotate.labelstudio.sync import project_title
from annotate.labelstudio.tasks import KEY_FIELD
from annotate.layers import get_layer
from annotate.model import Annotation

__all__ = ["SubmitResult", "submit_records"]


@dataclass(slots=True)
class SubmitResult:
    layer: str
    annotator: str
    user_id: int
    submitted: int
    skipped: int


def submit_records(
    records: Iterable[Annotation],
    *,
    layer: str,
    annotator_email: str,
    segment_texts: dict[str, str],
    ground_truth: bool = False,
    prefix: str = "annotate",
    project: str | None = None,
    only_present: bool = False,
    url: str | None = None,
    api_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> SubmitResult:
    """Submit each record (one per task) as ``annotator_email``'s annotation of its task.

    ``segment_texts`` maps task keys to the task text (the segment the offsets are in).
    ``project`` is the title of the project to submit to (default: the layer's project of
    ``prefix``); ``only_present`` skips records whose task is not in it (a review project
    holds the disputed tasks only) instead of failing."""
    say = progress or (lambda _m: None)
    client = ls.connect(url=url, api_key=api_key)
    title = project or project_title(prefix, layer)
    project_id = ls.find_project(client, title=title)
    if project_id is None and only_present:  # no such review project: nothing disputed
        return SubmitResult(layer, annotator_email, 0, 0, 0)
    if project_id is None:
        raise LabelStudioError(f"no project titled {title!r}", hint="run `annotate push` first")
    user_id = ls.ensure_user(client, email=annotator_email)
    task_ids = ls.existing_task_keys(client, project_id, key_field=KEY_FIELD)
    done = {
        t["id"]
        for t in json.loads(export_project(client, project_id))
        for a in t.get("annotations") or []
        if a.get("completed_by") == user_id and not a.get("was_cancelled")
    }
    lay = get_layer(layer)
    submitted = skipped = 0
    for rec in records:
        task_id = task_ids.get(rec.task_key)
        if task_id is None and only_present:
            continue
        if task_id is None:
            raise LabelStudioError(
                f"task {rec.task_key!r} is not in project {title!r}",
                hint="push the corpus the records were made on",
            )
        if task_id in done:
            skipped += 1
            continue
        result = lay.to_ls_result(
            rec.spans,
            rec.relations,
            judgement=rec.judgement,
            segment_start=rec.segment_start,
            segment_text=segment_texts[rec.task_key],
        )
        ls.submit_annotation(
            client, task_id=task_id, result=result, completed_by=user_id, ground_truth=ground_truth
        )
        submitted += 1
        say(f"{layer}: {submitted} annotations by {annotator_email}")
    return SubmitResult(layer, annotator_email, user_id, submitted, skipped)
