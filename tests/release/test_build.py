"""build_release: reproducible bytes, the manifest, immutability, the card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.errors import ReleaseError
from annotate.names import pseudonym
from annotate.pins import file_sha256
from annotate.pipeline import gold_set
from annotate.release.card import card_context, render_card
from annotate.release.data import release_data
from annotate.release.manifest import read_manifest
from annotate.release.tables import read_rows


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_building_twice_gives_identical_files(build, exports):
    formats = ("conll", "spacy", "mqm")
    a = build(exports, out="one", formats=formats)
    b = build(exports, out="two", formats=formats)
    first, second = _files(a.path), _files(b.path)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert read_manifest(a.path)["files"] == read_manifest(b.path)["files"]
    # every format and the plot are among the checksummed files
    listed = {e["path"] for e in read_manifest(a.path)["files"]}
    assert {"label_distribution.png", "formats/entities.conll", "formats/entities.spacy"} <= listed
    assert b"Software" not in first["label_distribution.png"]


def test_manifest_records_inputs_outputs_versions(build, exports, paths):
    ROOT, ARTICLES, CARD = paths.root, paths.articles, paths.card
    result = build(exports)
    manifest = read_manifest(result.path)
    assert manifest["toolkit"]["name"] == "annotate"
    assert manifest["lock"] == file_sha256(ROOT / "requirements.lock")
    inputs = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    for path in exports:
        assert file_sha256(path) in inputs.values()
    assert inputs["data/articles/stargate-fr.txt"] == file_sha256(ARTICLES / "stargate-fr.txt")
    assert inputs["dataset_card.md"] == file_sha256(CARD)
    from annotate.schemas import SchemaSet

    assert manifest["schema_versions"] == SchemaSet.package().versions()
    assert set(manifest["schema_versions"]) == {"entities", "claims", "translation_errors"}
    files = {e["path"]: e for e in manifest["files"]}
    for path, entry in files.items():
        assert file_sha256(result.path / path) == entry["sha256"]
    assert files["entities/train.parquet"]["rows"] == 30 == manifest["counts"]["entities"]
    assert manifest["counts"] == {
        "documents": 1,
        "segments": 13,
        "entities": 30,
        "claims": 2,
        "translation_errors": 3,
        "annotations": 37,  # every annotator's spans (and one row per span-less annotation)
    }
    # no clock: the time is the latest annotation's
    assert manifest["created"] == "2026-11-20T10:00:00Z"
    assert manifest["created_from"] == "annotations"


def test_source_date_epoch_sets_the_time(build, exports, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    manifest = read_manifest(build(exports).path)
    assert (manifest["created"], manifest["created_from"]) == (
        "2023-11-14T22:13:20Z",
        "SOURCE_DATE_EPOCH",
    )


def test_an_existing_version_cannot_be_overwritten(build, exports):
    first = build(exports)
    before = _files(first.path)
    with pytest.raises(ReleaseError, match="already exists") as info:
        build(exports)
    assert info.value.file == str(first.path)
    assert _files(first.path) == before
    # no temporary directory is left behind
    assert [p.name for p in first.path.parent.iterdir()] == ["1.0.0"]


def test_segments_config_records_judgements_and_pseudonyms(build, exports):
    rows = read_rows(build(exports).path / "segments/train.parquet")
    te = {r["segment_start"]: r for r in rows if r["layer"] == "translation_errors"}
    assert [r["judgement"] for r in te.values()] == ["errors", "errors", "no-error", "errors"]
    # the annotator is the Label Studio user id (1 in the fixture), not the e-mail
    assert {r["annotator"] for r in rows} == {pseudonym("1")}
    assert all("@" not in r["annotator"] for r in rows)


def test_card_has_metadata_tables_plot_and_how_to_load(build, exports):
    card = (build(exports, formats=("mqm",)).path / "README.md").read_text(encoding="utf-8")
    assert "config_name: entities" in card
    assert "default: true" in card
    assert "- fr" in card
    assert 'load_dataset("path/to/demo/1.0.0", "claims", split="train")' in card
    assert "![Label and severity distributions](label_distribution.png)" in card
    assert "| ORG | 20 |" in card
    assert "formats/translation_errors.mqm.tsv" in card
    assert "Inter-annotator agreement" not in card


def test_card_renders_an_agreement_table_when_given(exports, paths):
    data = release_data(gold_set(articles=paths.articles, exports=exports), project_root=paths.root)
    context = card_context(data)
    context["agreement"] = [
        {
            "layer": "entities",
            "matching": "exact",
            "annotators": "a / b",
            "precision": 0.9,
            "recall": 0.8,
            "f1": 0.85,
            "n_a": 30,
            "n_b": 27,
        }
    ]
    card = render_card(
        paths.card,
        dataset="demo",
        version="1.0.0",
        configs=data.configs,
        layers=data.layers(),
        languages=["fr"],
        license="other",
        total_rows=35,
        context=context,
    )
    assert "## Inter-annotator agreement" in card
    assert "| entities | exact | a / b | 0.9 | 0.8 | 0.85 | 30 | 27 |" in card


def test_the_release_loads_with_datasets(build, exports, tmp_path):
    import datasets

    path = build(exports).path
    entities = datasets.load_dataset(
        str(path), "entities", split="train", cache_dir=str(tmp_path / "cache")
    )
    assert entities.num_rows == 30
    assert entities.features["label"].names[:3] == ["PER", "ORG", "LOC"]
    docs = json.loads((path / "manifest.json").read_text(encoding="utf-8"))["configs"]
    assert docs[0] == "documents"


def test_another_process_builds_the_same_bytes(build, exports, tmp_path, paths):
    """Nothing depends on the process: hash seed, set order, clock (the CLI in a fresh
    interpreter with another PYTHONHASHSEED gives the files this process gives)."""
    import os
    import subprocess
    import sys

    # the CLI runs in the repository's project, whose annotate.toml names its NOTES.md
    notes = paths.root / "data" / "labels" / "NOTES.md"
    from annotate.project import load_project
    from annotate.release.card_settings import CardSettings

    project = load_project(paths.root / "annotate.toml")
    here = build(
        exports,
        out="here",
        lang=project.language,  # the corpus is read in it, as the CLI reads it
        formats=("conll", "spacy", "mqm"),
        card_template=None,
        notes=notes,
        card_settings=CardSettings.from_project(project),
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    args = [
        sys.executable,
        "-m",
        "annotate",
        "build",
        "--articles",
        "data/articles",
        "--out",
        str(tmp_path / "there"),
        "--dataset",
        "demo",
        "--version",
        "1.0.0",
        "--formats",
        "all",
    ]
    for path in exports:
        args += ["--export", str(path)]
    done = subprocess.run(args, cwd=paths.root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    there = _files(tmp_path / "there/demo/1.0.0")
    assert there == _files(here.path)


def test_counts_from_the_arrow_tables_equal_counting_the_rows(exports, paths):
    from collections import Counter
    from operator import itemgetter

    data = release_data(gold_set(articles=paths.articles, exports=exports), project_root=paths.root)
    cases = [
        ("entities", ("label",)),
        ("entities", ("kb_id",)),  # has nulls
        ("translation_errors", ("label", "severity")),
        ("translation_errors", ("doc_id", "segment_start", "segment_end", "label", "severity")),
        ("claims", ("claim_type",)),
        ("segments", ("layer", "rule")),
    ]
    for config, columns in cases:
        rows = data.rows[config]
        expected = Counter(map(itemgetter(*columns), rows))
        got = data.count(config, *columns)
        assert got == expected, (config, columns)
        assert list(got) == list(expected), "first-appearance order, as the card sums in it"
    assert None in data.count("entities", "kb_id")


def test_a_failing_parquet_write_fails_the_build(exports, paths, tmp_path):
    from annotate.release.build import write_data

    data = release_data(gold_set(articles=paths.articles, exports=exports), project_root=paths.root)
    data.layout = 99
    with pytest.raises(ReleaseError, match="unknown parquet layout 99"):
        write_data(data, tmp_path / "out")


@pytest.mark.parametrize("first", ["a", "b"])
def test_two_releases_of_one_version_each_load_as_themselves(
    build, exports, make_exports, layers, tmp_path, first
):
    # seen: a/1.0.0 and b/1.0.0 loaded each other's rows through datasets.load_dataset, even
    # with a fresh cache: its cache key is the folder name plus the card's YAML, which holds
    # the files' relative paths and nothing of their contents
    import datasets

    fewer = layers.copy()
    fewer.entities = fewer.entities[:5]
    paths = {
        "a": build(exports, out="a").path,
        "b": build(make_exports("fewer", fewer), out="b").path,
    }
    assert paths["a"].name == paths["b"].name == "1.0.0"
    cache = tmp_path / "cache"  # fresh, then shared by both, then warm
    order = [first, *(k for k in paths if k != first)]
    for _ in range(2):
        for key in order:
            ds = datasets.load_dataset(
                str(paths[key]), "entities", split="train", cache_dir=str(cache)
            )
            assert ds.num_rows == {"a": 30, "b": 5}[key], key


def test_the_cache_key_follows_the_data_not_the_folder(build, exports, tmp_path):
    from annotate.release.build import config_fingerprints

    a = build(exports, out="a").path
    b = build(exports, out="b").path  # the same inputs: the same bytes, the same key
    assert config_fingerprints(a, ["entities"], dataset="demo", version="1.0.0") == (
        config_fingerprints(b, ["entities"], dataset="demo", version="1.0.0")
    )
    card = (a / "README.md").read_text(encoding="utf-8")
    assert "description: demo 1.0.0, entities; files sha256" in card


def test_the_package_card_template_loops_over_the_layers_and_names_none():
    from annotate.layers import layer_names
    from annotate.release.data import PACKAGE_CARD

    template = PACKAGE_CARD.read_text(encoding="utf-8")
    assert "layer_sections" in template
    for name in layer_names():
        assert name not in template, name


def test_every_layer_gives_its_card_section_and_plot_panel(build, exports):
    from annotate.layers import get_layer

    release = build(exports, card_template=None).path  # the package's template
    card = (release / "README.md").read_text(encoding="utf-8")
    configs = read_manifest(release)["configs"]
    layers = [get_layer(c) for c in configs if c not in ("documents", "segments", "annotations")]
    assert [layer.name for layer in layers] == ["entities", "claims", "translation_errors"]
    for layer in layers:
        heading = layer.card_template.splitlines()[0]
        assert heading.startswith("### ") and heading in card, heading
    alt = "![Distributions: " + "; ".join(layer.panel_title() for layer in layers) + "]"
    assert alt in card
