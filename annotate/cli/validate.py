"""annotate validate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from annotate.cli._app import _progress, app, err, out
from annotate.cli._options import AddressOpt, JsonOpt
from annotate.cli._output import (
    Format,
    FormatOpt,
    issue_line,
    output_format,
    print_table,
)
from annotate.errors import ConfigError

if TYPE_CHECKING:
    from annotate.model import Issue
    from annotate.validate import Report

_DEFAULT_ARTICLES = Path("data/articles")
_SHOWN = 200


__all__ = ["issue_line", "validate"]


@app.command()
def validate(
    exports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Raw Label Studio exports (JSON or JSON_MIN; default: those the project's "
            "pins name, which build and release read)."
        ),
    ] = None,
    articles: Annotated[
        Path | None,
        typer.Option(
            help="The corpus the tasks were made from (default: the project's; else data/articles, if present)."
        ),
    ] = None,
    layer: Annotated[
        str | None, typer.Option(help="Layer of the tasks not made by annotate.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the valid records (JSONL) here.")
    ] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="Write the rejected records (JSONL) here, with reasons.")
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write the JSON report here.")
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    strict: Annotated[
        bool, typer.Option(help="Fail the run (exit 1) on any problem, warnings included.")
    ] = False,
    whitespace: Annotated[
        str, typer.Option(help="White space at span edges: 'flag' (an error) or 'fix' (trim).")
    ] = "flag",
    include_predictions: Annotated[
        bool, typer.Option(help="Validate the tasks' predictions too (else counted as skipped).")
    ] = False,
    text_field: Annotated[
        str | None,
        typer.Option(help="The task data field a foreign export's regions index."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="The labeling config (XML) of the project a foreign export came from "
            "(default: <export>.config.xml beside it, as pull stores it)."
        ),
    ] = None,
    label_map: Annotated[
        Path | None,
        typer.Option(
            help="Map a foreign export's controls, labels, choices and relations onto the "
            "layer (YAML or JSON; a name mapped to null is dropped on purpose)."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            help="Validate this many files at once, one per process (default 1; with "
            "--engine dask: the workers of the cluster started for the run).",
            min=1,
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="Where the files are validated: local (processes on this machine) or dask "
            "(a Dask cluster: --address, else one started for the run)."
        ),
    ] = "local",
    address: AddressOpt = None,
) -> None:
    """Validate the annotations of raw Label Studio exports: every problem of every record,
    with its file, task, annotation, annotator and JSON path.

    Without EXPORTS, the exports the project's pins name (the last pull of each layer): a
    labels/*/*.json glob also reads every export pulled before, which pull keeps for the
    releases made from them.

    Reads current JSON exports, JSON_MIN and Label Studio 0.x ``completions`` as a stream.
    Valid records go to --output, rejected ones (whole, with their reasons) to --quarantine;
    cancelled annotations, drafts and tasks without annotation are counted as skipped.
    received = valid + quarantined + skipped.

    Through a pipe (--format text) every problem is one line, as compilers print them:
    FILE:$.json.path: code: message [task=T, annotation=A, annotator=N] (hint: H).

    Several files are validated at once with --jobs N (or --engine dask): the output,
    the report and the order of every line are those of one file after the other
    (a record already read in an earlier file is still a duplicate).

    Exit codes:

    \b
    0 the run completed and every input was read; valid records are published
      and any held-back (quarantined) record is reported;
    1 an input could not be read to its end (truncated, not JSON, missing), or,
      with --strict, any problem at all (quarantined record, warning, input);
    2 bad usage (unknown option or --layer, --whitespace not flag/fix).

    Example: annotate validate -o build/valid.jsonl --quarantine build/quarantine.jsonl --report build/report.json
    """
    from annotate.corpus import read_articles
    from annotate.project import current_project
    from annotate.sources.foreign import foreign_options
    from annotate.validate import Engine, run_validation

    shown = output_format(fmt, as_json=as_json)
    if whitespace not in ("flag", "fix"):
        raise ConfigError(f"--whitespace must be 'flag' or 'fix', not {whitespace!r}")
    project = current_project()
    exports = exports or _pinned_exports(project.pins)
    if articles is not None:
        corpus = [articles]
    elif project.corpus:
        corpus = [p for p in project.corpus if p.exists()]
    else:
        corpus = [_DEFAULT_ARTICLES] if _DEFAULT_ARTICLES.exists() else []
    docs = {d.id: d for d in read_articles(corpus, lang=project.language)} if corpus else {}
    foreign = foreign_options(text_field=text_field, config=config, label_map=label_map)

    def print_issue(issue: Issue) -> None:  # text: each problem as it is found
        out.print(issue_line(issue), markup=False, highlight=False)

    with _progress("validating") as say:
        report = run_validation(
            exports,
            docs,
            layer=layer,
            whitespace="fix" if whitespace == "fix" else "flag",
            include_predictions=include_predictions,
            output=output,
            quarantine=quarantine,
            report=report_file,
            progress=say,
            foreign=foreign,
            on_issue=print_issue if shown == "text" else None,
            examples=_SHOWN,
            engine=Engine(engine, jobs if jobs is not None or engine != "local" else 1, address),
        )
    if shown == "json":
        out.file.flush()
        report.write_json(sys.stdout)
    else:
        _print_report(report, quarantine, shown)
    counts = report.counts()
    if not counts["balanced"]:
        err.print("[bold red]error:[/] the counts do not balance; please report this bug")
        raise typer.Exit(1)
    if report.input_errors or (strict and not report.clean):
        raise typer.Exit(1)


def _print_problems(report: Report, fmt: Format) -> None:
    """The problems' table (text: they were printed as they were found), then by code."""
    total = report.issues_total
    if not total:
        return
    if fmt != "text":
        rows = []
        for i in (report.errors + report.warnings)[:_SHOWN]:
            code = i.code if i.severity == "error" else f"{i.code} (warning)"
            rows.append([i.location, code, i.message + (f" — {i.hint}" if i.hint else "")])
        print_table(["where", "code", "problem"], rows, fmt=fmt, title="Problems")
        if total > _SHOWN:
            out.print(f"… and {total - _SHOWN} more (use --format text or json for all)")
    counts = [[code, n] for code, n in report.issue_counts().items()]
    print_table(["code", "count"], counts, fmt=fmt, title="By code")


def _print_report(report: Report, quarantine: Path | None, fmt: Format) -> None:
    c = report.counts()
    _print_problems(report, fmt)
    skipped = ", ".join(f"{k}: {v}" for k, v in c["skipped"].items()) or "none"
    out.print(
        f"{c['received']} received: [green]{c['valid']} valid[/], "
        f"[red]{c['quarantined']} quarantined[/], {c['skipped_total']} skipped ({escape(skipped)}); "
        f"{c['warnings']} warning(s); counts balance: {'yes' if c['balanced'] else 'NO'}"
    )
    if c["quarantined"]:
        where = f"see {quarantine}" if quarantine else "pass --quarantine FILE to keep them"
        out.print(f"{c['quarantined']} record(s) held back ({escape(where)})")
    if report.input_errors:
        out.print(
            f"[red]{c['unreadable_inputs']} input(s) could not be read to the end[/]; "
            "the records before the fault were validated"
        )
    dropped = sum(report.labels.dropped.values())
    if report.label_map is not None:
        mapped = sum(report.labels.mapped.values())
        out.print(
            f"label map {escape(str(report.label_map['file']))}: {mapped} name(s) mapped, "
            f"{dropped} dropped on purpose"
        )
    unmapped = report.labels.unmapped_message()
    if unmapped:
        out.print(escape(unmapped), soft_wrap=True)


def _pinned_exports(pins: Path) -> list[Path]:
    """The exports ``pins`` names, for a validate given none."""
    from annotate.pins import label_exports

    if not pins.is_file():
        raise ConfigError(
            "no exports given, and the project has no pins file",
            file=pins,
            hint="pass the exports to validate, or run annotate pull first",
        )
    return label_exports(pins)
