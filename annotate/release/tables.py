"""Rows ⇄ parquet files with explicit Hugging Face ``Features``, written byte-reproducibly.

Rows are plain dicts with ClassLabel columns given by name. They are turned into Arrow
column by column (a dict lookup per label, one ``pa.array`` per column) rather than through
``Features.encode_example`` row by row, which is what keeps a release of a million spans
close to the cost of writing the table with bare ``pyarrow``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from annotate.errors import ReleaseError
from annotate.names import pseudonym

__all__ = [
    "ANNOTATION_FEATURES",
    "DOCUMENT_FEATURES",
    "GOLD_RULES",
    "PARQUET_LAYOUT",
    "PARQUET_LAYOUTS",
    "SEGMENT_FEATURES",
    "annotation_rows",
    "class_labels",
    "document_rows",
    "encoded_columns",
    "features_of",
    "iter_rows",
    "label_column",
    "parquet_options",
    "read_rows",
    "row_id_column",
    "segment_row",
    "to_table",
    "write_table",
]

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

GOLD_RULES = ["ground_truth", "single", "consensus"]

# One row per annotated segment and layer: which segments were annotated at all (a
# paragraph with no entity row is "no entities" only if it is here), the segment's gold
# judgement (MQM ``no-error``), and how the gold was chosen. Annotators appear only as
# pseudonyms.
SEGMENT_FEATURES = datasets.Features(
    {
        "doc_id": datasets.Value("string"),
        "layer": datasets.Value("string"),
        "segment_start": datasets.Value("int32"),
        "segment_end": datasets.Value("int32"),
        "judgement": datasets.Value("string"),
        "annotator": datasets.Value("string"),
        "rule": datasets.ClassLabel(names=GOLD_RULES),
        "candidates": datasets.Value("int32"),
        "spans": datasets.Value("int32"),
    }
)


ANNOTATION_FEATURES = datasets.Features(
    {
        "doc_id": datasets.Value("string"),
        "layer": datasets.Value("string"),
        "segment_start": datasets.Value("int32"),
        "segment_end": datasets.Value("int32"),
        "annotator": datasets.Value("string"),
        "annotation_id": datasets.Value("string"),
        "ground_truth": datasets.Value("bool"),
        "judgement": datasets.Value("string"),
        "span_id": datasets.Value("string"),
        "start": datasets.Value("int32"),
        "end": datasets.Value("int32"),
        "span_text": datasets.Value("string"),
        "label": datasets.Value("string"),
        "attributes": datasets.Value("string"),
        "relations": datasets.List(
            {"label": datasets.Value("string"), "to_id": datasets.Value("string")}
        ),
    }
)


def annotation_rows(records: Iterable[Any], documents: dict[str, Any]) -> list[dict[str, Any]]:
    """Every annotator's annotation (not only the gold), one row per span; an annotation
    with no span keeps one row with empty span fields, so that its judgement and its
    coverage of the segment are not lost. ``attributes`` is the span's layer-specific
    fields as a JSON object (sorted keys)."""
    import json

    rows: list[dict[str, Any]] = []
    for rec in records:
        if rec.origin == "prediction":
            continue
        base = {
            "doc_id": rec.doc_id,
            "layer": rec.layer,
            "segment_start": rec.segment_start,
            "segment_end": rec.segment_end,
            "annotator": pseudonym(rec.annotator),
            "annotation_id": None if rec.annotation_id is None else str(rec.annotation_id),
            "ground_truth": rec.ground_truth,
            "judgement": rec.judgement,
        }
        doc = documents[rec.doc_id]
        if not rec.spans:
            rows.append(
                {
                    **base,
                    "span_id": None,
                    "start": None,
                    "end": None,
                    "span_text": None,
                    "label": None,
                    "attributes": None,
                    "relations": [],
                }
            )
        for span in rec.spans:
            text = (
                doc.text if span.attrs.get("side", "target") == "target" else doc.source_text or ""
            )
            rows.append(
                {
                    **base,
                    "span_id": span.id,
                    "start": span.start,
                    "end": span.end,
                    "span_text": text[span.start : span.end],
                    "label": span.label,
                    "attributes": json.dumps(span.attrs, ensure_ascii=False, sort_keys=True),
                    "relations": [
                        {"label": r.label, "to_id": r.to_id}
                        for r in rec.relations
                        if r.from_id == span.id
                    ],
                }
            )
    return rows


def segment_row(
    *,
    doc_id: str,
    layer: str,
    segment_start: int,
    segment_end: int,
    judgement: str | None,
    annotator: str,
    rule: str,
    candidates: int,
    spans: int,
) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "layer": layer,
        "segment_start": segment_start,
        "segment_end": segment_end,
        "judgement": judgement,
        "annotator": pseudonym(annotator),
        "rule": rule,
        "candidates": candidates,
        "spans": spans,
    }


def document_rows(documents: Iterable[Any]) -> list[dict[str, Any]]:
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


def row_id_column(features: datasets.Features) -> str | None:
    """The column that identifies a row of a layer: the first ``*_id`` column after
    ``doc_id`` (``span_id``, ``claim_id``, ``error_id``)."""
    names = [n for n in features if n.endswith("_id") and n != "doc_id"]
    return names[0] if names else None


def label_column(features: datasets.Features) -> str | None:
    """The column a layer's rows are counted by: ``label`` if there is one, else the first
    ClassLabel column (``claim_type``)."""
    if "label" in features:
        return "label"
    for name, feat in features.items():
        if isinstance(feat, datasets.ClassLabel):
            return name
    return None


def to_table(rows: Sequence[dict[str, Any]], features: datasets.Features) -> pa.Table:
    """Rows → an Arrow table whose schema carries ``features``; a ClassLabel value that is
    not one of its names raises :class:`ReleaseError` naming the column and value.

    Columns are taken out of the rows in C (``map(itemgetter(name), rows)``) and label
    names become indexes with ``pyarrow.compute.index_in``: a million rows take about as
    long as ``pa.Table.from_pylist``, where ``encode_example`` row by row takes tens of
    seconds."""
    schema = features.arrow_schema
    arrays = []
    for name, feat in features.items():
        try:
            values: list[Any] = list(map(itemgetter(name), rows))
        except KeyError:  # rows that leave out an optional column
            values = [r.get(name) for r in rows]
        if isinstance(feat, datasets.ClassLabel):
            arrays.append(_label_indexes(name, feat, values))
        else:
            arrays.append(pa.array(values, type=schema.field(name).type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _label_indexes(name: str, feat: datasets.ClassLabel, values: list[Any]) -> pa.Array:
    try:
        given = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # names mixed with indexes
        index = {n: i for i, n in enumerate(feat.names)}
        given = pa.array([index.get(v, -1) if isinstance(v, str) else v for v in values])
    if pa.types.is_integer(given.type) or pa.types.is_null(given.type):
        ints = pc.cast(given, pa.int64())
        bad = pc.or_(pc.less(ints, 0), pc.greater_equal(ints, len(feat.names)))
    else:
        ints = pc.index_in(given, value_set=pa.array(feat.names))
        bad = pc.and_(given.is_valid(), ints.is_null())
    if pc.any(bad).as_py():
        first = values[pc.index(bad, True).as_py()]
        raise ReleaseError(
            f"column {name!r}: {first!r} is not one of {feat.names}",
            hint="validate the exports against the schema of this version",
        )
    return pc.cast(ints, pa.int64())


# How parquet files are laid out, versioned so that an older release can be rebuilt byte
# for byte (the manifest records the layout; no record means 1).
PARQUET_LAYOUTS = {
    1: "zstd; dictionary encoding and statistics for every column",
    2: "zstd; dictionary encoding only for columns whose values repeat (judged on the first "
    "10,000 rows), no min/max statistics for strings that do not repeat",
}
PARQUET_LAYOUT = 2

# Dictionary-encoding a column whose values seldom repeat (row ids, span text, corrections)
# makes pyarrow build a dictionary, find it too big and fall back to plain encoding, at a
# cost in time and size (a million entity spans: 1.97 MB and 0.23 s with, 1.44 MB and
# 0.18 s without), and min/max statistics of such strings help no reader. Whether values
# repeat is judged on the data, not on column names, so that a new layer's columns need no
# entry anywhere; the rows are in a stable order, so the choice is reproducible.
_SAMPLE = 10_000
_DICTIONARY_PAGE = 1 << 20  # pyarrow's dictionary page limit, past which it falls back


def encoded_columns(table: pa.Table) -> tuple[list[str], list[str]]:
    """The flat columns of ``table`` that layout 2 writes with a dictionary, and those it
    writes with statistics: a column is dictionary-encoded when at most half of its first
    :data:`_SAMPLE` values are distinct (nulls aside) and, for strings, those values hold
    less than pyarrow's 1 MiB dictionary page; statistics are kept for every
    dictionary-encoded column and every column that is not a string."""
    dictionary, statistics = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_nested(field.type):
            continue
        head = column.slice(0, _SAMPLE)
        string = pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        if string and (pc.sum(pc.binary_length(head)).as_py() or 0) > _DICTIONARY_PAGE:
            repeats = False  # long texts: hashing them costs more than the answer is worth
        else:
            repeats = 2 * pc.count_distinct(head).as_py() <= len(head) - head.null_count
        if repeats and not pa.types.is_boolean(field.type):  # parquet has no boolean dictionary
            dictionary.append(field.name)
        if repeats or not string:
            statistics.append(field.name)
    return dictionary, statistics


def parquet_options(table: pa.Table, *, layout: int = PARQUET_LAYOUT) -> dict[str, Any]:
    """The ``pyarrow.parquet`` writer options of one of the :data:`PARQUET_LAYOUTS` for a
    table made by :func:`to_table` (layout 2 judges the columns on its first rows)."""
    if layout not in PARQUET_LAYOUTS:
        raise ReleaseError(
            f"unknown parquet layout {layout}",
            hint=f"this toolkit writes layouts {sorted(PARQUET_LAYOUTS)}; upgrade it",
        )
    dictionary: bool | list[str] = True
    statistics: bool | list[str] = True
    if layout == 2:
        dictionary, statistics = encoded_columns(table)
    return {
        "compression": "zstd",
        "use_dictionary": dictionary,
        "write_statistics": statistics,
        "store_schema": True,
    }


def write_table(table: pa.Table, path: Path, *, layout: int = PARQUET_LAYOUT) -> int:
    """Write a table made by :func:`to_table` to ``path`` in one of the
    :data:`PARQUET_LAYOUTS`; returns the row count.

    The Arrow schema carries the features (``huggingface`` metadata), so that
    ``load_dataset`` restores ClassLabels. No timestamps are written; with the pinned
    pyarrow the bytes depend only on the rows and the layout. zstd makes files about four
    times smaller than pyarrow's default snappy."""
    options = parquet_options(table, layout=layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **options)
    return table.num_rows


