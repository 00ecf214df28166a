"""Render the dataset card (the release's README.md) from ``dataset_card.md``.

The template is Jinja2 rendered by ``huggingface_hub.DatasetCard.from_template``; the YAML
metadata (language, license, task categories, size category, ``configs:``) is built here
from the release, and every number in the card is computed from the release's rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from huggingface_hub import DatasetCard, DatasetCardData

from annotate.layers import Layer
from annotate.layers.presentation import card_metadata
from annotate.release.card_hub import hub_context, hub_metadata
from annotate.release.plot import AGREEMENT_PLOT
from annotate.release.rows import row_configs

if TYPE_CHECKING:
    from annotate.release.data import ReleaseData

__all__ = ["card_context", "release_card", "render_card", "size_category"]


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return name
    return "n>1M"


def render_card(
    template: Path,
    *,
    dataset: str,
    version: str,
    configs: list[str],
    layers: list[Layer],
    languages: list[str],
    license: str,
    total_rows: int,
    context: dict[str, Any],
    fingerprints: dict[str, str] | None = None,
    data_files: dict[str, list[str]] | None = None,
    hub: dict[str, Any] | None = None,
) -> str:
    """The card; ``fingerprints`` (config → text) go into each config's ``description``,
    which `datasets` keys its cache on (:func:`annotate.release.build.config_fingerprints`);
    ``data_files`` (config → its files) lists the shards of a sharded config (a config of
    one file names ``<config>/train.parquet``, as before); ``hub`` is the Hub card's further
    metadata (:func:`annotate.release.card_hub.hub_metadata`), none for the cards of
    releases made before it."""
    meta = card_metadata(layers)
    hub = dict(hub or {})
    data = DatasetCardData(
        pretty_name=context.get("pretty_name", dataset),
        language=hub.pop("language", languages),
        license=license,
        task_categories=meta["task_categories"],
        task_ids=meta["task_ids"],
        size_categories=[size_category(total_rows)],
        tags=meta["tags"],
        configs=[
            {
                "config_name": name,
                **({"description": fingerprints[name]} if fingerprints else {}),
                "data_files": [{"split": "train", "path": _paths(name, data_files)}],
                **({"default": True} if name == "documents" else {}),
            }
            for name in configs
        ],
        **hub,
    )
    card = DatasetCard.from_template(
        data,
        template_str=template.read_text(encoding="utf-8"),
        dataset=dataset,
        version=version,
        configs=configs,
        **context,
    )
    text = str(card)
    return text if text.endswith("\n") else text + "\n"


def _paths(config: str, data_files: dict[str, list[str]] | None) -> str | list[str]:
    files = (data_files or {}).get(config) or [f"{config}/train.parquet"]
    return files[0] if len(files) == 1 else files


def card_context(data: ReleaseData) -> dict[str, Any]:
    """The numbers and tables of the card, computed from the release's rows: each layer's
    section (``layer_sections``, rendered by the layer) and its numbers (also at the top
    level, where 1.0.0's template reads them), then the release's own."""
    documents, rules = data.documents, data.gold_rules
    context: dict[str, Any] = {}
    sections = []
    for layer in data.layers():
        context.update(layer.card_context(data))
        sections.append(
            {"layer": layer.name, "title": layer.taxonomy.title, "text": layer.card_section(data)}
        )
    context.update(
        {
            "layer_sections": sections,
            "plot_panels": [layer.panel_title() for layer in data.layers()],
            "documents": [
                {
                    "id": d.id,
                    "title": d.title,
                    "lang": d.lang,
                    "chars": len(d.text),
                    "paragraphs": len(d.paragraphs),
                }
                for d in sorted(documents.values(), key=lambda d: d.id)
            ],
            "counts": {
                "documents": len(documents),
                **{c: data.table(c).num_rows for c in row_configs() if c in data.configs},
            },
            "gold_rules": {k: dict(sorted(v.items())) for k, v in sorted(rules.items())},
            "validation": data.report.counts(),
            "notes": data.notes,
            "agreement": data.agreement.get("spans", []),
            "attribute_agreement": data.agreement.get("attributes", []),
            "judgement_agreement": data.agreement.get("judgements", []),
            "choice_agreement": data.agreement.get("choices", []),
            "disputes": data.disputes.to_dict() if data.disputes is not None else None,
            "created": data.created,
        }
    )
    return context


def release_card(
    data: ReleaseData,
    root: Path,
    *,
    dataset: str,
    version: str,
    card_template: Path | None,
    license: str,
    counts: dict[str, int],
    extra: dict[str, Any],
    fingerprints: dict[str, str] | None,
    shard_files: dict[str, list[str]] | None,
) -> str:
    """The card's text (README.md) of the release being written in ``root``: the
    release's numbers and ``extra``, and for a release with card
    settings the Hub card's metadata and sections (:mod:`annotate.release.card_hub`)."""
    context = {**data.card_numbers(), **extra}
    hub = None
    if data.card is not None:
        drawn = (root / AGREEMENT_PLOT).is_file()
        context.update(
            hub_context(
                data,
                data.card,
                dataset=dataset,
                version=version,
                license=license,
                agreement_plot=AGREEMENT_PLOT if drawn else None,
            )
        )
        hub = hub_metadata(data, data.card, root=root)
    return render_card(
        card_template or data.card_template,
        dataset=dataset,
        version=version,
        configs=data.configs,
        layers=data.layers(),
        languages=sorted({d.lang for d in data.documents.values()}),
        license=license,
        total_rows=sum(
            v for k, v in counts.items() if k not in ("documents", "segments", "annotations")
        ),
        context=context,
        fingerprints=fingerprints,
        data_files=shard_files,
        hub=hub,
    )
