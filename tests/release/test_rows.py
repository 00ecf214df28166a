"""The rows of a release are made as a stream, a (layer, document) group at a time
(:mod:`annotate.release.rows`), yet come out exactly as making every row and sorting the
config did; a release cut into shards is the same, file for file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from annotate.layers import LAYERS, get_layer
from annotate.layers.entities import EntitiesLayer
from annotate.model import GoldSet
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.release.data import config_features, release_data
from annotate.release.decisions import add_row_decisions, segment_provenance, task_provenance
from annotate.release.manifest import read_manifest
from annotate.release.rows import GoldRows, row_configs, sort_key
from annotate.release.shards import CHUNK_ROWS, ShardLimits, write_config
from annotate.release.tables import annotation_rows, iter_rows, read_rows, segment_row, to_table
from annotate.schemas import using_schemas
from tests.synthetic import synthetic_gold_set


def _every_row_then_sorted(gold: GoldSet, *, provenance: bool) -> dict[str, list[dict[str, Any]]]:
    """The rows of every row config as the build made them before it streamed: all of a
    config's rows in the gold's order, then one sort of the whole config."""
    rows: dict[str, list[dict[str, Any]]] = {"segments": [], **{name: [] for name in LAYERS}}
    provenances = task_provenance(gold.choices) if provenance else {}
    for key, choice in gold.choices.items():
        ann = choice.annotation
        doc = gold.documents[ann.doc_id]
        layer_rows = get_layer(ann.layer, gold.schemas).rows(ann, doc)
        rows[ann.layer] += layer_rows
        segment = segment_row(
            doc_id=ann.doc_id,
            layer=ann.layer,
            segment_start=ann.segment_start,
            segment_end=ann.segment_end,
            judgement=ann.judgement,
            annotator=ann.annotator,
            rule=choice.rule,
            candidates=choice.candidates,
            spans=len(layer_rows),
        )
        if provenance:
            segment.update(segment_provenance(provenances[key], doc))
        rows["segments"].append(segment)
    rows["annotations"] = annotation_rows(gold.records, gold.documents)
    if provenance:
        add_row_decisions(rows["annotations"], gold.records, gold.choices, provenances)
    for config, config_rows in rows.items():
        features = config_features(config, gold.schemas, provenance=provenance)
        config_rows.sort(key=sort_key(config, features))
    return rows


@pytest.fixture(scope="module")
def reference_gold(paths) -> GoldSet:
    """The reference labels: three layers, two raters per task, the adjudication."""
    labels = paths.root / "data" / "labels"
    return gold_set(
        articles=paths.root / "data" / "articles", pins=labels / "stargate-fr-v3.pins.json"
    )


@pytest.mark.parametrize("provenance", [True, False])
def test_streamed_rows_are_those_of_one_sort_of_every_row(reference_gold, provenance):
    with using_schemas(reference_gold.schemas):
        expected = _every_row_then_sorted(reference_gold, provenance=provenance)
        made = GoldRows(reference_gold, provenance=provenance)
        for config in ("translation_errors", "entities", "claims", "segments", "annotations"):
            assert expected[config], config  # the check means something
            assert list(made.rows(config)) == expected[config], config


def test_rows_of_many_documents_and_shuffled_raters_come_out_in_release_order():
    # three documents, two raters per task, their records in a shuffled order: the groups
    # and the order within each must give what one stable sort of everything gives
    gold = synthetic_gold_set(3_000, per_doc=1_000, raters=2)
    assert len(gold.documents) == 3
    expected = _every_row_then_sorted(gold, provenance=True)
    made = GoldRows(gold, provenance=True)
    for config in ("segments", "entities", "annotations"):
        assert list(made.rows(config)) == expected[config], config
    assert [c for c in row_configs() if expected[c]] == ["segments", "entities", "annotations"]


def test_a_layer_config_is_made_a_document_at_a_time(monkeypatch):
    # the first row of the entities config needs the gold of one document, not every
    # task's rows: the build never holds a config's rows as Python objects
    gold = synthetic_gold_set(5_000, per_doc=1_000)
    made: list[str] = []
    original = EntitiesLayer.rows

    def counting(self: EntitiesLayer, annotation: Any, document: Any) -> Any:
        made.append(annotation.task_key)
        return original(self, annotation, document)

    monkeypatch.setattr(EntitiesLayer, "rows", counting)
    rows = GoldRows(gold, provenance=True).rows("entities")
    first = next(rows)
    assert len(made) == 10  # the ten paragraphs of the first document, of 50 tasks
    assert {key.split(":")[0] for key in made} == {first["doc_id"][:16]}
    assert sum(1 for _ in rows) + 1 == 5_000 and len(made) == 50


def test_a_big_config_is_converted_a_chunk_of_rows_at_a_time():
    gold = synthetic_gold_set(2 * CHUNK_ROWS + 500, per_doc=1_000)
    data = release_data(gold)
    table = data.table("entities")
    assert table.num_rows == 2 * CHUNK_ROWS + 500
    assert [len(c) for c in table.column("span_id").chunks] == [CHUNK_ROWS, CHUNK_ROWS, 500]
    whole = to_table(
        _every_row_then_sorted(gold, provenance=True)["entities"], data.features("entities")
    )
    assert table.equals(whole)


def test_segments_rows_are_converted_before_their_provenance_holds_a_chunk_of_spans():
    # 100 spans a task: 10,000 segments rows waiting were the provenance of a million spans
    gold = synthetic_gold_set(3 * CHUNK_ROWS + 500, per_doc=1_000, per_task=100)
    data = release_data(gold)
    table = data.table("segments")
    items = [sum(len(p) for p in c.to_pylist()) for c in table.column("provenance").chunks]
    assert sum(items) == 3 * CHUNK_ROWS + 500 and len(items) > 1
    assert all(n < CHUNK_ROWS + 1_000 for n in items)  # never more than a group past it
    whole = to_table(
        _every_row_then_sorted(gold, provenance=True)["segments"], data.features("segments")
    )
    assert table.equals(whole)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_small_release_cut_into_shards_is_the_one_of_every_row_sorted(reference_gold, tmp_path):
    # every config but documents in >= 3 shards of 5 rows, built from streamed rows; the
    # same rows made whole, sorted once and written by the shard writer give the same bytes
    limits = ShardLimits(max_rows=5)
    built = build_release(
        reference_gold, out=tmp_path / "releases", dataset="demo", version="1.0.0", shards=limits
    ).path
    manifest = read_manifest(built)
    with using_schemas(reference_gold.schemas):
        expected = _every_row_then_sorted(reference_gold, provenance=True)
    for config in manifest["configs"]:
        if config == "documents":
            continue
        files = manifest["data_files"][config]
        assert len(files) >= 3, config
        features = config_features(config, reference_gold.schemas, provenance=True)
        written = write_config(
            to_table(expected[config], features), tmp_path / "whole" / config, limits=limits
        )
        assert [f"{config}/{name}" for name in written] == files
        for name in written:
            assert _sha(built / config / name) == _sha(tmp_path / "whole" / config / name)


def test_verify_reads_the_rows_of_a_file_a_batch_at_a_time_as_read_rows_gives_them(paths):
    release = paths.root / "releases" / "stargate-fr-annotations" / "2.1.0"
    files = sorted(release.glob("*/train.parquet"))
    assert len(files) >= 5
    for path in files:
        whole = read_rows(path)
        assert whole and list(iter_rows(path, batch_size=7)) == whole, path
