"""The claims config keeps every source of a claim (schema 2), and 1.0.0 (schema 1) keeps
its single source columns."""

from __future__ import annotations

from pathlib import Path

import datasets
import pyarrow.parquet as pq

from annotate.pipeline import gold_set
from annotate.release.build import build_release

ROOT = Path(__file__).resolve().parents[2]
RELEASE_1 = ROOT / "releases" / "stargate-fr-annotations" / "1.0.0"


def _gold_attributions(release: Path) -> set[tuple[str, str, str]]:
    """(doc, claim id, source id) of every attributed_to relation in the gold annotations,
    read from the release's own raw rows and gold choices."""
    segments = pq.read_table(release / "segments" / "train.parquet").to_pylist()
    gold = {
        (r["doc_id"], r["segment_start"], r["segment_end"], r["annotator"])
        for r in segments
        if r["layer"] == "claims"
    }
    raw = pq.read_table(release / "annotations" / "train.parquet").to_pylist()
    return {
        (r["doc_id"], r["span_id"], rel["to_id"])
        for r in raw
        if r["layer"] == "claims"
        and (r["doc_id"], r["segment_start"], r["segment_end"], r["annotator"]) in gold
        for rel in r["relations"]
        if rel["label"] == "attributed_to"
    }


def test_release_1_0_0_lost_sources_and_a_new_build_keeps_every_one(tmp_path: Path) -> None:
    relations = _gold_attributions(RELEASE_1)
    old = pq.read_table(RELEASE_1 / "claims" / "train.parquet").to_pylist()
    kept_before = {(r["doc_id"], r["claim_id"], r["source_id"]) for r in old if r["source_id"]}
    # seen: 1.0.0 keeps one source column, so a claim with two sources lost one
    assert kept_before < relations

    built = build_release(
        gold_set(articles=ROOT / "data" / "articles", pins=ROOT / "data" / "labels" / "pins.json"),
        out=tmp_path,
        dataset="claims-check",
        version="2.0.0",
        card_template=ROOT / "dataset_card.md",
        project_root=ROOT,
    ).path
    assert _gold_attributions(built) == relations
    claims = datasets.load_dataset(
        str(built), "claims", split="train", cache_dir=str(tmp_path / "cache")
    )
    docs = datasets.load_dataset(
        str(built), "documents", split="train", cache_dir=str(tmp_path / "cache")
    )
    text = {d["doc_id"]: d["text"] for d in docs}
    assert "source_id" not in claims.features
    kept = set()
    for row in claims:
        starts = [s["start"] for s in row["sources"]]
        assert starts == sorted(starts)  # in text order
        for s in row["sources"]:
            assert text[row["doc_id"]][s["start"] : s["end"]] == s["text"]
            kept.add((row["doc_id"], row["claim_id"], s["source_id"]))
    assert kept == relations
    assert max(len(r["sources"]) for r in claims) >= 2
