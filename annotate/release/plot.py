"""The card's figure: label and severity distributions of a release, as a PNG.

Drawn with the Agg canvas directly (no pyplot state, no backend switch), matplotlib's
default style whatever the user's matplotlibrc says, a fixed size and DPI, and no
``Software`` metadata, so that the same rows give the same bytes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["PLOT", "write_plot"]

PLOT = "label_distribution.png"
_SEVERITY_COLOURS = {"minor": "#f5c242", "major": "#f58231", "critical": "#c0392b"}


def _sorted(counts: Counter[Any]) -> list[tuple[str, int]]:
    return sorted(((str(k), n) for k, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))


def write_plot(
    *,
    entities: Counter[Any],
    claims: Counter[Any],
    errors: Counter[Any],
    path: Path,
) -> Path:
    """Bar charts of entities per label, claims per type and MQM errors per category
    stacked by severity (``errors`` counts (label, severity) pairs)."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.style.context("default"):
        fig = Figure(figsize=(13, 4), dpi=100)
        FigureCanvasAgg(fig)
        # fixed margins (not tight_layout): room for the longest label names, and fast
        fig.subplots_adjust(left=0.07, right=0.99, bottom=0.08, top=0.92, wspace=0.55)
        axes = fig.subplots(1, 3)
        by_label: Counter[str] = Counter()
        for (label, _), n in errors.items():
            by_label[str(label)] += n
        panels = [
            ("Entities per label", _sorted(entities)),
            ("Claims per type", _sorted(claims)),
            ("Translation errors per category and severity", _sorted(by_label)),
        ]
        for i, (ax, (title, counts)) in enumerate(zip(axes, panels, strict=True)):
            ax.set_title(title, fontsize=10)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if not counts:
                ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
                ax.set_yticks([])
                continue
            names = [n for n, _ in counts]
            if i < 2:
                ax.barh(range(len(names)), [v for _, v in counts], color="#4363d8")
            else:
                left = [0] * len(names)
                for severity, colour in _SEVERITY_COLOURS.items():
                    stack = [errors.get((n, severity), 0) for n in names]
                    ax.barh(range(len(names)), stack, left=left, color=colour, label=severity)
                    left = [a + b for a, b in zip(left, stack, strict=True)]
                ax.legend(fontsize=8, loc="lower right")
            ax.set_yticks(range(len(names)), names, fontsize=8)
            ax.invert_yaxis()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
    return path
