"""annotate agreement."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotate.cli._app import _layers, _progress, app, out
from annotate.cli._options import CorpusOpt, ExportOpt, JsonOpt, LayersOpt, PinsOpt
from annotate.cli._output import Format, FormatOpt, output_format, print_json, print_table
from annotate.cli._release_options import _corpus, _gold

if TYPE_CHECKING:
    from annotate.agreement import AgreementReport

__all__ = ["agreement"]


@app.command()
def agreement(
    articles: CorpusOpt = None,
    pins: PinsOpt = None,
    export: ExportOpt = None,
    layers: LayersOpt = "all",
    heatmap: Annotated[
        Path | None, typer.Option(help="Also draw the pairwise span F1 per label into this PNG.")
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Inter-annotator agreement of the pulled exports, and every disagreement, before a release.

    Per layer and pair of annotators: span F1 per label (exact, overlap), Cohen's kappa of
    the per-region choices and segment judgements, Krippendorff's alpha over all raters,
    the label confusion on matched spans, and each disputed region with every rater's
    version (what `annotate review` puts before the adjudicator). Reads the same inputs as
    `annotate build`.

    Example: annotate agreement --heatmap build/agreement.png
    """
    from annotate.agreement import agreement_report, write_heatmap

    shown = output_format(fmt, as_json=as_json)
    wanted = _layers(layers)
    with _progress("agreement") as say:
        gold = _gold(_corpus(articles), pins, export, say)
        say("computing the agreement")
        # raters by the pseudonyms the release, the review project and the viewer show
        report = agreement_report(gold.records, layers=wanted, pseudonyms=True)
        if heatmap is not None:
            write_heatmap(report, heatmap)
    if shown == "json":
        print_json(report.to_dict())
    else:
        _tables(report, shown)
    if heatmap is not None and shown != "json":
        out.print(f"heatmap: {heatmap}", markup=False, highlight=False)


def _tables(report: AgreementReport, fmt: Format) -> None:
    if not report.pairs:
        raters = ", ".join(f"{k}: {len(v)}" for k, v in report.raters.items()) or "none"
        out.print(f"no task has two raters (raters per layer: {raters})", markup=False)
        return
    spans = [
        [
            r["layer"],
            r["annotators"],
            r["matching"],
            r["label"],
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['f1']:.3f}",
            r["tp"],
            r["fp"],
            r["fn"],
        ]
        for r in report.span_rows()
    ]
    cols = ["layer", "annotators", "match", "label", "P", "R", "F1", "tp", "fp", "fn"]
    print_table(cols, spans, fmt=fmt, title="span agreement (F1 is symmetric)")
    choices = [
        [c.layer, c.choice, c.annotators, c.items, _num(c.observed), _num(c.kappa), _num(c.alpha)]
        for c in report.choices()
    ]
    if choices:
        cols = ["layer", "choice", "annotators", "items", "observed", "kappa", "alpha"]
        print_table(cols, choices, fmt=fmt, title="choices and judgements (chance-corrected)")
    confusion = [
        [r["layer"], r["annotators"], r["label_a"], r["label_b"], r["spans"]]
        for r in report.confusion_rows()
    ]
    if confusion:
        cols = ["layer", "annotators", "label (first)", "label (second)", "spans"]
        print_table(cols, confusion, fmt=fmt, title="label confusion on overlapping spans")
    disputes = [
        [d.layer, d.task_key, d.task_id, f"{d.start}-{d.end}", d.kind, d.said(" | ")]
        for d in report.disagreements
    ]
    title = f"{len(disputes)} disagreement(s): adjudicate them with `annotate review`"
    cols = ["layer", "task", "task id", "region", "kind", "versions"]
    print_table(cols, disputes, fmt=fmt, title=title)
    if report.notes:
        rows = [
            [
                d.layer,
                d.task_key,
                d.task_id,
                f"{d.start}-{d.end}",
                ", ".join(d.attributes),
                d.said(" | "),
            ]
            for d in report.notes
        ]
        title = f"{len(rows)} note(s): the same span, its free text worded differently (no dispute)"
        cols = ["layer", "task", "task id", "region", "fields", "versions"]
        print_table(cols, rows, fmt=fmt, title=title)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
