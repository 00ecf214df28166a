"""annotate.labelstudio.export: what Label Studio really writes, read as a stream."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from annotate.errors import ExportError
from annotate.labelstudio.export import (
    SKIP_CANCELLED,
    SKIP_DRAFT,
    SKIP_NO_ANNOTATION,
    SKIP_PREDICTION,
    ExportStats,
    iter_tasks,
    read_export,
)
from annotate.sources.foreign import ForeignOptions
from annotate.sources.labeling_config import read_labeling_config
from annotate.text import OffsetMap, utf16_to_code_points

EXTERNAL = Path(__file__).parent / "data" / "external" / "labelstudio"
FOREIGN = Path(__file__).parent / "data" / "foreign"


def region(rid: str, start: int, end: int, text: str, label: str = "ORG") -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def stream(tasks: Any) -> io.BytesIO:
    out = io.BytesIO(json.dumps(tasks).encode())
    out.name = "export.json"
    return out


def read(tasks: Any, **kw: Any) -> tuple[list[Any], ExportStats]:
    stats = ExportStats()
    items = list(read_export(stream(tasks), stats=stats, on_error="report", **kw))
    return items, stats


# ---------------------------------------------------------------- the real files
def test_full_export_of_another_project() -> None:
    stats = ExportStats()
    config = read_labeling_config(FOREIGN / "daza_biographynet.config.xml")
    items = list(
        read_export(
            EXTERNAL / "daza_biographynet_testing_ls_full.json",
            layer="entities",
            stats=stats,
            foreign=ForeignOptions(config=config),
        )
    )
    assert [i.annotation.task_id for i in items] == [17423, 17424]
    first = items[0].annotation
    assert first.annotator == "2" and first.annotation_id == 1700
    assert len(first.spans) == 8 and len(first.relations) == 5
    data = json.loads((EXTERNAL / "daza_biographynet_testing_ls_full.json").read_text())
    text = data[0]["data"]["text"]
    for span in first.spans:  # offsets index data.text; the text is recomputed from them
        assert span.text == text[span.start : span.end]
    assert items[0].document is not None and items[0].document.text == text
    assert stats.formats == {"json": 2} and stats.received == 2


def test_json_min_export_of_another_project() -> None:
    stats = ExportStats()
    items = list(
        read_export(
            EXTERNAL / "daza_biographynet_testing_ls_JSON_MIN.json",
            layer="entities",
            stats=stats,
            foreign=ForeignOptions(text_field="text"),
        )
    )
    assert stats.formats == {"json-min": 2}
    ann = items[0].annotation
    assert ann.annotation_id == 1698 and ann.annotator == "2" and ann.task_id == 17403
    assert [s.id for s in ann.spans[:3]] == ["label-0", "label-1", "label-2"]  # stable ids
    assert ann.spans[0].text == "KAREL I" and ann.spans[0].label == "PER"
    assert items[0].issues == []


# ---------------------------------------------------------------- formats and counts
def test_completed_by_forms_and_id_formats() -> None:
    tasks = [
        {
            "id": "5",
            "data": {"text": "Microsoft."},
            "annotations": [
                {"id": "17", "completed_by": {"id": 3, "email": "a@b.org"}, "result": []}
            ],
        },
        {
            "id": 6,
            "data": {"text": "Microsoft."},
            "annotations": [{"id": 18.0, "completed_by": 3, "result": []}],
        },
    ]
    items, _ = read(tasks, layer="entities")
    assert [
        (i.annotation.task_id, i.annotation.annotation_id, i.annotation.annotator) for i in items
    ] == [
        (5, 17, "3"),  # the user id, never the e-mail
        (6, 18, "3"),
    ]


def test_two_users_sharing_an_email_stay_two_annotators() -> None:
    def ann(aid: int, user: dict[str, Any]) -> dict[str, Any]:
        return {"id": aid, "completed_by": user, "result": [region("a", 0, 9, "Microsoft")]}

    tasks = [
        {
            "id": 1,
            "data": {"text": "Microsoft."},
            "annotations": [
                ann(1, {"id": 7, "email": "team@lab.org", "first_name": "Ann"}),
                ann(2, {"id": 8, "email": "team@lab.org", "first_name": "Bob"}),
                ann(3, {"id": 9, "email": ""}),
                ann(4, {"id": 10, "email": ""}),
            ],
        }
    ]
    items, _ = read(tasks, layer="entities")
    assert [i.annotation.annotator for i in items] == ["7", "8", "9", "10"]
    records = {i.annotation.record_id for i in items}
    assert len(records) == 4


def test_every_unit_is_received_once() -> None:
    ann = {"id": 1, "completed_by": 1, "result": [region("a", 0, 9, "Microsoft")]}
    tasks = [
        {
            "id": 1,
            "data": {"text": "Microsoft."},
            "annotations": [ann, {**ann, "id": 2, "was_cancelled": True}],
            "drafts": [{"id": 9}],
            "predictions": [{"id": 3, "result": []}],
        },
        {"id": 2, "data": {"text": "Rien."}, "annotations": []},
        "not a task",
    ]
    items, stats = read(tasks, layer="entities")
    assert stats.skipped == {
        SKIP_CANCELLED: 1,
        SKIP_DRAFT: 1,
        SKIP_PREDICTION: 1,
        SKIP_NO_ANNOTATION: 1,
    }
    assert len(items) == 2  # the annotation and the broken entry
    assert stats.received == len(items) + sum(stats.skipped.values())
    assert items[1].annotation is None and items[1].issues[0].code == "not-a-task"


def test_predictions_when_asked() -> None:
    tasks = [
        {
            "id": 1,
            "data": {"text": "Microsoft."},
            "predictions": [
                {
                    "id": 3,
                    "model_version": "spacy",
                    "score": 0.5,
                    "result": [region("p", 0, 9, "Microsoft")],
                }
            ],
        }
    ]
    items, stats = read(tasks, layer="entities", include_predictions=True)
    (item,) = items
    assert item.annotation.origin == "prediction" and item.annotation.annotator == "spacy"
    assert item.annotation.score == 0.5 and item.source["json_path"] == "$[0].predictions[0]"
    assert stats.skipped == {SKIP_NO_ANNOTATION: 1}  # no human annotation on the task


def test_legacy_completions() -> None:
    tasks = [
        {
            "id": 1,
            "data": {"text": "Microsoft."},
            "completions": [
                {"id": 4, "created_at": 1588000000, "result": [region("a", 0, 9, "Microsoft")]}
            ],
        }
    ]
    (item,), stats = read(tasks, layer="entities")
    assert stats.formats == {"legacy": 1}
    assert item.annotation.created_at == "2020-04-27T15:06:40Z"
    assert [i.code for i in item.issues] == ["no-annotator"]


def test_a_single_task_object() -> None:
    task = {
        "id": 1,
        "data": {"text": "Microsoft."},
        "annotations": [{"id": 1, "completed_by": 1, "result": []}],
    }
    (item,), _ = read(task, layer="entities")
    assert item.source["json_path"] == "$.annotations[0]"


def test_ids_are_filled_in_deterministically() -> None:
    r = region("a", 0, 9, "Microsoft")
    del r["id"]
    tasks = [
        {
            "id": 1,
            "data": {"text": "Microsoft."},
            "annotations": [{"id": 1, "completed_by": 1, "result": [r]}],
        }
    ]
    first, _ = read(tasks, layer="entities")
    again, _ = read(tasks, layer="entities")
    assert first[0].annotation.spans[0].id == again[0].annotation.spans[0].id == "r0"


# ---------------------------------------------------------------- text and offsets
@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("Ligne.\r\nMicrosoft à Reno.\r\n", "Reno"),
        ("\ufeffMicrosoft à Genève", "Genève"),
        (
            unicodedata.normalize("NFD", "Élu à Genève, Zoé parle."),
            unicodedata.normalize("NFD", "Zoé"),
        ),
        ("Ligne.\rMicrosoft.", "Microsoft"),
    ],
)
def test_offsets_of_a_raw_text_are_mapped_to_the_normalised_one(raw: str, word: str) -> None:
    start = raw.index(word)
    tasks = [
        {
            "id": 1,
            "data": {"text": raw},
            "annotations": [
                {
                    "id": 1,
                    "completed_by": 1,
                    "result": [region("a", start, start + len(word), word)],
                }
            ],
        }
    ]
    (item,), _ = read(tasks, layer="entities")
    span = item.annotation.spans[0]
    assert span.text == unicodedata.normalize("NFC", word)
    assert item.document.text[span.start : span.end] == span.text
    assert item.issues == []


def test_offset_map_refuses_offsets_inside_a_merged_character() -> None:
    omap = OffsetMap(unicodedata.normalize("NFD", "é!"))
    assert (omap(0), omap(1), omap(2), omap(3)) == (0, None, 1, 2)
    assert omap(-1) is None and omap(4) is None
    assert OffsetMap("plain")(3) == 3


def test_utf16_offsets() -> None:
    text = "a😀b🎉cd"
    assert [utf16_to_code_points(text, u) for u in range(9)] == [0, 1, None, 2, 3, None, 4, 5, 6]


def test_emoji_before_a_span_with_utf16_offsets_is_caught() -> None:
    text = "Salut 😀 Microsoft."
    start = len("Salut 😀 ".encode("utf-16-le")) // 2
    tasks = [
        {
            "id": 1,
            "data": {"text": text},
            "annotations": [
                {"id": 1, "completed_by": 1, "result": [region("a", start, start + 9, "Microsoft")]}
            ],
        }
    ]
    (item,), _ = read(tasks, layer="entities")
    assert [(i.code, i.json_path) for i in item.issues] == [
        ("utf16-offsets", "$[0].annotations[0].result[0].value.start")
    ]


# ---------------------------------------------------------------- broken files
def test_truncated_export_raises_by_default_after_the_complete_tasks() -> None:
    body = json.dumps([{"id": 1, "data": {"text": "a"}}, {"id": 2, "data": {"text": "b"}}])
    tasks = iter_tasks(io.BytesIO(body[:-10].encode()))
    assert next(tasks)["id"] == 1
    with pytest.raises(ExportError) as err:
        next(tasks)
    assert err.value.json_path == "$[1]" and "truncated" in (err.value.hint or "")


def test_truncated_export_is_reported_on_request() -> None:
    body = json.dumps(
        [
            {
                "id": 1,
                "data": {"text": "Microsoft."},
                "annotations": [{"id": 1, "completed_by": 1, "result": []}],
            }
        ]
        * 2
    )
    stats = ExportStats()
    items = list(
        read_export(
            io.BytesIO(body[:-5].encode()), layer="entities", stats=stats, on_error="report"
        )
    )
    assert len(items) == 1
    assert [(i.code, i.json_path) for i in stats.errors] == [("invalid-json", "$[1]")]


def test_a_missing_file() -> None:
    with pytest.raises(ExportError, match="cannot read"):
        list(read_export("/nonexistent/export.json"))
    stats = ExportStats()
    assert list(read_export("/nonexistent/export.json", stats=stats, on_error="report")) == []
    assert stats.errors[0].code == "unreadable"


def test_memory_does_not_depend_on_the_export(tmp_path: Path) -> None:
    """The reader is a generator over the file: the first record arrives before the file
    is read to its end."""
    path = tmp_path / "export.json"
    task = {
        "id": 1,
        "data": {"text": "Microsoft."},
        "annotations": [{"id": 1, "completed_by": 1, "result": []}],
    }
    path.write_text(json.dumps([task] * 5000))
    with path.open("rb") as fh:
        first = next(read_export(fh, layer="entities"))
        assert first.annotation is not None
        assert fh.tell() < path.stat().st_size
