"""The card's figure: one panel per layer of a release (its label distribution), as a PNG.

Each layer draws its own panel (:meth:`annotate.layers.Layer.plot_panel`); this module
lays them out. Drawn with the Agg canvas directly (no pyplot state, no backend switch),
matplotlib's default style whatever the user's matplotlibrc says, a fixed size per panel
and DPI, and no ``Software`` metadata, so that the same rows give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from annotate.layers import Layer
from annotate.layers.presentation import ReleaseView

__all__ = ["PLOT", "write_plot"]

PLOT = "label_distribution.png"
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
