"""The agreement heatmap: per layer, the pairwise span F1 of every pair of raters (rows)
for every label (columns), as a PNG (``annotate agreement --heatmap FILE``).

Drawn with the Agg canvas directly (no pyplot state, no backend switch), in matplotlib's
default style whatever the user's matplotlibrc says. A label neither rater of a pair used
is left blank (F1 is undefined there), not drawn as 0.
"""

from __future__ import annotations

import math
from pathlib import Path

from annotate.agreement.report import AgreementReport, PairAgreement
from annotate.errors import ConfigError
from annotate.metrics import Scheme

__all__ = ["write_heatmap"]


def _grid(
    pairs: list[PairAgreement], scheme: Scheme
) -> tuple[list[str], list[str], list[list[float]]]:
    """Row names (pairs), column names (labels either rater used) and F1 values (NaN
    where neither used the label) of one layer's pairs."""
    labels = sorted({label for p in pairs for label in p.spans.spans[scheme].per_label})
    values = [
        [math.nan if (f := p.f1(scheme, label)) is None else f for label in labels] for p in pairs
    ]
    return [p.pair for p in pairs], labels, values


def write_heatmap(report: AgreementReport, path: Path, *, scheme: Scheme = "overlap") -> Path:
    """Draw one panel per layer with span pairs into ``path`` (PNG); returns ``path``.
    Raises :class:`ConfigError` when no layer has two raters."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    layers = [
        (layer, [p for p in report.pairs if p.layer == layer])
        for layer in report.raters
        if any(p.layer == layer and p.spans.spans[scheme].per_label for p in report.pairs)
    ]
    if not layers:
        raise ConfigError(
            "no layer has two raters with spans: there is no pairwise F1 to draw",
            file=str(path),
            hint="agreement needs tasks annotated by two annotators (push --annotators-per-task 2)",
        )
    with matplotlib.style.context("default"):
        grids = [(layer, *_grid(pairs, scheme)) for layer, pairs in layers]
        width = sum(max(3.0, 0.55 * len(g[2]) + 2.5) for g in grids)
        height = max(3.0, 0.45 * max(len(g[1]) for g in grids) + 2.5)
        fig = Figure(figsize=(width, height), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(grids), squeeze=False)[0]
        image = None
        for ax, (layer, rows, labels, values) in zip(axes, grids, strict=True):
            image = ax.imshow(values, vmin=0.0, vmax=1.0, cmap="viridis", aspect="auto")
            ax.set_title(f"{layer}: span F1 ({scheme})", fontsize=9)
            ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
            ax.set_yticks(range(len(rows)), rows, fontsize=7)
            for y, row in enumerate(values):
                for x, value in enumerate(row):
                    if not math.isnan(value):
                        colour = "black" if value > 0.6 else "white"
                        ax.text(
                            x, y, f"{value:.2f}", ha="center", va="center", fontsize=6, color=colour
                        )
        if image is not None:
            fig.colorbar(image, ax=list(axes), shrink=0.8, label="F1")
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return path
