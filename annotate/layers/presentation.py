"""What a layer contributes to a release beyond its rows: its section of the dataset card,
its panel of the distribution plot, the card's metadata tags, and the training formats it
offers. :class:`LayerRelease` gives every layer a generic version of each (a count per
label); a layer's module overrides what is its own.

The release code loops over the layers and asks each; it names none of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import jinja2

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from annotate.model import Document
    from annotate.schemas import Taxonomy

__all__ = [
    "BAR_COLOUR",
    "LayerRelease",
    "ReleaseView",
    "bar_panel",
    "card_metadata",
    "sorted_counts",
]

BAR_COLOUR = "#4363d8"
# The order of the card's tags as 1.0.0 published them; tags no layer of today declares
# come after, sorted.
_TAG_ORDER = ("label-studio", "mqm", "claims", "named-entities", "machine-translation")

_GENERIC_SECTION = """### {{ title }} per {{ column_title }}

| {{ column_title }} | count |
|---|---:|
{% for label, n in label_counts -%}
| {{ label }} | {{ n }} |
{% endfor %}"""


class ReleaseView(Protocol):
    """What a layer reads of a release being built (``annotate.release`` passes its
    ``ReleaseData``)."""

    documents: dict[str, Document]

    def count(self, config: str, *columns: str) -> Counter[Any]: ...


def sorted_counts(counts: Counter[Any]) -> list[tuple[str, int]]:
    """Counts as (name, n), the largest first, ties by name."""
    return sorted(((str(k), n) for k, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))


def bar_panel(ax: Axes, title: str, counts: list[tuple[str, int]]) -> list[str]:
    """A horizontal bar chart of ``counts`` on ``ax``; returns the bar names (``[]`` and a
    "none" note when there is nothing to draw)."""
    from matplotlib.ticker import MaxNLocator

    ax.set_title(title, fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not counts:
        ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return []
    names = [n for n, _ in counts]
    ax.barh(range(len(names)), [v for _, v in counts], color=BAR_COLOUR)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    return names


class LayerRelease:
    """The release presentation every layer has; subclasses override the class variables
    or the methods."""

    name: ClassVar[str]

    @property
    def taxonomy(self) -> Taxonomy:  # Layer reads it from its schema set
        raise NotImplementedError

    #: the training formats (``annotate.release.formats`` names) this layer's rows offer
    formats: ClassVar[tuple[str, ...]] = ()
    #: the card's metadata: Hugging Face task categories, task ids and tags
    task_categories: ClassVar[tuple[str, ...]] = ()
    task_ids: ClassVar[tuple[str, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()
    #: the row column the generic card table and plot panel count
    count_column: ClassVar[str] = "label"
    #: the plot panel's title (default: "<taxonomy title> per <column>")
    plot_title: ClassVar[str | None] = None
    #: a Jinja2 snippet of the layer's card section, rendered with :meth:`card_context`
    card_template: ClassVar[str] = _GENERIC_SECTION
    #: what the release columns the layer derives (not in its schema) mean: the card's
    #: Data Fields table reads the schema's descriptions first, then these
    column_descriptions: ClassVar[Mapping[str, str]] = {}
    #: labels whose spans name people (the card's "personal information" counts them)
    person_labels: ClassVar[tuple[str, ...]] = ()

    def panel_title(self) -> str:
        return self.plot_title or f"{self.taxonomy.title} per {self.count_column.replace('_', ' ')}"

    def card_context(self, data: ReleaseView) -> dict[str, Any]:
        """The numbers of this layer's card section. A layer whose section used to be in
        the card template (1.0.0's ``dataset_card.md``) names its keys as that template
        did; they are given to the whole card too."""
        return {
            "title": self.taxonomy.title,
            "column_title": self.count_column.replace("_", " "),
            "label_counts": sorted_counts(data.count(self.name, self.count_column)),
        }

    def card_section(self, data: ReleaseView) -> str:
        """This layer's section of the dataset card (Markdown)."""
        env = jinja2.Environment(keep_trailing_newline=True, autoescape=False)
        text = env.from_string(self.card_template).render(**self.card_context(data))
        return text.rstrip("\n") + "\n"

    def plot_panel(self, ax: Axes, data: ReleaseView) -> str:
        """Draw this layer's panel of the distribution plot on ``ax``; returns its title."""
        title = self.panel_title()
        bar_panel(ax, title, sorted_counts(data.count(self.name, self.count_column)))
        return title


def card_metadata(layers: Iterable[LayerRelease]) -> dict[str, list[str]]:
    """The card's task categories, task ids and tags, from the layers (each once, in
    layer order; tags in the published order)."""
    layers = list(layers)

    def union(values: Sequence[Sequence[str]]) -> list[str]:
        return list(dict.fromkeys(v for group in values for v in group))

    tags = union([["label-studio"], *(layer.tags for layer in layers)])
    rank: Mapping[str, int] = {t: i for i, t in enumerate(_TAG_ORDER)}
    return {
        "task_categories": union([layer.task_categories for layer in layers]),
        "task_ids": union([layer.task_ids for layer in layers]),
        "tags": sorted(tags, key=lambda t: (rank.get(t, len(rank)), t)),
    }
