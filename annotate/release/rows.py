"""The rows of a release's configs, made from a :class:`~annotate.model.GoldSet` as a
stream in release order, so that a config's rows are never all Python objects at once.

Every row config is sorted by a key that starts with the document (``segments`` and
``annotations``: the layer, then the document; a layer: the document): the rows are made a
(layer, document) group at a time, in the key's order of groups, and each group is sorted
by the whole key. As the sort is stable and the groups keep the order of the gold's tasks
and the records, the rows come out exactly as sorting every row of the config would put
them. The provenance of a group's tasks (:mod:`annotate.release.decisions`) is worked out
for that group and dropped after it.

:func:`stream_table` turns a stream of rows into an Arrow table :data:`~annotate.release.
shards.CHUNK_ROWS` rows at a time: only that many rows are Python dicts at any moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from annotate.layers import LAYERS, get_layer
from annotate.model import Annotation, GoldSet
from annotate.provenance import Provenance
from annotate.release.decisions import add_row_decisions, segment_provenance, task_provenance
from annotate.release.shards import record_batches
from annotate.release.tables import annotation_rows, row_id_column, segment_row

__all__ = ["GoldRows", "row_configs", "sort_key", "stream_table"]

Group = tuple[str, str]  # (layer, doc_id)


def row_configs() -> list[str]:
    """The configs made of rows, in the order a release lists them (``documents`` first,
    which is made from the corpus)."""
    return ["segments", *LAYERS, "annotations"]


def sort_key(config: str, features: Any) -> Any:
    """The key the rows of ``config`` are sorted by (``features``: the config's)."""
    if config == "segments":
        return lambda r: (r["layer"], r["doc_id"], r["segment_start"], r["segment_end"])
    if config == "annotations":
        return lambda r: (
            r["layer"],
            r["doc_id"],
            r["annotator"],
            r["segment_start"],
            -1 if r["start"] is None else r["start"],
            r["end"] or -1,
            r["label"] or "",
            r["span_id"] or "",
        )
    ident = row_id_column(features) or "doc_id"
    return lambda r: (r["doc_id"], r["start"], r["end"], str(r.get(ident)))


def stream_table(rows: Iterable[dict[str, Any]], features: Any) -> pa.Table:
    """An Arrow table of ``rows`` with ``features``, converted a chunk at a time; one chunk
    per :data:`~annotate.release.shards.CHUNK_ROWS` rows (a config that small is exactly
    what :func:`~annotate.release.tables.to_table` makes of it)."""
    schema = features.arrow_schema
    return pa.Table.from_batches(list(record_batches(rows, features)), schema=schema)


class GoldRows:
    """The rows of every row config of a release made from ``gold``, made on demand by
    :meth:`rows` (with the gold's provenance columns when ``provenance``)."""

    def __init__(self, gold: GoldSet, *, provenance: bool) -> None:
        self.gold = gold
        self.provenance = provenance
        self._tasks: dict[Group, list[str]] = {}  # task keys, in the gold's order
        for key, choice in gold.choices.items():
            ann = choice.annotation
            self._tasks.setdefault((ann.layer, ann.doc_id), []).append(key)
        self._records: dict[Group, list[Annotation]] = {}  # in the records' order
        for rec in gold.records:
            if rec.origin != "prediction":
                self._records.setdefault((rec.layer, rec.doc_id), []).append(rec)
        self._spans: dict[str, int] = {}  # task key → its gold's layer rows, once made

    def rows(self, config: str) -> Iterator[dict[str, Any]]:
        """The rows of ``config`` in release order."""
        if config == "segments":
            return self._segments()
        if config == "annotations":
            return self._annotations()
        return self._layer(config)

    def _provenances(self, keys: Iterable[str]) -> dict[str, Provenance]:
        if not self.provenance:
            return {}
        return task_provenance({key: self.gold.choices[key] for key in keys})

    def _layer_rows(self, key: str) -> list[dict[str, Any]]:
        ann = self.gold.choices[key].annotation
        layer = get_layer(ann.layer, self.gold.schemas)
        rows = layer.rows(ann, self.gold.documents[ann.doc_id])
        self._spans[key] = len(rows)
        return rows

    def _layer(self, name: str) -> Iterator[dict[str, Any]]:
        key_of = sort_key(name, get_layer(name, self.gold.schemas).features())
        for group in sorted(g for g in self._tasks if g[0] == name):
            rows = [row for key in self._tasks[group] for row in self._layer_rows(key)]
            rows.sort(key=key_of)
            yield from rows

    def _segments(self) -> Iterator[dict[str, Any]]:
        key_of = sort_key("segments", None)
        for group in sorted(self._tasks):
            keys = self._tasks[group]
            provenances = self._provenances(keys)
            rows = []
            for key in keys:
                choice = self.gold.choices[key]
                ann = choice.annotation
                spans = self._spans.get(key)
                row = segment_row(
                    doc_id=ann.doc_id,
                    layer=ann.layer,
                    segment_start=ann.segment_start,
                    segment_end=ann.segment_end,
                    judgement=ann.judgement,
                    annotator=ann.annotator,
                    rule=choice.rule,
                    candidates=choice.candidates,
                    spans=len(self._layer_rows(key)) if spans is None else spans,
                )
                if self.provenance:
                    doc = self.gold.documents[ann.doc_id]
                    row.update(segment_provenance(provenances[key], doc))
                rows.append(row)
            rows.sort(key=key_of)
            yield from rows

    def _annotations(self) -> Iterator[dict[str, Any]]:
        key_of = sort_key("annotations", None)
        for group in sorted(self._records):
            records = self._records[group]
            rows = annotation_rows(records, self.gold.documents)
            if self.provenance:
                provenances = self._provenances(self._tasks.get(group, []))
                add_row_decisions(rows, records, self.gold.choices, provenances)
            rows.sort(key=key_of)
            yield from rows
