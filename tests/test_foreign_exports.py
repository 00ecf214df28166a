"""Exports written by other teams' Label Studio projects (issue 12): which text the regions
index, who the annotators are, unlabelled relations, where messages point, compressed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ExportError
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
