"""annotate push / pull."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import (
    ALL,
    ArticlesArg,
    CacheDirOpt,
    JobsOpt,
    LayersOpt,
    NoCacheOpt,
    _layers,
    _predictions,
    _progress,
    _unit,
    app,
)
from annotate.cli._output import output_format, print_table

__all__ = ["pull", "push"]


@app.command()
def push(
    path: ArticlesArg,
    layers: LayersOpt = ALL,
    unit: Annotated[
        str, typer.Option(help="Task unit: sentence, paragraph or document.")
    ] = "paragraph",
    predictors: Annotated[
        str | None, typer.Option(help="Comma-separated predictors for pre-annotations.")
    ] = None,
    prefix: Annotated[
        str, typer.Option(help="Project title prefix (one project per layer).")
    ] = "annotate",
    guidelines: Annotated[
        Path, typer.Option(help="Guidelines shown as project instructions.")
    ] = Path("docs/guidelines.md"),
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Create/update one Label Studio project per layer and import the tasks (idempotent).

    Uses LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (environment or .env).

    Example: annotate push data/articles --layers entities,claims --predictors entities.rules
    """
    from annotate.corpus import read_articles
    from annotate.labelstudio.sync import push as push_

    names = _layers(layers)
    docs = list(read_articles(path))
    preds = _predictions(predictors, docs, jobs=jobs, cache_dir=cache_dir, no_cache=no_cache)
    with _progress("push") as say:
        results = push_(
            docs,
            layers=names,
            unit=_unit(unit),
            predictions=preds,
            prefix=prefix,
            guidelines=guidelines,
            progress=say,
        )
    rows = [
        [
            r.layer,
            r.project_title + (" (new)" if r.created_project else ""),
            r.project_id,
            r.tasks_created,
            r.tasks_skipped,
        ]
        for r in results
    ]
    columns = ["layer", "project", "id", "tasks created", "tasks already there"]
    print_table(columns, rows, fmt=output_format(None))


@app.command()
def pull(
    layers: LayersOpt = ALL,
    labels_dir: Annotated[Path, typer.Option(help="Where raw exports are stored.")] = Path(
        "data/labels"
    ),
    prefix: Annotated[str, typer.Option(help="Project title prefix used by push.")] = "annotate",
    pin: Annotated[
        bool, typer.Option(help="Pin the exports in <labels-dir>/pins.json for the build.")
    ] = True,
) -> None:
    """Export every layer's project through the exports API and store the raw export.

    Example: annotate pull --layers all
    """
    from annotate.labelstudio.sync import pull as pull_

    with _progress("pull") as say:
        results = pull_(
            layers=_layers(layers), labels_dir=labels_dir, prefix=prefix, pin=pin, progress=say
        )
    rows = [
        [
            r.layer,
            r.project_id,
            r.tasks,
            r.path,
            "yes" if r.new_file else ("no (unchanged)" if r.unchanged else "no (same bytes)"),
        ]
        for r in results
    ]
    print_table(["layer", "project id", "tasks", "export", "new"], rows, fmt=output_format(None))
