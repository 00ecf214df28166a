"""annotate reproduce of releases built from exports annotate did not make (issue 12): a
foreign export read with a label map, or with a labeling config, and an mqm-import. The
manifest's ``foreign`` record (layer, text field, config, label map by sha256) is what the
rebuild reads them with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.release.manifest import read_manifest
from annotate.release.reproduce import reproduce_release

FOREIGN = Path(__file__).parents[1] / "data" / "foreign"
MQM = Path(__file__).parents[1] / "data" / "mqm" / "mqm_ted_ende.lines0001-0300.tsv"
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, paths, monkeypatch) -> Path:
    """A project holding a foreign export, its label map and labeling config, and an MQM
    TSV (no corpus of its own); the CLI runs in it."""
    root = tmp_path / "project"
    (root / "foreign").mkdir(parents=True)
    for name in ("annotate.toml", "requirements.lock"):
        shutil.copy(paths.root / name, root / name)
    for name in ("ner_export.json", "ner_label_map.yaml", "two_text_fields.json"):
        shutil.copy(FOREIGN / name, root / "foreign" / name)
    shutil.copy(FOREIGN / "two_text_fields.config.xml", root / "foreign" / "two.config.xml")
    shutil.copy(MQM, root / "ende.tsv")
    monkeypatch.chdir(root)
    return root


def _build(dataset: str, *args: str) -> Path:
    common = ["build", "--out", "releases", "--dataset", dataset, "--version", "1.0.0"]
    result = runner.invoke(app, [*common, *args])
    assert result.exit_code == 0, result.output
    return Path("releases") / dataset / "1.0.0"


def _reproduce(release: Path, *args: str) -> dict:
    result = runner.invoke(app, ["reproduce", str(release), *args, "--json"])
    assert result.stdout.strip(), result.output  # a report, not an error
    report = json.loads(result.stdout)
    assert result.exit_code == (0 if report["ok"] else 1), result.output
    return report


def _identical(report: dict) -> None:
    assert report["ok"], report["problems"]
    assert report["files"] > 0 and report["identical"] == report["files"]
    assert report["inputs"] == 3 and report["skipped"] == []


MAPPED = ["--export", "foreign/ner_export.json", "--layer", "entities"]
MAPPED += ["--label-map", "foreign/ner_label_map.yaml"]


def test_a_release_of_a_mapped_foreign_export_reproduces_byte_for_byte(project):
    # seen: reproduce read neither the layer nor the label map the manifest records (and
    # looked for the project's corpus): the release of a foreign export could not be rebuilt
    release = _build("clinic-ner", *MAPPED)
    assert read_manifest(release)["foreign"]["label_map"]["path"] == "ner_label_map.yaml"
    _identical(_reproduce(release, "--export", "foreign/ner_export.json"))
    # the library, as a script would call it: no corpus, the export, the project root
    report = reproduce_release(
        release, articles=None, pins=None, exports=[Path("foreign/ner_export.json")]
    )
    assert report.ok and report.identical == report.files, report.problems


def test_a_release_read_through_a_labeling_config_reproduces(project):
    # the task data has two string fields: only the config says which the regions index
    release = _build(
        "two-fields", "--export", "foreign/two_text_fields.json", "--layer", "entities",
        "--config", "foreign/two.config.xml",
    )  # fmt: skip
    assert read_manifest(release)["foreign"]["config"] == "two.config.xml"
    _identical(_reproduce(release, "--export", "foreign/two_text_fields.json"))


def test_an_edited_label_map_is_named_and_a_missing_one_stops_the_rebuild(project):
    release = _build("clinic-ner", *MAPPED)
    lmap = project / "foreign" / "ner_label_map.yaml"
    lmap.write_text(lmap.read_text().replace("Symptom: MISC", "Symptom: PER"))
    changed = _reproduce(release, "--export", "foreign/ner_export.json")
    named = {(p["code"], p["file"]) for p in changed["problems"]}
    assert ("input-changed", "foreign/ner_label_map.yaml") in named
    assert any(p["code"] == "file-differs" for p in changed["problems"])  # PER, not MISC
    lmap.unlink()
    result = runner.invoke(app, ["reproduce", str(release), "--export", "foreign/ner_export.json"])
    assert result.exit_code == 1, result.output
    assert "label map the release was read with is missing" in result.output
    assert "ner_label_map.yaml" in result.output and "Traceback" not in result.output


def test_a_release_of_an_mqm_import_reproduces_byte_for_byte(project):
    imported = runner.invoke(
        app,
        ["mqm-import", "ende.tsv", "--out", "mqm", "--target-lang", "de", "--source-lang", "en"],
    )
    assert imported.exit_code == 0, imported.output
    inputs = ["--articles", "mqm/documents.jsonl", "--export", "mqm/export.json"]
    release = _build("wmt-ende", *inputs, "--formats", "mqm", "--gold", "majority")
    _identical(_reproduce(release, *inputs))
