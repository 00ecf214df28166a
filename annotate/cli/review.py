"""annotate review."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import _layers, _progress, app, out
from annotate.cli._options import JsonOpt, PrefixOpt, ProjectLayersOpt
from annotate.cli._output import FormatOpt, output_format, print_json, print_table

__all__ = ["review"]


@app.command()
def review(
    articles: Annotated[
        list[Path] | None,
        typer.Option("--articles", help="The corpus (default: the project's; repeat for several)."),
    ] = None,
    pins: Annotated[
        Path | None,
        typer.Option(help="The pulled annotators' exports (default: the project's pins)."),
    ] = None,
    layers: ProjectLayersOpt = None,
    prefix: PrefixOpt = None,
    all_tasks: Annotated[
        bool,
        typer.Option("--all", help="Review every task two raters made, not only disputed ones."),
    ] = False,
    list_only: Annotated[
        bool,
        typer.Option(
            "--list", help="Print the disagreements, for a person to adjudicate; no server needed."
        ),
    ] = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a review project per layer in Label Studio for adjudication (idempotent).

    It holds the tasks whose raters disagree (or all, --all), each rater's version as a
    prediction named by their pseudonym (compare them with "Compare all" and start from
    one), the disagreements shown above the text. Then `annotate pull --review` makes
    the adjudicator's annotations the gold, with per-span provenance in the release.

    Example: annotate review --layers entities,claims --list
    """
    from annotate.labelstudio.review import disagreements
    from annotate.labelstudio.review import review as review_
    from annotate.pipeline import gold_set
    from annotate.project import corpus_of, current_project

    shown = output_format(fmt, as_json=as_json)
    project = current_project()
    names = _layers(layers or ",".join(project.layers))
    with _progress("review") as say:
        gold = gold_set(
            articles=corpus_of(project, articles),
            lang=project.language,
            pins=pins or project.pins,
            progress=say,
        )
        if list_only:
            found = disagreements(gold, layers=names, all_tasks=all_tasks)
        else:
            results = review_(
                gold,
                prefix=prefix or project.prefix,
                layers=names,
                all_tasks=all_tasks,
                progress=say,
            )
    if list_only:
        if shown == "json":
            print_json([d.to_dict() for d in found])
            return
        for d in found:
            out.print(f"{d.layer} {d.task_key} ({d.where}):", markup=False, highlight=False)
            for line in d.lines or ["(no disagreement)"]:
                out.print(f"  {line}", markup=False, highlight=False)
        out.print(f"{len(found)} tasks to adjudicate", markup=False, highlight=False)
        return
    if shown == "json":
        print_json([asdict(r) for r in results])
        return
    columns = ["layer", "project", "id", "disputed tasks", "tasks created", "tasks already there"]
    rows = [
        [
            r.layer,
            r.project_title + (" (new)" if r.created_project else ""),
            r.project_id,
            r.disputed,
            r.tasks_created,
            r.tasks_skipped,
        ]
        for r in results
    ]
    print_table(columns, rows, fmt=shown)
    if not results:
        out.print("no disputed task: nothing to review", markup=False, highlight=False)