def features_of(path: Path) -> datasets.Features:
    """The Hugging Face features recorded in a parquet file's schema."""
    return datasets.Features.from_arrow_schema(pq.read_schema(path))


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a release parquet file, ClassLabels decoded to their names."""
    table = pq.read_table(path)
    features = datasets.Features.from_arrow_schema(table.schema)
    rows = table.to_pylist()
    for name, feat in features.items():
        if isinstance(feat, datasets.ClassLabel):
            names = feat.names
            for r in rows:
                v = r.get(name)
                if isinstance(v, int) and 0 <= v < len(names):
                    r[name] = names[v]
    return rows


def class_labels(features: datasets.Features) -> dict[str, list[str]]:
    """The names of every ClassLabel column of ``features``."""
    return {n: f.names for n, f in features.items() if isinstance(f, datasets.ClassLabel)}


def iter_rows(path: Path, *, batch_size: int = 10_000) -> Iterator[dict[str, Any]]:
    """The rows :func:`read_rows` gives, read ``batch_size`` at a time (a shard of millions
    of rows is never all Python objects); a damaged file raises as it is read."""
    file = pq.ParquetFile(path)
    labels = class_labels(datasets.Features.from_arrow_schema(file.schema_arrow))
    for batch in file.iter_batches(batch_size=batch_size):
        rows = batch.to_pylist()
        for name, names in labels.items():
            for r in rows:
                v = r.get(name)
                if isinstance(v, int) and 0 <= v < len(names):
                    r[name] = names[v]
        yield from rows
