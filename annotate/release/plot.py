"""The card's figures, as PNGs: one panel per layer of a release (its label distribution),
and the agreement between raters.

Each layer draws its own panel (:meth:`annotate.layers.Layer.plot_panel`); this module
lays them out. Drawn with the Agg canvas directly (no pyplot state, no backend switch),
matplotlib's default style whatever the user's matplotlibrc says, a fixed size per panel
and DPI, and no ``Software`` metadata, so that the same rows give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotate.layers import Layer
from annotate.layers.presentation import BAR_COLOUR, ReleaseView

__all__ = ["AGREEMENT_PLOT", "PLOT", "agreement_panels", "write_agreement_plot", "write_plot"]

PLOT = "label_distribution.png"
AGREEMENT_PLOT = "agreement.png"  # Hub cards only (releases with card settings)
_PANEL_WIDTH = 13 / 3  # inches: three panels made the 13-inch figure of 1.0.0


def write_plot(layers: Sequence[Layer], data: ReleaseView, *, path: Path) -> list[str]:
    """Draw a panel per layer, side by side, into ``path``; returns the panels' titles."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    titles = []
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(_PANEL_WIDTH * max(len(layers), 1), 4), dpi=100)
        FigureCanvasAgg(fig)
        # fixed margins (not tight_layout): room for the longest label names, and fast
        fig.subplots_adjust(left=0.07, right=0.99, bottom=0.08, top=0.92, wspace=0.55)
        axes = fig.subplots(1, len(layers), squeeze=False)[0] if layers else []
        for ax, layer in zip(axes, layers, strict=True):
            titles.append(layer.plot_panel(ax, data))
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
    return titles


def write_agreement_plot(
    agreement: dict[str, list[dict[str, Any]]], *, path: Path, plot_format: int = 1
) -> bool:
    """Draw the agreement between raters into ``path``: span F1 per layer, matching rule
    and pair of raters; then, in ``plot_format`` 1 (release 2.1.0), the observed agreement
    on the per-region choices and Krippendorff's alpha of the segment judgements; in 2 (card
    v3), as the card's tables: Cohen's kappa of every choice and judgement per pair of
    raters, and Krippendorff's alpha per pair and over all raters (a panel for each that
    has rows; undefined values left out). Returns whether there was anything to draw (a
    release annotated once per task has no agreement: no file)."""
    panels = agreement_panels(agreement, plot_format=plot_format)
    if not panels:
        return False
    _draw(panels, path)
    return True


def agreement_panels(
    agreement: dict[str, list[dict[str, Any]]], *, plot_format: int = 1
) -> list[tuple[str, list[tuple[str, float]]]]:
    """The panels :func:`write_agreement_plot` draws: (title, [(bar name, value)])."""
    span_panel = (
        "Spans: F1",
        agreement.get("spans", []),
        ("layer", "matching", "annotators"),
        "f1",
    )
    if plot_format == 1:
        wanted = [
            span_panel,
            (
                "Per-region choices: agreement",
                agreement.get("attributes", []),
                ("layer", "attribute", "annotators"),
                "agreement",
            ),
            (
                "Segment judgements: alpha",
                agreement.get("judgements", []),
                ("layer", "annotators"),
                "alpha",
            ),
        ]
    else:
        choices = agreement.get("choices", [])
        keys = ("layer", "choice", "annotators")
        wanted = [
            span_panel,
            ("Per-region choices and judgements: Cohen's κ", choices, keys, "kappa"),
            ("Per-region choices and judgements: Krippendorff's α", choices, keys, "alpha"),
        ]
    return [
        (title, [(" · ".join(str(r[k]) for k in keys), float(r[value])) for r in rows])
        for title, all_rows, keys, value in wanted
        if (rows := [r for r in all_rows if r.get(value) is not None])
    ]


def _draw(panels: list[tuple[str, list[tuple[str, float]]]], path: Path) -> None:
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # one panel under the other, each as tall as its bars, the bars' names at the left
    heights = [0.8 + 0.3 * len(values) for _, values in panels]
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(9, sum(heights)), dpi=100)
        FigureCanvasAgg(fig)
        total = sum(heights)
        fig.subplots_adjust(left=0.42, right=0.95, bottom=0.5 / total, top=1 - 0.3 / total)
        grid = fig.add_gridspec(len(panels), 1, height_ratios=heights, hspace=0.8)
        for row, (title, values) in enumerate(panels):
            ax = fig.add_subplot(grid[row, 0])
            ax.set_title(title, fontsize=10)
            bars = ax.barh(range(len(values)), [v for _, v in values], height=0.7, color=BAR_COLOUR)
            ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=2)
            ax.set_yticks(range(len(values)), [n for n, _ in values], fontsize=8)
            ax.set_xlim(min(0.0, *(v for _, v in values)), 1.1)
            ax.set_ylim(len(values) - 0.5, -0.5)  # the first at the top, bars of one height
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
