"""The fast path of reading an annotation (``labelstudio.fast_records``, issue 16) builds
exactly the record the full path builds, and only for annotations on which the full path
finds no issue at all; a streamed run (fast path) writes the same valid records,
quarantine and report as a run that keeps its records (full path) over the same exports,
for every export the repository holds and for clean tasks broken in many small ways."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotate.corpus import read_articles
from annotate.errors import ExportError
from annotate.labelstudio.export import ExportStats, ReadItem, RecordItem, read_export
from annotate.labelstudio.fast_records import TypedTask, plain_number, typed_decoder
from annotate.labelstudio.json_items import array_items
from annotate.validate import run_validation, validate_exports
from annotate.validation.report import RecordWriter, write_outputs

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
EXPORTS = sorted((BAD / "cases").glob("*.json")) + sorted(
    p for p in (ROOT / "data" / "labels").rglob("*.json") if "pins" not in p.name
)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


def _written(record: dict[str, Any], *, plain: bool) -> str:
    out = io.BytesIO()
    writer = RecordWriter(valid_path=None, quarantine_path=None)
    writer._files["valid"] = out  # the writer's own file, in memory
    writer.valid(record, plain=plain)
    return out.getvalue().decode("utf-8")


def _fast_items_agree(path: Path) -> int:
    """For every annotation the fast path reads, the full path finds no issue and builds
    the same record (same keys in the same order: the same JSON); returns how many."""
    n = 0
    for item in read_export(path, fast=True, include_predictions=True, on_error="report"):
        if isinstance(item, RecordItem):
            full = item.full()
            assert isinstance(full, ReadItem) and full.annotation is not None
            assert full.issues == [], (path, full.issues)
            assert _dumps(full.annotation.to_record()) == _dumps(item.record)
            assert _written(item.record, plain=True) == _dumps(item.record) + "\n"
            assert full.segment_text == item.segment_text
            n += 1
    return n


def test_every_export_in_the_repository_reads_the_same_on_both_paths() -> None:
    fast = sum(_fast_items_agree(p) for p in EXPORTS)
    assert fast > 100  # the data/labels exports are mostly clean


def _streamed_and_kept(exports: list[Path], articles: Path, tmp: Path) -> tuple[str, str]:
    docs = {d.id: d for d in read_articles([articles])}
    streamed, kept = tmp / "streamed", tmp / "kept"
    run_validation(
        exports,
        docs,
        output=streamed / "valid.jsonl",
        quarantine=streamed / "q.jsonl",
        report=streamed / "report.json",
    )
    report = validate_exports(exports, docs, on_error="report")
    write_outputs(
        report,
        valid_path=kept / "valid.jsonl",
        quarantine_path=kept / "q.jsonl",
        report_path=kept / "report.json",
    )
    names = ("valid.jsonl", "q.jsonl", "report.json")
    return (
        "\n".join((streamed / n).read_text(encoding="utf-8") for n in names),
        "\n".join((kept / n).read_text(encoding="utf-8") for n in names),
    )


def test_the_label_exports_validate_the_same_on_both_paths(tmp_path: Path) -> None:
    labels = [p for p in EXPORTS if "data/labels" in str(p)]
    streamed, kept = _streamed_and_kept(labels, ROOT / "data" / "articles", tmp_path)
    assert streamed == kept


# ---------------------------------------------------------------------- broken in small ways
Edit = Callable[[dict[str, Any]], None]


def _region(ann: dict[str, Any], label: str | None = None) -> dict[str, Any]:
    return next(
        r
        for r in ann["result"]
        if r.get("type") == "labels" and (label is None or r["value"]["labels"] == [label])
    )


def _first(ann: dict[str, Any], rtype: str) -> dict[str, Any]:
    return next(r for r in ann["result"] if r.get("type") == rtype)


def _textarea(ann: dict[str, Any], text: Any) -> None:
    """A correction typed for the first region (its text as given)."""
    region = _region(ann)["id"]
    value = {"text": text}
    item = {"id": region, "from_name": "correction", "to_name": "text", "type": "textarea"}
    ann["result"].append({**item, "value": value})


EDITS: dict[str, tuple[str, Edit]] = {
    "region-without-id": ("valid-entities", lambda a: _region(a).pop("id")),
    "region-id-int": ("valid-entities", lambda a: _region(a).update(id=7)),
    "region-id-empty": ("valid-entities", lambda a: _region(a).update(id="")),
    "region-id-bool": ("valid-entities", lambda a: _region(a).update(id=True)),
    "two-labels": ("valid-entities", lambda a: _region(a)["value"].update(labels=["PER", "ORG"])),
    "no-label": ("valid-entities", lambda a: _region(a)["value"].update(labels=[])),
    "labels-text": ("valid-entities", lambda a: _region(a)["value"].update(labels="PER")),
    "start-float": ("valid-entities", lambda a: _region(a)["value"].update(start=1.0)),
    "start-bool": ("valid-entities", lambda a: _region(a)["value"].update(start=False)),
    "end-past-text": ("valid-entities", lambda a: _region(a)["value"].update(end=10**6)),
    "empty-region": (
        "valid-entities",
        lambda a: _region(a)["value"].update(end=_region(a)["value"]["start"]),
    ),
    "stale-text": ("valid-entities", lambda a: _region(a)["value"].update(text="autre")),
    "no-text": ("valid-entities", lambda a: _region(a)["value"].pop("text")),
    "score-exponent": ("valid-entities", lambda a: _region(a).update(score=1e20)),
    "score-plain": ("valid-entities", lambda a: _region(a).update(score=0.5)),
    "score-text": ("valid-entities", lambda a: _region(a).update(score="high")),
    "on-source": ("valid-entities", lambda a: _region(a).update(to_name="source")),
    "value-not-object": ("valid-entities", lambda a: _region(a).update(value=[1])),
    "item-not-object": ("valid-entities", lambda a: a["result"].append("x")),
    "unknown-control": (
        "valid-entities",
        lambda a: a["result"].append(
            {"type": "choices", "from_name": "mood", "to_name": "text", "value": {"choices": []}}
        ),
    ),
    "lead-time-tiny": ("valid-entities", lambda a: a.update(lead_time=1e-7)),
    "lead-time-huge": ("valid-entities", lambda a: a.update(lead_time=3e17)),
    "created-at-epoch": ("valid-entities", lambda a: a.update(created_at=1714557600)),
    "created-at-object": ("valid-entities", lambda a: a.update(created_at={"t": 1.5})),
    "no-annotator": ("valid-entities", lambda a: a.pop("completed_by")),
    "annotator-object": ("valid-entities", lambda a: a.update(completed_by={"id": "4"})),
    "annotation-id-huge": ("valid-entities", lambda a: a.update(id=2**70)),
    "annotation-id-text": ("valid-entities", lambda a: a.update(id=" 12 ")),
    "ground-truth-text": ("valid-entities", lambda a: a.update(ground_truth="yes")),
    "choice-text": ("claims-valid", lambda a: _first(a, "choices")["value"].update(choices="x")),
    "choice-empty": ("claims-valid", lambda a: _first(a, "choices")["value"].update(choices=[])),
    "choice-number": ("claims-valid", lambda a: _first(a, "choices")["value"].update(choices=[1])),
    "choice-orphan": ("claims-valid", lambda a: _first(a, "choices").update(id="nowhere")),
    "choice-id-int": ("claims-valid", lambda a: _first(a, "choices").update(id=3)),
    "choice-before-region": ("claims-valid", lambda a: a["result"].reverse()),
    "relation-unlabelled": ("claims-valid", lambda a: _first(a, "relation").pop("labels")),
    "relation-labels-empty": (
        "claims-valid",
        lambda a: _first(a, "relation").update(labels=[]),
    ),
    "relation-no-end": ("claims-valid", lambda a: _first(a, "relation").update(from_id="")),
    "relation-labels-text": (
        "claims-valid",
        lambda a: _first(a, "relation").update(labels="attributed_to"),
    ),
    "relation-id-int": ("claims-valid", lambda a: _first(a, "relation").update(to_id=5)),
    "textarea": ("mqm-valid", lambda a: _textarea(a, ["vers", "la"])),
    "textarea-text": ("mqm-valid", lambda a: _textarea(a, "fix")),
    "textarea-none": ("mqm-valid", lambda a: _textarea(a, None)),
    "textarea-mixed": ("mqm-valid", lambda a: _textarea(a, [" a ", 1, "b"])),
    "textarea-blank": ("mqm-valid", lambda a: _textarea(a, [" "])),
    "judgement-dropped": (
        "mqm-valid",
        lambda a: a["result"].remove(
            next(r for r in a["result"] if r.get("from_name") == "judgement")
        ),
    ),
    "unchanged-entities": ("valid-entities", lambda a: None),
    "unchanged-claims": ("claims-valid", lambda a: None),
    "unchanged-mqm": ("mqm-valid", lambda a: None),
}


# How an export is laid out decides how its tasks after the first are read: an indented
# one is cut by its separator and each task decoded by msgspec from its bytes; in a
# compact one written by json.dumps the separator (", {\"id\":") is also between result
# items, so ijson reads it and its tasks are converted into the structs.
LAYOUTS = {"indented": {"indent": 2}, "compact": {}}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_task_broken_in_a_small_way_reads_the_same_on_both_paths(
    name: str, layout: str, tmp_path: Path
) -> None:
    case, edit = EDITS[name]
    tasks = json.loads((BAD / "cases" / f"{case}.json").read_text(encoding="utf-8"))
    changed = copy.deepcopy(tasks)
    edit(changed[0]["annotations"][0])
    export = tmp_path / "export.json"
    text = json.dumps(tasks + changed, ensure_ascii=False, **LAYOUTS[layout])
    export.write_text(text, encoding="utf-8")
    assert _fast_items_agree(export) >= (2 if name.startswith("unchanged") else 1)
    streamed, kept = _streamed_and_kept([export], BAD / "articles", tmp_path)
    assert streamed == kept


def test_tasks_after_the_first_are_decoded_into_structs_from_their_bytes() -> None:
    """The typed decoding is what makes the fast path fast: check that it is used."""
    tasks = json.loads((BAD / "cases" / "valid-entities.json").read_text(encoding="utf-8"))
    data = json.dumps(tasks * 3, ensure_ascii=False, indent=2).encode("utf-8")
    items = list(array_items(io.BytesIO(data), typed=typed_decoder))
    assert isinstance(items[0], dict)  # the first is read exactly, as plain JSON
    assert all(isinstance(t, TypedTask) for t in items[1:]) and len(items) == 3 * len(tasks)
    assert [t.as_dict() for t in items[1:]] == (tasks * 3)[1:]


def test_a_foreign_task_after_one_made_by_annotate_takes_the_full_path(tmp_path: Path) -> None:
    tasks = json.loads((BAD / "cases" / "valid-entities.json").read_text(encoding="utf-8"))
    foreign = copy.deepcopy(tasks[0])
    foreign["data"] = {"text": foreign["data"]["text"], "title": "deux champs de texte"}
    export = tmp_path / "mixed.json"
    export.write_text(json.dumps([tasks[0], foreign], indent=2), encoding="utf-8")

    def read(fast: bool) -> list[Any]:
        out: list[Any] = []
        try:
            for item in read_export(export, fast=fast, on_error="report"):
                if isinstance(item, RecordItem):
                    out.append(item.record)
                elif item.annotation is not None:
                    out.append(item.annotation.to_record())
                else:
                    out.append([i.to_dict() for i in item.issues])
        except ExportError as exc:  # which field is the text: the full path asks
            out.append(exc.message)
        return out

    assert read(True) == read(False)


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (None, True),
        (True, True),
        (2**70, True),  # orjson refuses it; the writer falls back to json.dumps
        (0.0, True),
        (-0.0, True),
        (12.5, True),
        (1e-4, True),
        (9999999999999998.0, True),
        (1e16, False),
        (1e-5, False),
        (float("nan"), False),
        ("1.5", False),
    ],
)
def test_plain_numbers_are_written_alike_by_orjson_and_json(value: Any, plain: bool) -> None:
    assert plain_number(value) is plain
    record = {"x": value, "t": "é\n\u2028\x7f"}
    assert _written(record, plain=plain) == _dumps(record) + "\n"
    if plain and value != 2**70:
        assert orjson.dumps(record).decode() == _dumps(record)


@pytest.mark.parametrize(
    "extra",
    [{"completions": []}, {"drafts": [{"result": []}]}, {"predictions": {"result": []}}],
    ids=["completions", "drafts", "lone-prediction"],
)
def test_a_task_with_more_than_annotations_is_counted_as_the_full_path_counts_it(
    extra: dict[str, Any], tmp_path: Path
) -> None:
    tasks = json.loads((BAD / "cases" / "valid-entities.json").read_text(encoding="utf-8"))
    export = tmp_path / "export.json"
    text = json.dumps([*tasks, {**tasks[0], **extra}], ensure_ascii=False, indent=2)
    export.write_text(text, encoding="utf-8")
    streamed, kept = _streamed_and_kept([export], BAD / "articles", tmp_path)
    assert streamed == kept
    counted = []
    for fast in (True, False):
        stats = ExportStats()
        for _ in read_export(export, fast=fast, stats=stats):
            pass
        counted.append(stats)
    assert counted[0] == counted[1]
