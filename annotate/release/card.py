"""Render the dataset card (the release's README.md) from ``dataset_card.md``.

The template is Jinja2 rendered by ``huggingface_hub.DatasetCard.from_template``; the YAML
metadata (language, license, task categories, size category, ``configs:``) is built here
from the release, and every number in the card is computed from the release's rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from huggingface_hub import DatasetCard, DatasetCardData

from annotate.layers.translation_errors import TranslationErrorsLayer

if TYPE_CHECKING:
    from annotate.release.build import ReleaseData

__all__ = ["card_context", "render_card", "size_category"]


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
    fingerprints: dict[str, str] | None = None,
) -> str:
    """The card; ``fingerprints`` (config → text) go into each config's ``description``,
    which `datasets` keys its cache on (:func:`annotate.release.build.config_fingerprints`)."""
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
                **({"description": fingerprints[name]} if fingerprints else {}),
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


def card_context(data: ReleaseData) -> dict[str, Any]:
    """The numbers and tables of the card, computed from the release's rows."""
    documents, rows_by_layer, rules = data.documents, data.rows, data.gold_rules
    mqm = TranslationErrorsLayer()
    per_segment: dict[tuple[str, int, int], float] = {}
    errors = data.count(
        "translation_errors", "doc_id", "segment_start", "segment_end", "label", "severity"
    )
    for (doc_id, start, end, label, severity), n in errors.items():
        key = (doc_id, start, end)
        per_segment[key] = per_segment.get(key, 0.0) + n * mqm.weight(label, severity)
    judged = {
        (r["doc_id"], r["segment_start"], r["segment_end"])
        for r in rows_by_layer.get("segments", [])
        if r["layer"] == "translation_errors"
    }
    paragraphs = []
    for d in sorted(documents.values(), key=lambda d: d.id):
        for p in d.paragraphs:
            words = len(d.text[p.start : p.end].split())
            key = (d.id, p.start, p.end)
            score = round(per_segment.get(key, 0.0), 2)
            paragraphs.append(
                {
                    "doc": d.id[:12],
                    "index": p.index,
                    "words": words,
                    "score": score,
                    "per100": round(100 * score / words, 2) if words else 0.0,
                    "boilerplate": p.boilerplate,
                    "judged": key in judged,
                }
            )

    def label_counts(layer: str, key: str) -> list[tuple[str, int]]:
        c = data.count(layer, key)
        return sorted(((str(k), n) for k, n in c.items()), key=lambda kv: (-kv[1], kv[0]))

    return {
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
            **{k: len(v) for k, v in rows_by_layer.items() if k in data.configs},
        },
        "entity_labels": label_counts("entities", "label"),
        "claim_types": label_counts("claims", "claim_type"),
        "claim_modalities": label_counts("claims", "modality"),
        "mqm_labels": label_counts("translation_errors", "label"),
        "mqm_severities": label_counts("translation_errors", "severity"),
        "mqm_paragraphs": paragraphs,
        "gold_rules": {k: dict(sorted(v.items())) for k, v in sorted(rules.items())},
        "validation": data.report.counts(),
        "notes": data.notes,
        "agreement": data.agreement.get("spans", []),
        "attribute_agreement": data.agreement.get("attributes", []),
        "judgement_agreement": data.agreement.get("judgements", []),
        "created": data.created,
    }
