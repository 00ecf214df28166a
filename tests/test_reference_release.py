"""The committed reference release (issue 3): reproducible from the committed exports,
loadable, offsets exact, and a card whose numbers are computed from the data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import datasets
import pytest

from annotate.agreement import pairwise_agreement
from annotate.corpus import read_articles
from annotate.layers.translation_errors import TranslationErrorsLayer
from annotate.names import pseudonym
from annotate.pins import file_sha256, read_annotators
from annotate.pipeline import gold_set
from annotate.release.build import build_release
from annotate.release.card_settings import CardSettings
from annotate.schemas import SchemaSet
from tests.conftest import ROOT

DATASET = "stargate-fr-annotations"
VERSION = "1.0.0"
RELEASE = ROOT / "releases" / DATASET / VERSION
PINS = ROOT / "data" / "labels" / "pins.json"
# 1.0.0 is rebuilt and checked with its own schema copy (version 1.0.0 of every layer),
# whatever the toolkit's schema/ says today.
SCHEMAS = SchemaSet.from_directory(RELEASE / "schema")
CONFIGS = ["documents", "segments", "entities", "claims", "translation_errors", "annotations"]


def _load(config: str) -> datasets.Dataset:
    return datasets.load_dataset(str(RELEASE), config, split="train")


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> list[Path]:
    """Two builds from the committed inputs, with the committed release's formats."""
    manifest = json.loads((RELEASE / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for i in range(2):
        root = tmp_path_factory.mktemp(f"rebuild{i}")
        result = build_release(
            gold_set(articles=ROOT / "data" / "articles", pins=PINS, schemas=SCHEMAS),
            out=root,
            dataset=DATASET,
            version=VERSION,
            card_template=ROOT / "dataset_card.md",
            project_root=ROOT,
            formats=list(manifest.get("formats") or {}),
            layout=manifest.get("parquet_layout", 1),
            fingerprints=bool(manifest.get("config_fingerprints")),
            provenance=bool(manifest.get("provenance")),
            card_settings=CardSettings.from_manifest(manifest),  # None: 1.0.0's card
        )
        out.append(result.path)
    return out


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): file_sha256(p)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_building_twice_gives_the_committed_release_byte_for_byte(rebuilt) -> None:
    committed = _tree(RELEASE)
    committed.pop("CHANGELOG.md", None)  # written by `annotate release`, not by build
    first, second = (_tree(p) for p in rebuilt)
    assert first == second
    assert {k: v for k, v in first.items() if k != "manifest.json"} == {
        k: v for k, v in committed.items() if k != "manifest.json"
    }


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_loads_and_every_span_is_exact(config: str) -> None:
    docs = {r["doc_id"]: r["text"] for r in _load("documents")}
    ds = _load(config)
    assert ds.num_rows > 0
    if config in ("documents", "segments"):
        return
    checked = 0
    for row in ds:
        text = docs[row["doc_id"]]
        if row["start"] is not None:
            assert text[row["start"] : row["end"]] == row["span_text"]
            checked += 1
        if config == "claims" and row["source_start"] is not None:
            assert text[row["source_start"] : row["source_end"]] == row["source_text"]
    assert checked > 0


def test_the_gold_is_the_adjudicated_annotation_and_both_passes_are_kept() -> None:
    names = read_annotators(PINS)
    assert sorted(names.values()) == ["adjudicator", "annotator-a", "annotator-b"]
    segments = _load("segments")
    assert set(segments["rule"]) == {segments.features["rule"].str2int("ground_truth")}
    assert set(segments["annotator"]) == {pseudonym("adjudicator")}
    raw = _load("annotations")
    assert set(raw["annotator"]) == {pseudonym(n) for n in names.values()}


def _card() -> str:
    return (RELEASE / "README.md").read_text(encoding="utf-8")


def test_card_counts_are_the_data_counts() -> None:
    card = _card()
    for config, column in (
        ("entities", "label"),
        ("claims", "claim_type"),
        ("claims", "modality"),
        ("translation_errors", "label"),
        ("translation_errors", "severity"),
    ):
        ds = _load(config)
        feat = ds.features[column]
        counts = Counter(
            feat.int2str(v) if isinstance(feat, datasets.ClassLabel) else v for v in ds[column]
        )
        for value, n in counts.items():
            assert f"| {value} | {n} |" in card, (config, column, value, n)
    for config in CONFIGS:
        assert f"| {config} | {_load(config).num_rows} |" in card


def test_card_mqm_scores_are_recomputed() -> None:
    card = _card()
    layer = TranslationErrorsLayer(SCHEMAS)
    doc = next(iter(read_articles(ROOT / "data" / "articles")))
    errors = _load("translation_errors")
    sev = errors.features["severity"]
    lab = errors.features["label"]
    for p in doc.paragraphs:
        score = sum(
            layer.weight(lab.int2str(r["label"]), sev.int2str(r["severity"]))
            for r in errors
            if r["segment_start"] == p.start
        )
        words = len(p.slice(doc.text).split())
        row = f"| `{doc.id[:12]}` | {p.index}{' (boilerplate)' if p.boilerplate else ''} | {words} | {round(float(score), 2)} |"
        assert row in card, row


def test_card_agreement_is_recomputed_from_the_exports() -> None:
    card = _card()
    doc = next(iter(read_articles(ROOT / "data" / "articles")))
    agreement = pairwise_agreement(gold_set(articles=[doc], pins=PINS, schemas=SCHEMAS).records)
    assert agreement["spans"], "two passes give agreement rows"
    for row in agreement["spans"]:
        pair = " vs ".join(pseudonym(a) for a in row["annotators"].split(" vs "))
        line = f"| {row['layer']} | {row['matching']} | {pair} | {row['precision']} | {row['recall']} | {row['f1']} |"
        assert line in card, line


def test_reproduce_rebuilds_the_committed_release_with_its_recorded_layout() -> None:
    from annotate.release.reproduce import reproduce_release

    report = reproduce_release(
        RELEASE,
        articles=ROOT / "data" / "articles",
        pins=PINS,
        card_template=ROOT / "dataset_card.md",
        project_root=ROOT,
    )
    assert report.ok, [str(p) for p in report.problems]
    assert report.identical == report.files == 16


def _edited_schemas(tmp: Path) -> SchemaSet:
    """The toolkit's schemas as someone may edit them after 1.0.0: a new entity label and
    a new version of the entities layer, a new MQM description."""
    edited = tmp / "schema"
    edited.mkdir()
    for name, text in SchemaSet.package().files.items():
        schema = json.loads(text)
        meta = schema.get("x-annotate")
        if name == "entities.schema.json":
            meta["version"] = "9.0.0"
            meta["labels"]["NORP"] = {"description": "Nationalities, religious or political groups"}
            schema["properties"]["spans"]["items"]["properties"]["label"]["enum"].append("NORP")
        elif name == "translation_errors.schema.json":
            meta["version"] = "9.0.0"
            first = next(iter(meta["labels"]))
            meta["labels"][first]["description"] = "Edited after 1.0.0."
        (edited / name).write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return SchemaSet.from_directory(edited)


def test_editing_the_toolkits_schemas_does_not_change_how_1_0_0_rebuilds(
    tmp_path, monkeypatch
) -> None:
    from annotate import schemas
    from annotate.release.reproduce import reproduce_release

    edited = _edited_schemas(tmp_path)
    assert edited.check() == []
    monkeypatch.setattr(schemas, "_package_set", lambda: edited)
    assert schemas.taxonomy("entities").version == "9.0.0"  # the edit is what builds read
    # a new build does take the edit: other entity features, other schema copy
    built = build_release(
        gold_set(articles=ROOT / "data" / "articles", pins=PINS),
        out=tmp_path / "out",
        dataset=DATASET,
        version="9.0.0",
        card_template=ROOT / "dataset_card.md",
        project_root=ROOT,
        layout=1,
    ).path
    new = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert new["schema_versions"]["entities"] == "9.0.0"
    old = _tree(RELEASE)
    assert _tree(built)["entities/train.parquet"] != old["entities/train.parquet"]
    # while 1.0.0 still rebuilds byte for byte, with the schema copy it carries
    report = reproduce_release(
        RELEASE,
        articles=ROOT / "data" / "articles",
        pins=PINS,
        card_template=ROOT / "dataset_card.md",
        project_root=ROOT,
    )
    assert report.ok, [str(p) for p in report.problems]
    assert report.identical == report.files == 16
