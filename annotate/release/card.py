"""Render the dataset card (the release's README.md) from ``dataset_card.md``.

The template is Jinja2 rendered by ``huggingface_hub.DatasetCard.from_template``; the YAML
metadata (language, license, task categories, size category, ``configs:``) is built here
from the release, and every number in the card is computed from the release's rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData

__all__ = ["render_card", "size_category"]


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
    languages: list[str],
    license: str,
    total_rows: int,
    context: dict[str, Any],
) -> str:
    data = DatasetCardData(
        pretty_name=dataset,
        language=languages,
        license=license,
        task_categories=["token-classification", "text-classification", "translation"],
        task_ids=["named-entity-recognition", "fact-checking"],
        size_categories=[size_category(total_rows)],
        tags=["label-studio", "mqm", "claims", "named-entities", "machine-translation"],
        configs=[
            {
                "config_name": name,
                "data_files": [{"split": "train", "path": f"{name}/train.parquet"}],
                **({"default": True} if name == "documents" else {}),
            }
            for name in configs
        ],
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
