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


def _counts(rows: list[dict[str, Any]], key: str) -> list[tuple[str, int]]:
    c = Counter(str(r[key]) for r in rows if r.get(key) is not None)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


def write_plot(rows: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    """Bar charts of entities per label, claims per type and MQM errors per category
    stacked by severity."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.style.context("default"):
        fig = Figure(figsize=(12, 4), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 3)
        panels = [
            ("Entities per label", _counts(rows.get("entities", []), "label")),
            ("Claims per type", _counts(rows.get("claims", []), "claim_type")),
        ]
        for ax, (title, counts) in zip(axes[:2], panels, strict=True):
            ax.set_title(title, fontsize=10)
            if counts:
                names = [n for n, _ in counts]
                values = [v for _, v in counts]
                ax.barh(range(len(names)), values, color="#4363d8")
                ax.set_yticks(range(len(names)), names, fontsize=8)
                ax.invert_yaxis()
            else:
                ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
                ax.set_yticks([])
        ax = axes[2]
        ax.set_title("Translation errors per category and severity", fontsize=10)
        errors = rows.get("translation_errors", [])
        by_label = _counts(errors, "label")
        if by_label:
            labels = [n for n, _ in by_label]
            left = [0] * len(labels)
            for severity, colour in _SEVERITY_COLOURS.items():
                c = Counter(str(r["label"]) for r in errors if r.get("severity") == severity)
                stack = [c.get(n, 0) for n in labels]
                ax.barh(range(len(labels)), stack, left=left, color=colour, label=severity)
                left = [a + b for a, b in zip(left, stack, strict=True)]
            ax.set_yticks(range(len(labels)), labels, fontsize=8)
            ax.invert_yaxis()
            ax.legend(fontsize=8, loc="lower right")
        else:
            ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
            ax.set_yticks([])
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
    return path
