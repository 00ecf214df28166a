"""annotate push / status / pull."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import (
    _layers,
    _progress,
    _unit,
    app,
    err,
)
from annotate.cli._options import (
    AddressOpt,
    CacheDirOpt,
    CorpusArg,
    EngineOpt,
    JobsOpt,
    JsonOpt,
    LangOpt,
    NoCacheOpt,
    PrefixOpt,
    ProjectLayersOpt,
    predictor_list,
)
from annotate.cli._output import FormatOpt, output_format, print_json, print_table
from annotate.errors import ConfigError

__all__ = ["pull", "push", "status"]


@app.command()
def push(
    path: CorpusArg = None,
    layers: ProjectLayersOpt = None,
    unit: Annotated[
        str, typer.Option(help="Task unit: sentence, paragraph or document.")
    ] = "paragraph",
    predictors: Annotated[
        str | None,
        typer.Option(help="Comma-separated predictors, or 'none' (default: the project's)."),
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option(help="Project title prefix, one project per layer (default: the project's)."),
    ] = None,
    guidelines: Annotated[
        Path | None,
        typer.Option(help="Guidelines shown as project instructions (default: the project's)."),
    ] = None,
    lang: LangOpt = None,
    all_documents: Annotated[
        bool,
        typer.Option(
            "--all-documents",
            help="Offer every layer for every document (MQM too for original texts).",
        ),
    ] = False,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Push the valid articles even when some files or lines are bad "
            "(they are listed, and the exit code is 1)."
        ),
    ] = False,
    annotators_per_task: Annotated[
        int | None,
        typer.Option(help="How many different annotators get each task (maximum_annotations)."),
    ] = None,
    overlap: Annotated[
        int | None,
        typer.Option(help="Percent of the tasks that get --annotators-per-task (default 100)."),
    ] = None,
    show_predictions: Annotated[
        bool | None,
        typer.Option(
            "--show-predictions/--hide-predictions",
            help="Whether annotators start from the pre-annotations (default: unchanged).",
        ),
    ] = None,
    sampling: Annotated[
        str | None,
        typer.Option(help="Task order in the labeling stream: sequential or uniform (random)."),
    ] = None,
    tasks: Annotated[
        bool,
        typer.Option(
            "--tasks",
            help="PATH holds task files made by annotate tasks (a .json array, .jsonl, or an "
            "--out-dir folder of shards): import them as they are, predictions included.",
        ),
    ] = False,
) -> None:
    """Create/update one Label Studio project per layer and import the tasks (idempotent).

    Without PATH, the corpus of annotate.toml. translation_errors (MQM) is offered only
    for machine-translated documents unless --all-documents. The input is read twice,
    never whole: once to check every file and line, then in batches that are predicted
    and imported. Uses LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (environment or .env).

    Example: annotate push articles --layers entities,claims --annotators-per-task 2
    """
    from annotate.labelstudio.push_stream import push_corpus, push_tasks
    from annotate.labelstudio.team import TeamSettings
    from annotate.project import corpus_of, current_project

    team = TeamSettings(
        annotators_per_task=annotators_per_task,
        overlap=overlap,
        show_predictions=show_predictions,
        sampling=sampling,  # type: ignore[arg-type]  # TeamSettings checks it
    )
    project = current_project()
    names = _layers(layers or ",".join(project.layers))
    options = {
        "prefix": prefix or project.prefix,
        "guidelines": guidelines or project.guidelines,
        "team": team,
    }
    with _progress("push") as say:
        if tasks:
            if not path or len(path) != 1:
                raise ConfigError("push --tasks takes one PATH: a task file or a folder of them")
            pushed = push_tasks(
                path[0], layers=names, skip_invalid=skip_invalid, progress=say, **options
            )
        else:
            pushed = push_corpus(
                corpus_of(project, path),
                layers=names,
                unit=_unit(unit),
                predictors=predictor_list(predictors, default=project.predictors),
                lang=lang or project.language,
                skip_invalid=skip_invalid,
                all_documents=all_documents,
                engine=engine,
                workers=jobs,
                address=address,
                cache_dir=cache_dir,
                use_cache=not no_cache,
                progress=say,
                **options,
            )
    results = pushed.results
    rows = [
        [
            r.layer,
            r.project_title + (" (new)" if r.created_project else ""),
            r.project_id,
            r.tasks_created,
            r.tasks_skipped,
            ", ".join(r.settings_changed) or "-",
        ]
        for r in results
    ]
    columns = ["layer", "project", "id", "tasks created", "tasks already there", "settings set"]
    print_table(columns, rows, fmt=output_format(None))
    if pushed.problems:  # --skip-invalid: the good ones were pushed, the bad ones are listed
        for problem in pushed.problems:
            err.print(f"skipped: {problem}", highlight=False, markup=False)
        err.print(f"{len(pushed.problems)} bad files or lines were not pushed", highlight=False)
        raise typer.Exit(1)


@app.command()
def pull(
    layers: ProjectLayersOpt = None,
    labels_dir: Annotated[
        Path | None, typer.Option(help="Where raw exports are stored (default: the project's).")
    ] = None,
    prefix: PrefixOpt = None,
    pin: Annotated[
        bool, typer.Option(help="Pin the exports in <labels-dir>/<prefix>.pins.json for the build.")
    ] = True,
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help="Pull the review projects (annotate review): the adjudication, pinned beside.",
        ),
    ] = False,
) -> None:
    """Export every layer's project through the exports API and store the raw export.

    Pins only the layers pulled, in the pins of this prefix; an export without any
    annotation is stored but not pinned. With --review, the review projects that
    `annotate review` made: their annotations become the gold (origin adjudication).

    Example: annotate pull --layers all
    """
    from annotate.labelstudio.sync import pull as pull_
    from annotate.project import current_project

    project = current_project()
    with _progress("pull") as say:
        results = pull_(
            layers=_layers(layers or ",".join(project.layers)),
            skip_missing=layers is None or review,  # layers push (or review) made projects of
            labels_dir=labels_dir or project.labels or Path("data/labels"),
            prefix=prefix or project.prefix,
            pin=pin,
            review=review,
            progress=say,
        )
    rows = [
        [
            r.layer,
            r.project_id,
            r.tasks,
            r.annotations,
            r.path,
            "yes" if r.new_file else ("no (unchanged)" if r.unchanged else "no (same bytes)"),
            "yes" if r.pinned else "no",
        ]
        for r in results
    ]
    columns = ["layer", "project id", "tasks", "annotations", "export", "new", "pinned"]
    print_table(columns, rows, fmt=output_format(None))
    for r in results:
        if r.note:
            err.print(f"{r.layer}: {r.note}", highlight=False, markup=False)


@app.command()
def status(
    layers: ProjectLayersOpt = None,
    prefix: PrefixOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How far the annotators are, per layer, from the live server.

    Tasks in all, with 0, 1, 2... submitted annotations, skipped, done (as many annotations as
    the project asks for) and remaining; per annotator their submitted and skipped
    annotations and last activity.

    Example: annotate status --layers entities --json
    """
    from annotate.labelstudio.sync import status as status_
    from annotate.project import current_project

    shown = output_format(fmt, as_json=as_json)
    project = current_project()
    with _progress("status") as say:
        found = status_(
            layers=_layers(layers or ",".join(project.layers)),
            prefix=prefix or project.prefix,
            progress=say,
        )
    if shown == "json":
        print_json([s.to_dict() for s in found])
        return
    most = max((max(s.by_annotations, default=0) for s in found), default=0)
    most = max([most, *(s.annotators_per_task for s in found)])
    counts = [f"with {n}" for n in range(most + 1)]
    rows = [
        [
            s.layer,
            s.project_id,
            s.annotators_per_task,
            s.tasks,
            *(s.by_annotations.get(n, 0) for n in range(most + 1)),
            s.skipped,
            s.done,
            s.remaining,
        ]
        for s in found
    ]
    columns = ["layer", "project", "per task", "tasks", *counts, "skipped", "done", "remaining"]
    print_table(columns, rows, fmt=shown, title="tasks")
    people = [
        [s.layer, a.name, a.submitted, a.skipped, a.last_activity or "-"]
        for s in found
        for a in s.annotators
    ]
    columns = ["layer", "annotator", "submitted", "skipped", "last activity"]
    print_table(columns, people, fmt=shown, title="annotators")
