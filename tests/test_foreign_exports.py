"""Exports written by other teams' Label Studio projects (issue 12): which text the regions
index, who the annotators are, unlabelled relations, where messages point, compressed files."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ConfigError, ExportError
from annotate.sources.foreign import foreign_options
from annotate.validate import validate_exports

FOREIGN = Path(__file__).parent / "data" / "foreign"
TEXT = "Crystal Mills met Acme Corp in Paris."


def region(rid: str, start: int, end: int, label: str, text: str = "") -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text or TEXT[start:end], "labels": [label]},
    }


def claim_task(result: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": 4,
        "data": {"text": TEXT},
        "annotations": [{"id": 40, "completed_by": 1, "result": result}],
    }


def write(tmp_path: Path, tasks: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


# ---------------------------------------------------------------- item 8
def test_a_relation_without_label_is_not_attributed_to(tmp_path: Path) -> None:
    result = [
        region("c", 18, 27, "CLAIM"),
        region("s", 0, 12, "SOURCE"),
        {"from_id": "c", "to_id": "s", "type": "relation", "direction": "right", "labels": []},
    ]
    report = validate_exports([write(tmp_path, [claim_task(result)])], {}, layer="claims")
    assert report.valid == []
    [issue] = [i for i in report.errors if i.code == "no-relation-label"]
    assert issue.json_path == "$[0].annotations[0].result[2].labels"
    assert issue.annotation_id == 40 and "attributed_to" in (issue.hint or "")


def test_messages_number_spans_as_the_json_path_does(tmp_path: Path) -> None:
    # a choice sits between the regions, so record spans[1] is result[2] of the export
    result = [
        region("a", 0, 13, "PER"),
        {
            "id": "a",
            "from_name": "kb_id",
            "to_name": "text",
            "type": "textarea",
            "value": {"start": 0, "end": 13, "text": ["Q1"]},
        },
        region("b", 0, 13, "PER"),
    ]
    task = {
        "id": 1,
        "data": {"text": TEXT},
        "annotations": [{"id": 2, "result": result, "completed_by": 1}],
    }
    report = validate_exports([write(tmp_path, [task])], {}, layer="entities")
    dup = [i for i in report.errors if i.code == "duplicate-span"]
    assert dup, report.errors
    assert dup[0].json_path == "$[0].annotations[0].result[2]"
    assert dup[0].message.startswith("result[2] «Crystal Mills»")
    assert "spans[0]" not in dup[0].message and "result[0]" in dup[0].message
    assert "span 3" not in dup[0].message and "span 2" not in dup[0].message


def test_no_text_issue_names_the_annotation(tmp_path: Path) -> None:
    task = {
        "id": 3,
        "data": {"title": 5},
        "annotations": [{"id": 31, "completed_by": 2, "result": []}],
    }
    report = validate_exports([write(tmp_path, [task])], {}, layer="entities")
    [issue] = report.errors
    assert issue.code == "no-text"
    assert (issue.task_id, issue.annotation_id, issue.annotator) == (3, 31, "2")


# ---------------------------------------------------------------- item 1: which text
def two_fields(tmp_path: Path, *, config_beside: bool = False) -> Path:
    path = tmp_path / "export.json"
    shutil.copy(FOREIGN / "two_text_fields.json", path)
    if config_beside:
        shutil.copy(FOREIGN / "two_text_fields.config.xml", tmp_path / "export.config.xml")
    return path


def test_several_text_fields_and_nothing_says_which_stops(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        validate_exports([two_fields(tmp_path)], {}, layer="entities", on_error="report")
    err = caught.value
    assert "name (" in err.message and "clean_description (" in err.message
    assert err.task_id == 101 and err.json_path == "$[0].data"
    assert "--text-field" in (err.hint or "") and "--config" in (err.hint or "")
    result = CliRunner().invoke(
        app, ["validate", str(tmp_path / "export.json"), "--layer", "entities"]
    )
    assert result.exit_code == 1
    assert "clean_description" in result.output and "--text-field" in result.output


@pytest.mark.parametrize(
    "how",
    [
        {"text_field": "clean_description"},
        {"config": FOREIGN / "two_text_fields.config.xml"},
        {},  # the config pull stored beside the export
    ],
    ids=["text-field", "config", "config-beside"],
)
def test_the_text_the_regions_index(tmp_path: Path, how: dict[str, Any]) -> None:
    path = two_fields(tmp_path, config_beside=not how)
    report = validate_exports([path], {}, layer="entities", foreign=foreign_options(**how))
    assert report.errors == [] and report.warnings == []
    [record] = report.valid
    assert [(s.text, s.label) for s in record.spans] == [("Crystal", "ORG"), ("Toledo", "LOC")]


def test_cli_options_for_the_text(tmp_path: Path) -> None:
    path = two_fields(tmp_path)
    for extra in (
        ["--text-field", "clean_description"],
        ["--config", str(FOREIGN / "two_text_fields.config.xml")],
    ):
        out = tmp_path / "valid.jsonl"
        args = ["validate", str(path), "--layer", "entities", "-o", str(out), *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        [record] = [json.loads(line) for line in out.read_text().splitlines()]
        assert [s["text"] for s in record["spans"]] == ["Crystal", "Toledo"]


def test_a_config_that_does_not_declare_the_regions_object(tmp_path: Path) -> None:
    config = tmp_path / "c.xml"
    config.write_text('<View><Text name="title" value="$name"/></View>')
    with pytest.raises(ExportError, match="'desc', which the config does not declare"):
        validate_exports(
            [two_fields(tmp_path)], {}, layer="entities", foreign=foreign_options(config=config)
        )
    config.write_text("<View><Text name=")
    with pytest.raises(ExportError, match="not XML"):
        foreign_options(config=config)


# ---------------------------------------------------------------- item 3: label maps
NER = FOREIGN / "ner_export.json"
NER_MAP = FOREIGN / "ner_label_map.yaml"
ROOT = Path(__file__).resolve().parents[1]


def test_without_a_map_every_foreign_name_is_listed_once_with_its_count() -> None:
    report = validate_exports([NER], {}, layer="entities")
    assert report.valid == [] and report.quarantined_count == 2
    unmapped = dict(report.labels.unmapped)
    assert unmapped[("label", "Person")] == 2 and unmapped[("label", "Symptom")] == 1
    assert unmapped[("relation", "works_for")] == 2 and unmapped[("control", "wikidata")] == 1
    summary = report.labels_summary()
    [person] = [u for u in summary["unmapped"] if u["name"] == "Person"]
    assert person["example"].startswith("$[0].annotations[0].result[")
    assert "  Person: <ours, or null to drop>" in summary["add_to_label_map"]
    result = CliRunner().invoke(app, ["validate", str(NER), "--layer", "entities"])
    assert result.output.count("label 'Person' (2)") == 1
    assert "--label-map" in result.output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_label_map_makes_a_foreign_export_ours(tmp_path: Path, suffix: str) -> None:
    lmap = NER_MAP
    if suffix == ".json":
        lmap = tmp_path / "map.json"
        lmap.write_text(json.dumps(yaml.safe_load(NER_MAP.read_text())))
    report = validate_exports([NER], {}, foreign=foreign_options(label_map=lmap))
    assert report.errors == [] and report.warnings == [] and report.quarantined_count == 0
    first, second = sorted(report.valid, key=lambda a: a.task_id or 0)
    assert [(s.text, s.label) for s in first.spans] == [
        ("Ada Brenner", "PER"),
        ("Northfield Clinic", "ORG"),
        ("malaria", "MISC"),
        ("Lagos", "LOC"),
    ]
    assert first.spans[0].attrs == {"kb_id": "Q42"}  # their wikidata control is our kb_id
    assert [s.label for s in second.spans] == ["ORG", "PER", "MISC", "MISC", "LOC"]  # many-to-one
    assert first.relations == [] and second.relations == []
    assert report.labels.dropped == {
        ("label", "Noise"): 1,
        ("relation", "works_for"): 2,
        ("relation", "title_of"): 1,  # with the region it starts from
    }
    assert report.labels.mapped[("label", "Symptom")] == 1 and not report.labels.unmapped
    digest = hashlib.sha256(lmap.read_bytes()).hexdigest()
    assert report.label_map == {"file": str(lmap), "sha256": digest}
    raw = json.loads(NER.read_text())  # the raw items are kept as they were
    assert raw[0]["annotations"][0]["result"][1]["value"]["labels"] == ["Person"]


def test_the_real_biographynet_export_with_a_map(tmp_path: Path) -> None:
    lmap = tmp_path / "bio.yaml"
    lmap.write_text(
        "labels: {Person: PER, Organization: ORG, Datetime: DATE}\n"
        "relations: {'bio:born_at:time': null, 'bio:died_at:time': null,"
        " 'bio:lived_in:loc': null, 'rel:other:per': null}\n"
    )
    path = ROOT / "tests/data/external/labelstudio/daza_biographynet_testing_ls_full.json"
    options = foreign_options(config=FOREIGN / "daza_biographynet.config.xml", label_map=lmap)
    report = validate_exports([path], {}, layer="entities", foreign=options)
    assert report.quarantined_count == 0 and len(report.valid) == 2, report.errors
    assert {s.label for a in report.valid for s in a.spans} == {"PER", "ORG", "DATE"}


def test_bad_label_maps_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    for text, words in [
        ("labels: [PER]", "labels must map"),
        ("label: {a: b}", "unknown section(s) 'label'"),
        ("labels: {a: 3}", "give one of our names, or null"),
        ("labels: {a: [b", "not valid YAML"),
    ]:
        bad.write_text(text)
        with pytest.raises(ConfigError, match=re.escape(words)):
            foreign_options(label_map=bad)


def build_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "build", "--export", str(NER), "--layer", "entities", "--out", str(tmp_path / "rel"),
        "--dataset", "clinic-ner", "--version", "1.0.0", "--card", str(ROOT / "dataset_card.md"),
        *extra,
    ]  # fmt: skip


def test_build_without_a_map_refuses_and_names_the_labels(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, build_args(tmp_path))
    assert result.exit_code == 1, result.output
    assert "nothing to release" in result.output
    assert "label 'Disease' (2)" in result.output and "--label-map" in result.output
    assert not (tmp_path / "rel" / "clinic-ner" / "1.0.0").exists()


def test_a_mapped_foreign_export_builds_verifies_and_loads(tmp_path: Path) -> None:
    from datasets import load_dataset

    result = CliRunner().invoke(app, build_args(tmp_path, "--label-map", str(NER_MAP)))
    assert result.exit_code == 0, result.output
    release = tmp_path / "rel" / "clinic-ner" / "1.0.0"
    manifest = json.loads((release / "manifest.json").read_text())
    digest = hashlib.sha256(NER_MAP.read_bytes()).hexdigest()
    assert manifest["foreign"]["label_map"] == {"path": NER_MAP.name, "sha256": digest}
    assert any(
        i["path"].endswith(NER_MAP.name) and i["sha256"] == digest for i in manifest["inputs"]
    )
    docs = load_dataset(str(release), "documents", split="train")
    texts = {d["doc_id"]: d["text"] for d in docs}
    entities = load_dataset(str(release), "entities", split="train")
    assert len(entities) == 9
    assert all(texts[r["doc_id"]][r["start"] : r["end"]] == r["span_text"] for r in entities)
    label = entities.features["label"]
    names = [label.int2str(v) if hasattr(label, "int2str") else v for v in entities["label"]]
    assert sorted(names) == ["LOC", "LOC", "MISC", "MISC", "MISC", "ORG", "ORG", "PER", "PER"]
    verified = CliRunner().invoke(app, ["verify", str(release)])
    assert verified.exit_code == 0, verified.output


def test_build_of_a_foreign_export_without_layer_refuses(tmp_path: Path) -> None:
    args = [a for a in build_args(tmp_path) if a not in ("--layer", "entities")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "do not say their layer" in result.output and "--layer" in result.output
    assert not (tmp_path / "rel" / "clinic-ner").exists()


# ---------------------------------------------------------------- compressed exports
def test_gzip_and_zip_exports_are_read_as_a_stream(tmp_path: Path) -> None:
    raw = NER.read_bytes()
    gz = tmp_path / "export.json.gz"
    gz.write_bytes(gzip.compress(raw))
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project-7-at-2026-10-02.json", raw)
    options = foreign_options(label_map=NER_MAP)
    plain = validate_exports([NER], {}, foreign=options)
    for path in (gz, zipped):
        report = validate_exports([path], {}, foreign=options)
        assert report.errors == [] and report.counts() == plain.counts()
        assert [a.to_record() for a in report.valid] == [a.to_record() for a in plain.valid]


def test_broken_compressed_exports_are_reported(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(gzip.compress(NER.read_bytes())[:300])
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a.json", "[]")
        zf.writestr("b.json", "[]")
    report = validate_exports(
        [truncated, two], {}, foreign=foreign_options(label_map=NER_MAP), on_error="report"
    )
    codes = {(i.file, i.code) for i in report.input_errors}
    assert codes == {(str(truncated), "invalid-json"), (str(two), "unreadable")}
    assert "exactly one JSON file" in report.input_errors[-1].message
    with pytest.raises(ExportError, match="exactly one JSON file"):
        validate_exports([two], {}, layer="entities")
