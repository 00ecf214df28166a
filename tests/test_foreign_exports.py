"""Exports written by other teams' Label Studio projects (issue 12): which text the regions
index, who the annotators are, unlabelled relations, where messages point, compressed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate.validate import validate_exports

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
