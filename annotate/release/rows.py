"""The rows of a release's configs, made from a :class:`~annotate.model.GoldSet` as a
stream in release order, so that a config's rows are never all Python objects at once.

Every row config is sorted by a key that starts with the document (``segments`` and
``annotations``: the layer, then the document; a layer: the document): the rows are made a
(layer, document) group at a time, in the key's order of groups, and each group is sorted
by the whole key. As the sort is stable and the groups keep the order of the gold's tasks
and the records, the rows come out exactly as sorting every row of the config would put
them. One pass over the groups makes the rows of every config: the provenance of a
group's tasks (:mod:`annotate.release.decisions`) is worked out once, for its segments and
annotations rows, and dropped after the group.

:func:`stream_tables` turns that stream into one Arrow table per config, converted
:data:`~annotate.release.shards.CHUNK_ROWS` rows at a time: only about that many rows of
each config are Python dicts at any moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import datasets
import pyarrow as pa

from annotate.layers import LAYERS, get_layer
from annotate.model import Annotation, GoldSet
from annotate.provenance import Provenance
from annotate.release.decisions import add_row_decisions, segment_provenance, task_provenance
from annotate.release.shards import CHUNK_ROWS
from annotate.release.tables import annotation_rows, row_id_column, segment_row, to_table

__all__ = ["GoldRows", "ListRows", "RowSource", "row_configs", "sort_key", "stream_tables"]

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


class RowSource(Protocol):
    """Where a release's row configs come from (:class:`GoldRows`, :class:`ListRows`)."""

    def tables(self, features: Mapping[str, Any]) -> dict[str, pa.Table]:
        """One Arrow table per config of ``features`` (config → its features)."""
        ...


def stream_tables(
    groups: Iterable[dict[str, list[dict[str, Any]]]], features: Mapping[str, Any]
) -> dict[str, pa.Table]:
    """One Arrow table per config of ``features`` from a stream of groups of rows (config →
    rows, in release order), each converted :data:`~annotate.release.shards.CHUNK_ROWS`
    rows at a time, or sooner when the rows waiting hold that many items in their lists of
    structs (a ``segments`` row holds the provenance of every span of its task: 10,000 of
    them were a million spans' dicts): a table has one chunk per that many rows (or items),
    and a config that small is exactly what :func:`~annotate.release.tables.to_table` makes
    of its rows."""
    pending: dict[str, list[dict[str, Any]]] = {config: [] for config in features}
    items: dict[str, int] = dict.fromkeys(features, 0)  # in the lists of the rows pending
    nested = {config: _struct_lists(feats) for config, feats in features.items()}
    batches: dict[str, list[pa.RecordBatch]] = {config: [] for config in features}
    for group in groups:
        for config, rows in group.items():
            chunk = pending[config]
            chunk += rows
            if nested[config]:
                items[config] += _items(rows, nested[config])
            while len(chunk) >= CHUNK_ROWS:
                batches[config] += to_table(chunk[:CHUNK_ROWS], features[config]).to_batches()
                del chunk[:CHUNK_ROWS]
                items[config] = _items(chunk, nested[config])
            if items[config] >= CHUNK_ROWS:
                batches[config] += to_table(chunk, features[config]).to_batches()
                chunk.clear()
                items[config] = 0
    for config, chunk in pending.items():
        if chunk:
            batches[config] += to_table(chunk, features[config]).to_batches()
    return {
        config: pa.Table.from_batches(batches[config], schema=feats.arrow_schema)
        for config, feats in features.items()
    }


def _struct_lists(features: Any) -> list[str]:
    """The columns of ``features`` that are lists of structs."""
    return [
        name
        for name, feat in features.items()
        if isinstance(feat, datasets.List) and isinstance(feat.feature, dict)
    ]


def _items(rows: list[dict[str, Any]], columns: list[str]) -> int:
    return sum(len(row.get(c) or ()) for row in rows for c in columns)


class ListRows:
    """Rows given as lists (config → rows, in release order)."""

    def __init__(self, rows: Mapping[str, list[dict[str, Any]]]) -> None:
        self._rows = rows

    def tables(self, features: Mapping[str, Any]) -> dict[str, pa.Table]:
        return stream_tables([dict(self._rows)], features)


class GoldRows:
    """The rows of every row config of a release made from ``gold`` (with the gold's
    provenance columns when ``provenance``), a (layer, document) group at a time."""

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

    def tables(self, features: Mapping[str, Any]) -> dict[str, pa.Table]:
        return stream_tables(self.groups(), features)

    def rows(self, config: str) -> Iterator[dict[str, Any]]:
        """The rows of one config in release order."""
        for group in self.groups():
            yield from group.get(config, [])

    def groups(self) -> Iterator[dict[str, list[dict[str, Any]]]]:
        """The rows of each (layer, document) group, in order: config → its rows."""
        key_of = {
            config: sort_key(config, get_layer(config, self.gold.schemas).features())
            for config in {layer for layer, _ in self._tasks}
        }
        key_of["segments"] = sort_key("segments", None)
        key_of["annotations"] = sort_key("annotations", None)
        for group in sorted(set(self._tasks) | set(self._records)):
            keys = self._tasks.get(group, [])
            provenances = self._provenances(keys)
            layer_rows, segments = self._task_rows(keys, provenances)
            records = self._records.get(group, [])
            annotations = annotation_rows(records, self.gold.documents)
            if self.provenance:
                add_row_decisions(annotations, records, self.gold.choices, provenances)
            out = {group[0]: layer_rows, "segments": segments, "annotations": annotations}
            for config, rows in out.items():
                rows.sort(key=key_of[config])
            yield out

    def _provenances(self, keys: Iterable[str]) -> dict[str, Provenance]:
        if not self.provenance:
            return {}
        return task_provenance({key: self.gold.choices[key] for key in keys})

    def _task_rows(
        self, keys: list[str], provenances: dict[str, Provenance]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The layer rows and the segments rows of one group's tasks, unsorted."""
        layer_rows: list[dict[str, Any]] = []
        segments = []
        for key in keys:
            choice = self.gold.choices[key]
            ann = choice.annotation
            doc = self.gold.documents[ann.doc_id]
            rows = get_layer(ann.layer, self.gold.schemas).rows(ann, doc)
            layer_rows += rows
            segment = segment_row(
                doc_id=ann.doc_id,
                layer=ann.layer,
                segment_start=ann.segment_start,
                segment_end=ann.segment_end,
                judgement=ann.judgement,
                annotator=ann.annotator,
                rule=choice.rule,
                candidates=choice.candidates,
                spans=len(rows),
            )
            if self.provenance:
                segment.update(segment_provenance(provenances[key], doc))
            segments.append(segment)
        return layer_rows, segments
