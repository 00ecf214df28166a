"""annotate evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._app import _layers, _progress, app
from annotate.cli._options import ArticlesOpt, JsonOpt, LayersOpt, predictor_list
from annotate.cli._output import Format, FormatOpt, output_format, print_json, print_table
from annotate.evaluate import EvalResult

__all__ = ["evaluate"]


@app.command()
def evaluate(
    articles: ArticlesOpt = Path("data/articles"),
    pins: Annotated[
        Path | None,
        typer.Option(help="Gold: pinned exports (default data/labels/pins.json unless --gold)."),
    ] = None,
    gold: Annotated[list[Path] | None, typer.Option(help="Gold: raw Label Studio exports.")] = None,
    predictors: Annotated[
        str | None, typer.Option(help="Comma-separated predictors to score, e.g. entities.rules.")
    ] = None,
    predicted: Annotated[
        list[Path] | None, typer.Option(help="Exports whose annotations are scored.")
    ] = None,
    annotator: Annotated[
        str | None, typer.Option(help="Score one annotator of the gold exports.")
    ] = None,
    layers: LayersOpt = "all",
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Precision, recall and F1 per label, exact and overlap matching, against the gold.

    Example: annotate evaluate --predictors entities.rules,entities.spacy,claims.cues,translation_errors.checks
    """
    from annotate.evaluate import evaluate_against_gold
    from annotate.pipeline import gold_set

    shown = output_format(fmt, as_json=as_json)
    if pins is None and not gold:
        pins = Path("data/labels/pins.json")
    with _progress("evaluate") as say:
        say("predicting and scoring")
        results = evaluate_against_gold(
            gold_set(articles=articles, pins=pins, exports=gold or [], progress=say),
            predictors=predictor_list(predictors),
            predicted_exports=predicted or [],
            annotator=annotator,
            layers=_layers(layers),
        )
    if shown == "json":
        print_json({what: {k: v.to_dict() for k, v in by.items()} for what, by in results.items()})
        return
    for what, by_layer in results.items():
        for layer, res in by_layer.items():
            _table(what, layer, res, shown)


def _table(what: str, layer: str, res: EvalResult, fmt: Format) -> None:
    title = f"{what} — {layer}: {res.gold_spans} gold, {res.predicted_spans} predicted spans"
    rows = [
        [
            row["label"],
            row["match"],
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            row["tp"],
            row["fp"],
            row["fn"],
        ]
        for row in res.rows()
    ]
    print_table(["label", "match", "P", "R", "F1", "tp", "fp", "fn"], rows, fmt=fmt, title=title)
