"""Push tasks to Label Studio and pull labels back — the two network steps of the flow.

``push`` creates or updates one project per layer (config generated from the schema,
instructions from the project's guidelines, or the toolkit's own) and imports the tasks
idempotently (a task whose key is already in the project is skipped); a layer is offered
only for the documents it applies to (MQM: machine-translated ones). ``pull`` exports each
project through the exports API, streams the raw bytes to
``<labels>/<project>/<sha256>.json`` (immutable) and pins them in the pins of its prefix
(:func:`annotate.pins.record_pull`); an export without a single annotation is not pinned,
and one whose content is the pinned one's (volatile fields aside) keeps the pin
(:func:`annotate.labelstudio.raw_exports.store_export`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import FileWriteError
from annotate.labelstudio import client as ls
from annotate.labelstudio.push_setup import PushResult, project_title, review_title
from annotate.labelstudio.raw_exports import store_export
from annotate.labelstudio.rest import open_api
from annotate.labelstudio.team import LayerStatus, TeamSettings, project_status
from annotate.model import Document, Unit
from annotate.names import check_prefix, path_under
from annotate.pins import read_pins, record_pull
from annotate.preannotate import Prediction
from annotate.sources.labeling_config import write_config_beside

__all__ = [  # PushResult and the titles are push_setup's, re-exported
    "PullResult",
    "PushResult",
    "project_title",
    "pull",
    "push",
    "review_title",
    "status",
]

Progress = Callable[[str], None]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def push(
    documents: Iterable[Document],
    *,
    layers: Iterable[str],
    unit: Unit = "paragraph",
    predictions: Iterable[Prediction] | None = None,
    prefix: str = "annotate",
    guidelines: Path | None = None,
    all_documents: bool = False,
    team: TeamSettings | None = None,
    url: str | None = None,
    api_key: str | None = None,
    progress: Progress | None = None,
) -> list[PushResult]:
    """Create/update one project per layer and import its tasks; safe to rerun: the
    streamed push that ``annotate push`` runs
    (:func:`annotate.labelstudio.push_stream.push_documents`), of documents already read
    (a list, or an iterator such as :func:`~annotate.corpus.read_articles`) with the
    predictions already made.

    ``team`` sets how many annotators get each task and whether they see the predictions
    (:class:`~annotate.labelstudio.team.TeamSettings`; unset fields are left as they are).
    ``guidelines`` (default: the toolkit's) become the projects' instructions. A layer gets
    the documents it applies to (:meth:`Layer.applies_to`), or every one with
    ``all_documents``; a layer that applies to none is left out (no project made)."""
    from annotate.labelstudio.push_stream import push_documents

    pushed = push_documents(
        documents,
        layers=list(layers),
        unit=unit,
        predictions=predictions or (),
        all_documents=all_documents,
        prefix=prefix,
        guidelines=guidelines,
        team=team,
        url=url,
        api_key=api_key,
        progress=progress,
    )
    return pushed.results


def status(
    *,
    layers: Iterable[str],
    prefix: str = "annotate",
    url: str | None = None,
    api_key: str | None = None,
    progress: Progress | None = None,
) -> list[LayerStatus]:
    """How far each layer's project (made by ``push`` with ``prefix``) is, from the live
    server; a layer without a project is left out."""
    say = progress or (lambda _m: None)
    check_prefix(prefix)
    client = open_api(url=url, api_key=api_key)
    out = []
    for layer in layers:
        title = project_title(prefix, layer)
        project_id = ls.find_project(client, title=title)
        if project_id is None:
            say(f"{layer}: no project {title!r}; left out")
            continue
        say(f"{layer}: counting project {project_id}")
        out.append(project_status(client, layer=layer, project_id=project_id, title=title))
    return out


@dataclass(slots=True)
class PullResult:
    layer: str
    project_id: int
    path: Path
    sha256: str
    new_file: bool
    tasks: int
    unchanged: bool = False  # the same content as the export pinned before
    received_sha256: str = ""  # of the bytes the server sent this time (stored or not)
    annotations: int = 0
    pinned: bool = False
    note: str | None = None  # why the export was not pinned


def _pinned_export(pins_path: Path, layer: str, project: str) -> Path | None:
    """The export of `project` pinned for `layer` so far, if any."""
    if not pins_path.exists():
        return None
    pins = [
        p
        for p in read_pins(pins_path, verify=False)
        if p.layer == layer and p.project in (project, "")
    ]
    return pins_path.parent / pins[0].path if len(pins) == 1 else None


def pull(
    *,
    layers: Iterable[str],
    labels_dir: Path = Path("data/labels"),
    prefix: str = "annotate",
    pins_path: Path | None = None,
    pin: bool = True,
    skip_missing: bool = False,
    review: bool = False,
    url: str | None = None,
    api_key: str | None = None,
    progress: Progress | None = None,
) -> list[PullResult]:
    """Export each layer's project, store the raw export immutably (content-addressed) and
    pin it in ``pins_path`` (default ``<labels_dir>/<prefix>.pins.json``) unless it holds
    no annotation: the pins of other layers and prefixes are left as they are.
    ``skip_missing`` leaves out the layers that have no project on the server (the
    project's default layers that push left out) instead of failing. ``review`` pulls
    the layers' review projects instead (``annotate review``), pinned beside the
    annotators' exports: their annotations are the adjudicated gold."""
    from annotate.project import slug

    say = progress or (lambda _m: None)
    check_prefix(prefix)
    pins_path = pins_path or labels_dir / f"{slug(prefix)}.pins.json"
    if labels_dir.exists() and not labels_dir.is_dir():  # before any work on the server
        raise FileWriteError(
            "--labels-dir is a file, not a folder",
            file=labels_dir,
            hint="pass a folder (it is created when missing)",
        )
    client = open_api(url=url, api_key=api_key)
    results = []
    for layer in layers:
        title = (review_title if review else project_title)(prefix, layer)
        project_id = ls.find_project(client, title=title)
        if project_id is None and skip_missing:
            # push leaves out a layer that applies to no document (MQM for original texts)
            say(f"{layer}: no project titled {title!r}; left out")
            continue
        if project_id is None:
            from annotate.errors import LabelStudioError

            raise LabelStudioError(
                f"no project titled {title!r} on the server",
                hint=f"run `annotate {'review' if review else 'push'}` first",
            )
        say(f"{layer}: exporting project {project_id}")
        stored = store_export(
            client,
            project_id,
            folder=path_under(labels_dir, _slug(title)),
            previous=_pinned_export(pins_path, layer, title) if pin else None,
        )
        # the config is part of what was pulled: it says which field the regions index
        write_config_beside(stored.path, ls.project_label_config(client, project_id))
        result = PullResult(
            layer,
            project_id,
            stored.path,
            stored.sha256,
            stored.new_file,
            stored.content.tasks,
            stored.unchanged,
            stored.received_sha256,
            stored.content.annotations,
        )
        if pin and not stored.content.annotations:
            result.note = "no annotation in the export yet: not pinned (earlier pins kept)"
        elif pin:
            record_pull(
                pins_path,
                prefix=prefix,
                layer=layer,
                export_path=stored.path,
                project=title,
                users=set(stored.content.annotators),
                role="review" if review else None,
            )
            result.pinned = True
        results.append(result)
    return results
