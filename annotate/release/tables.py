"""Rows → parquet files with explicit Hugging Face ``Features``, written byte-reproducibly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["DOCUMENT_FEATURES", "document_rows", "write_parquet"]

_SEGMENT = {"start": datasets.Value("int32"), "end": datasets.Value("int32")}

DOCUMENT_FEATURES = datasets.Features(
    {
        "doc_id": datasets.Value("string"),
        "title": datasets.Value("string"),
        "lang": datasets.Value("string"),
        "text": datasets.Value("string"),
        "machine_translated": datasets.Value("bool"),
        "source_lang": datasets.Value("string"),
        "source_text": datasets.Value("string"),
        "license": datasets.Value("string"),
        "normalisation": datasets.List(datasets.Value("string")),
        "boilerplate": datasets.List(datasets.Value("int32")),
        "paragraphs": datasets.List(_SEGMENT),
        "sentences": datasets.List(_SEGMENT),
    }
)


def document_rows(documents: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for d in sorted(documents, key=lambda d: d.id):
        rows.append(
            {
                "doc_id": d.id,
                "title": d.title,
                "lang": d.lang,
                "text": d.text,
                "machine_translated": d.machine_translated,
                "source_lang": d.source_lang,
                "source_text": d.source_text,
                "license": d.license,
                "normalisation": list(d.normalisation),
                "boilerplate": d.boilerplate,
                "paragraphs": [{"start": p.start, "end": p.end} for p in d.paragraphs],
                "sentences": [{"start": s.start, "end": s.end} for s in d.sentences],
            }
        )
    return rows


def write_parquet(rows: list[dict[str, Any]], features: datasets.Features, path: Path) -> int:
    """Write ``rows`` (already in a stable order) to ``path``; returns the row count.

    The Arrow schema carries the features (``huggingface`` metadata), so that
    ``load_dataset`` restores ClassLabels. No timestamps are written; with the pinned
    pyarrow the bytes depend only on the rows."""
    encoded = [features.encode_example(r) for r in rows]
    schema = features.arrow_schema
    table = pa.Table.from_pylist(encoded, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        compression="zstd",
        use_dictionary=True,
        write_statistics=True,
        store_schema=True,
    )
    return table.num_rows
