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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotate.corpus import read_articles
from annotate.errors import CorpusError, FileWriteError
from annotate.labelstudio import client as ls
from annotate.labelstudio.duplicates import remove_own_duplicates
from annotate.labelstudio.raw_exports import store_export
from annotate.labelstudio.rest import open_api
from annotate.labelstudio.tasks import KEY_FIELD, make_tasks
from annotate.labelstudio.team import LayerStatus, TeamSettings, apply_team_settings, project_status
from annotate.layers import get_layer
from annotate.model import Document, Unit
from annotate.names import check_prefix, path_under
from annotate.pins import read_pins, record_pull
from annotate.preannotate import Prediction
from annotate.sources.labeling_config import write_config_beside

__all__ = [
    "PullResult",
    "PushInput",
    "PushResult",
    "bad_input_error",
    "guidelines_html",
    "guidelines_text",
    "nothing_to_push_error",
    "project_title",
    "pull",
    "push",
    "read_push_input",
    "review_title",
    "status",
]

Progress = Callable[[str], None]


def project_title(prefix: str, layer: str) -> str:
    return f"{prefix} · {get_layer(layer).taxonomy.title}"


def review_title(prefix: str, layer: str) -> str:
    """The title of the layer's adjudication project (:mod:`annotate.labelstudio.review`)."""
    return f"{prefix} · {layer} · review"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def guidelines_text(guidelines: Path | None) -> str:
    """The guidelines' Markdown: the file given, else the toolkit's own; a file that is
    not there is an error (projects must not get empty instructions silently)."""
    if guidelines is None:
        from annotate.project import packaged_guidelines

        return packaged_guidelines()
    if not guidelines.is_file():
        from annotate.errors import ConfigError

        raise ConfigError(
            "guidelines not found",
            file=guidelines,
            hint="pass --guidelines FILE, or set [paths] guidelines in annotate.toml",
        )
    return guidelines.read_text(encoding="utf-8")


def guidelines_html(guidelines: Path | None, layer: str) -> str:
    """The layer's section of the guidelines (from its ``## <Layer>`` heading to the next
    ``## ``), rendered to HTML with tables, for the project's instructions."""
    from markdown_it import MarkdownIt

    text = guidelines_text(guidelines)
    wanted = layer.replace("_", " ").lower()
    sections = re.split(r"(?m)^(?=## )", text)
    chosen = [
        s for s in sections if s.startswith("## ") and s[3:].strip().lower().startswith(wanted)
    ]
    return MarkdownIt("commonmark").enable("table").render(chosen[0] if chosen else text)


@dataclass(slots=True)
class PushInput:
    """The documents to push, and the bad files and lines left out (with ``skip_invalid``)."""

    documents: list[Document]
    problems: list[CorpusError]


def read_push_input(
    path: Path | Sequence[Path], *, lang: str | None = None, skip_invalid: bool = False
) -> PushInput:
    """Read the articles at ``path``, every bad file and line at once: any of them stops the
    push before anything is sent (a CorpusError listing them all), unless
    ``skip_invalid``, which keeps the good ones and returns the bad ones."""
    problems: list[CorpusError] = []
    documents = list(read_articles(path, lang=lang, problems=problems))
    if problems and (not skip_invalid or not documents):
        raise bad_input_error(problems, path=path, any_good=bool(documents))
    return PushInput(documents, problems)


def bad_input_error(
    problems: Sequence[CorpusError], *, path: Path | Sequence[Path], any_good: bool
) -> CorpusError:
    """The error that stops a push over bad files or lines, listing every one of them."""
    listing = "\n".join(f"  {p}" for p in problems)
    return CorpusError(
        f"{len(problems)} bad {'file or line' if len(problems) == 1 else 'files or lines'}"
        f" in the articles; nothing was pushed:\n{listing}",
        file=path if isinstance(path, Path) else None,
        hint="fix them, or pass --skip-invalid to push the valid ones"
        if any_good
        else "no valid article is left to push",
    )


def nothing_to_push_error(
    layers: Sequence[str], *, path: Path | Sequence[Path], task_files: bool = False
) -> CorpusError:
    """The error that stops a push that has no task for any of its layers (an empty table
    with exit 0 looked like a push done)."""
    names = ", ".join(layers)
    if task_files:
        what = f"the task files hold no task of the layers {names}"
        hint = "pass --layers with the layers the tasks were made for (their data.layer)"
    else:
        what = f"no document of the articles gets a task of the layers {names}"
        hint = (
            "translation_errors (MQM) is only for machine-translated articles (metadata "
            "machine_translated or source_lang): mark them so, pass --all-documents to push "
            "it for every article, or choose other --layers"
        )
    file = path if isinstance(path, Path) else None
    return CorpusError(f"{what}; nothing was pushed", file=file, hint=hint)


@dataclass(slots=True)
class PushResult:
    layer: str
    project_id: int
    project_title: str
    created_project: bool
    tasks_created: int
    tasks_skipped: int
    duplicates_removed: int = 0  # this push's copies of tasks a concurrent push made first
    documents: int = 0  # the documents the layer applies to (MQM: machine-translated)
    settings_changed: list[str] = field(default_factory=list)  # project fields team set


def push(
    documents: list[Document],
    *,
    layers: Iterable[str],
    unit: Unit = "paragraph",
    predictions: list[Prediction] | None = None,
    prefix: str = "annotate",
    guidelines: Path | None = None,
    all_documents: bool = False,
    team: TeamSettings | None = None,
    url: str | None = None,
    api_key: str | None = None,
    progress: Progress | None = None,
) -> list[PushResult]:
    """Create/update one project per layer and import its tasks; safe to rerun.

    ``team`` sets how many annotators get each task and whether they see the predictions
    (:class:`~annotate.labelstudio.team.TeamSettings`; unset fields are left as they are).
    ``guidelines`` (default: the toolkit's) become the projects' instructions. A layer gets
    the documents it applies to (:meth:`Layer.applies_to`), or every one with
    ``all_documents``; a layer that applies to none is left out (no project made)."""
    say = progress or (lambda _m: None)
    check_prefix(prefix)
    guidelines_text(guidelines)  # a missing file fails before anything is created
    client = open_api(url=url, api_key=api_key)
    results = []
    for layer in layers:
        lay = get_layer(layer)
        docs = documents if all_documents else [d for d in documents if lay.applies_to(d)]
        if not docs:
            say(f"{layer}: no document it applies to; left out")
            continue
        title = project_title(prefix, layer)
        say(f"{layer}: project {title!r}")
        project_id, created = ls.ensure_project(
            client,
            title=title,
            label_config=lay.label_config(
                source=lay.shows_source and any(d.source_text for d in documents)
            ),
            description=f"annotate layer {layer} ({unit} tasks)",
            instructions=guidelines_html(guidelines, layer),
        )
        changed = apply_team_settings(client, project_id, team) if team else []
        tasks = make_tasks(docs, layer, unit=unit, predictions=predictions or [])
        say(f"{layer}: importing {len(tasks)} tasks")
        res = ls.import_tasks(client, project_id, tasks, key_field=KEY_FIELD)
        dedup = remove_own_duplicates(client, project_id, res, key_field=KEY_FIELD)
        created_tasks = res.created - dedup.removed
        results.append(
            PushResult(
                layer,
                project_id,
                title,
                created,
                created_tasks,
                res.skipped + dedup.removed,
                duplicates_removed=dedup.removed,
                documents=len(docs),
                settings_changed=changed,
            )
        )
    return results


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
