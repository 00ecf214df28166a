"""What the Hub card says of each config's columns, all derived from the release: the
**Data Fields** table (name, type from the features the parquet file carries, meaning from
the JSON Schema ``description``s), one example row, each layer's labels with their
descriptions, and the ``dataset_info`` block of the card's YAML (the same features, in the
format ``datasets`` writes with ``push_to_hub`` and reads back).

A column's meaning is looked up in this order: the layer's schema (its per-region choices,
text fields and span properties), then what the layer says of the columns it derives
(:attr:`annotate.layers.presentation.LayerRelease.column_descriptions`), then the document
schema (``documents``) or the record envelope (offsets, ids, annotator, judgement), then
what the shared configs derive (:data:`DERIVED`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import datasets

from annotate.layers import LAYERS, Layer, get_layer

if TYPE_CHECKING:
    from annotate.release.data import ReleaseData
    from annotate.schemas import SchemaSet

__all__ = [
    "DERIVED",
    "cell",
    "column_meaning",
    "config_fields",
    "dataset_info",
    "example_row",
    "feature_type",
]

# release column → name in the record envelope's span, segment or document
_ALIASES = {
    "span_id": "id",
    "span_text": "text",
    "segment_start": "start",
    "segment_end": "end",
}
# columns the shared configs derive (not in any schema)
DERIVED: Mapping[str, str] = {
    "rule": "How the gold of the segment was chosen: ground_truth (marked in Label Studio),"
    " single (one annotation) or consensus (spans of a strict majority).",
    "candidates": "How many annotations of the segment there were to choose from.",
    "spans": "How many rows the gold of the segment has in the layer's config.",
    "attributes": "The span's layer-specific fields, as a JSON object (sorted keys).",
    "relations": "The relations from this span: their label and the id of the span they point to.",
    # the provenance columns (annotate.release.decisions)
    "raters": "The raters (pseudonyms) whose versions the gold of the segment was chosen from.",
    "judgement_decision": "What the gold did with the raters' judgements of the segment.",
    "provenance": "Per span of the gold, and per rater span it left out: its decision (kept,"
    " chosen, changed, added, rejected), the raters who had it and what the gold changed.",
    "decision": "What the gold did with this row's span (kept, chosen, changed or rejected).",
}
_PSEUDONYM = " In the release: a pseudonym (the same in every config)."
_TRUNCATE = 80  # characters of a string in an example row
_LIST_ITEMS = 3  # items of a list in an example row


def feature_type(feature: Any) -> str:
    """A short name of a ``datasets`` feature: ``string``, ``class label (PER, ORG, …)``,
    ``list of {start: int32, end: int32}``."""
    if isinstance(feature, datasets.ClassLabel):
        names = feature.names
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        return f"class label ({len(names)}: {shown})"
    if isinstance(feature, datasets.Value):
        return str(feature.dtype)
    if isinstance(feature, (datasets.List, datasets.Sequence)):
        return f"list of {feature_type(feature.feature)}"
    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {feature_type(v)}" for k, v in feature.items()) + "}"
    return type(feature).__name__


def _description(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("description"), str):
        return str(node["description"])
    return None


def _layer_meaning(layer: Layer, column: str) -> str | None:
    tax = layer.taxonomy
    if column in tax.choices:
        return tax.choices[column].description
    if column in tax.text_fields and _description(tax.text_fields[column]):
        return _description(tax.text_fields[column])
    schema = layer.schemas.load(layer.name)
    span = schema.get("properties", {}).get("spans", {}).get("items", {})
    found = _description(span.get("properties", {}).get(column))
    if found:
        return found
    if column == "label":
        return "The span's label: one of the labels below."
    return layer.column_descriptions.get(column)


def column_meaning(config: str, column: str, schemas: SchemaSet) -> str:
    """What ``column`` of ``config`` means (empty when nothing says)."""
    if config in LAYERS:
        found = _layer_meaning(get_layer(config, schemas), column)
        if found:
            return found
    if config == "documents":
        doc = schemas.load("document").get("properties", {})
        found = _description(doc.get("id" if column == "doc_id" else column))
        if found:
            return found
    record = schemas.load("record")
    props = record.get("properties", {})
    name = _ALIASES.get(column, column)
    candidates = [props.get(column)]
    if column.startswith("segment_"):
        candidates.append(props.get("segment", {}).get("properties", {}).get(name))
    candidates.append(record.get("$defs", {}).get("span", {}).get("properties", {}).get(name))
    for node in candidates:
        found = _description(node)
        if found:
            return found + (_PSEUDONYM if column == "annotator" else "")
    return DERIVED.get(column, "")


def config_fields(config: str, features: datasets.Features, schemas: SchemaSet) -> list[dict]:
    """The Data Fields rows of one config: name, type, meaning."""
    return [
        {
            "name": name,
            "type": cell(feature_type(feat)),
            "meaning": cell(column_meaning(config, name, schemas)),
        }
        for name, feat in features.items()
    ]


def cell(text: str) -> str:
    """``text`` made safe for a Markdown table cell (one line, pipes escaped)."""
    return " ".join(text.split()).replace("|", "\\|")


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _TRUNCATE:
        return value[:_TRUNCATE] + f"… ({len(value)} characters)"
    if isinstance(value, list):
        shown = [_shorten(v) for v in value[:_LIST_ITEMS]]
        return shown + ([f"… ({len(value)} items)"] if len(value) > _LIST_ITEMS else [])
    if isinstance(value, dict):
        return {k: _shorten(v) for k, v in value.items()}
    return value


def example_row(data: ReleaseData, config: str) -> str:
    """The first row of ``config`` as JSON, class labels by name, long strings and lists
    cut (saying how long they were)."""
    table = data.table(config).slice(0, 1)
    features = data.features(config)
    row = features.decode_example(table.to_pylist()[0]) if table.num_rows else {}
    for name, feat in features.items():
        if isinstance(feat, datasets.ClassLabel) and row.get(name) is not None:
            row[name] = feat.int2str(row[name])
    return json.dumps(_shorten(row), ensure_ascii=False, indent=2)


def dataset_info(data: ReleaseData, root: Path) -> list[dict[str, Any]]:
    """The card's ``dataset_info``: per config its features (those of the parquet file),
    its one split's rows and Arrow size, and the size of its files."""
    infos = {}
    for config in data.configs:
        table = data.table(config)
        files = sorted((root / config).rglob("*.parquet"))
        infos[config] = datasets.DatasetInfo(
            features=data.features(config),
            splits=datasets.SplitDict(
                {"train": datasets.SplitInfo("train", table.nbytes, table.num_rows)}
            ),
            download_size=sum(p.stat().st_size for p in files),
            dataset_size=table.nbytes,
        )
    holder: dict[str, Any] = {}
    datasets.info.DatasetInfosDict(infos).to_dataset_card_data(holder)
    value = holder["dataset_info"]
    return value if isinstance(value, list) else [value]
