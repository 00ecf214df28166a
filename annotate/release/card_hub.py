"""The Hub card's metadata and sections beyond the numbers every card has
(:func:`annotate.release.card.card_context`): the YAML the Hub reads (who made the texts
and the annotations, multilinguality, ``dataset_info``, the license's name and link), and
for the body the Data Fields tables and example rows, the labels, who annotated, the
considerations (personal information, biases, limits) and the citation — each computed
from the release's rows, schemas and the :class:`~annotate.release.card_settings.CardSettings`.

Used only for releases whose manifest records card settings (``card``): older releases
keep the card they were built with.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import datasets
import pyarrow as pa
import pyarrow.compute as pc

from annotate.release.card_fields import cell, config_fields, dataset_info, example_row
from annotate.release.card_settings import CardSettings, bibtex

if TYPE_CHECKING:
    from annotate.release.data import ReleaseData

__all__ = ["hub_context", "hub_metadata"]


def _languages(data: ReleaseData) -> tuple[list[str], list[str]]:
    """The languages of the texts (with those of the source texts the release holds) and
    the Hub's multilinguality of them."""
    docs = list(data.documents.values())
    langs = {d.lang for d in docs}
    sources = {d.source_lang for d in docs if d.source_text and d.source_lang}
    multi = ["monolingual" if len(langs) == 1 else "multilingual"]
    if sources - langs:
        multi.append("translation")
    return sorted(langs | sources), multi


def hub_metadata(data: ReleaseData, settings: CardSettings, *, root: Path) -> dict[str, Any]:
    """The YAML keys the Hub card adds to those of every card (language, license,
    configs, tasks, tags, size)."""
    languages, multilinguality = _languages(data)
    machine = [d.machine_translated for d in data.documents.values()]
    meta: dict[str, Any] = {
        "language": languages,
        "annotations_creators": list(settings.annotations_creators),
        "language_creators": settings.creators_of_language(machine),
        "multilinguality": multilinguality,
        "source_datasets": list(settings.source_datasets),
        "dataset_info": dataset_info(data, root),
    }
    if settings.license_name:
        meta["license_name"] = settings.license_name
    if settings.license_link:
        meta["license_link"] = settings.license_link
    return meta


def _config_sections(data: ReleaseData) -> list[dict[str, Any]]:
    out = []
    for config in data.configs:
        layer = next((x for x in data.layers() if x.name == config), None)
        out.append(
            {
                "name": config,
                "rows": data.table(config).num_rows,
                "title": layer.taxonomy.title if layer else None,
                "fields": config_fields(config, data.features(config), data.schemas),
                "example": example_row(data, config),
                "labels": [
                    {"name": name, "meaning": cell((spec or {}).get("description", ""))}
                    for name, spec in layer.taxonomy.labels.items()
                ]
                if layer
                else [],
            }
        )
    return out


def _annotators(data: ReleaseData) -> list[dict[str, Any]]:
    """Per layer: how many raters, how many tasks (segments) and how many of them more
    than one rater annotated, and how their gold was chosen."""
    out = []
    raters = Counter(layer for layer, _ in data.count("annotations", "layer", "annotator"))
    segments = data.count("segments", "layer", "candidates", "rule")
    for layer in data.layers():
        mine = [(candidates, rule, n) for (name, candidates, rule), n in segments.items()
                if name == layer.name]  # fmt: skip
        rules: Counter[str] = Counter()
        for _, rule, n in mine:
            rules[rule] += n
        out.append(
            {
                "layer": layer.name,
                "raters": raters[layer.name],
                "tasks": sum(n for _, _, n in mine),
                "several": sum(n for candidates, _, n in mine if (candidates or 0) > 1),
                "rules": dict(sorted(rules.items())),
            }
        )
    return out


def _people(data: ReleaseData) -> list[dict[str, Any]]:
    """Per layer that marks people: how many mentions and distinct names."""
    out = []
    for layer in data.layers():
        if not layer.person_labels:
            continue
        mentions, names = 0, 0
        if {"label", "span_text"} <= set(data.features(layer.name)):
            mentions, names = _person_mentions(data, layer)
        out.append(
            {
                "layer": layer.name,
                "labels": ", ".join(layer.person_labels),
                "mentions": mentions,
                "names": names,
            }
        )
    return out


def _person_mentions(data: ReleaseData, layer: Any) -> tuple[int, int]:
    """How many rows of a layer carry one of its person labels, and how many distinct
    names (``span_text``) they have: counted by Arrow on those rows (not a Counter of
    every label and text of the layer, a Python tuple per distinct span text). With
    several person labels, a name found under more than one counts the mentions of the
    last of its (label, name) groups, as the card has always counted them."""
    if len(layer.person_labels) > 1:
        counted = data.count(layer.name, "label", "span_text")
        mine = {text: n for (label, text), n in counted.items() if label in layer.person_labels}
        return sum(mine.values()), len(mine)
    table = data.table(layer.name).select(["label", "span_text"])
    feature = data.features(layer.name)["label"]
    wanted: list[Any] = list(layer.person_labels)
    if isinstance(feature, datasets.ClassLabel):
        wanted = [feature.names.index(x) for x in wanted if x in feature.names]
    value_set = pa.array(wanted, type=table.schema.field("label").type)
    rows = table.filter(pc.is_in(table["label"], value_set=value_set))
    return rows.num_rows, pc.count_distinct(rows["span_text"], mode="all").as_py()


def _corpus(data: ReleaseData) -> dict[str, Any]:
    docs = list(data.documents.values())
    sites = sorted({urlparse(d.url).netloc for d in docs if d.url} - {""})
    return {
        "documents": len(docs),
        "languages": dict(sorted(Counter(d.lang for d in docs).items())),
        "machine_translated": sum(1 for d in docs if d.machine_translated),
        "sites": sites,
        "without_url": sum(1 for d in docs if not d.url),
        "licenses": dict(sorted(Counter(d.license or "not given" for d in docs).items())),
    }


def hub_context(
    data: ReleaseData,
    settings: CardSettings,
    *,
    dataset: str,
    version: str,
    license: str,
    agreement_plot: str | None,
) -> dict[str, Any]:
    """What the Hub card's body reads beyond :func:`annotate.release.card.card_context`."""
    year = data.created[:4] if data.created else None
    return {
        "pretty_name": settings.pretty_name or dataset,
        "config_sections": _config_sections(data),
        "annotator_summary": _annotators(data),
        "people": _people(data),
        "corpus": _corpus(data),
        "bibtex": bibtex(settings, dataset=dataset, version=version, year=year),
        "license": license,
        "license_name": settings.license_name,
        "license_link": settings.license_link,
        "viewer": "viewer/index.html" if data.viewer else None,
        "agreement_plot": agreement_plot,
        # the snippet loads the first layer (every config loads the same way)
        "default_config": next((x.name for x in data.layers()), data.configs[0]),
    }
