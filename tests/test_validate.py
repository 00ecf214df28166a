"""annotate.validate: record checks, the run's routing and counts, the output files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import annotate.validate as v
from annotate.corpus import read_articles
from annotate.errors import ConfigError, ExportError
from annotate.model import Annotation, Document, Relation, Span
from annotate.validate import (
    Report,
    check_record,
    record_validator,
    run_validation,
    validate_exports,
    write_outputs,
)
from tests.synthetic import synthetic_documents, synthetic_records

BAD = Path(__file__).parent / "data" / "bad"


@pytest.fixture(scope="module")
def doc() -> Document:
    return next(iter(read_articles(BAD / "articles")))


def record(doc: Document, layer: str, para: int, spans: list[Span], **kw: Any) -> dict[str, Any]:
    seg = doc.paragraphs[para]
    ann = Annotation(
        layer=layer,
        doc_id=doc.id,
        task_key=f"k{para}",
        segment_start=seg.start,
        segment_end=seg.end,
        annotator="a",
        annotation_id=1,
        spans=spans,
        **kw,
    )
    return ann.to_record()


def span(
    doc: Document, word: str, label: str, sid: str = "s", occurrence: int = 1, **attrs: Any
) -> Span:
    pos = -1
    for _ in range(occurrence):
        pos = doc.text.index(word, pos + 1)
    return Span(sid, pos, pos + len(word), word, label, attrs=attrs)


def codes(issues: list[Any]) -> list[tuple[str, str]]:
    return [(i.code, i.json_path) for i in issues]


# ---------------------------------------------------------------- one record
def test_a_valid_record_has_no_issue(doc: Document) -> None:
    rec = record(
        doc, "entities", 0, [span(doc, "Microsoft", "ORG", "a"), span(doc, "OpenAI", "ORG", "b")]
    )
    assert check_record(rec, document=doc, segment_text=doc.paragraphs[0].slice(doc.text)) == []


def test_every_problem_at_once_with_record_paths(doc: Document) -> None:
    spans = [
        span(doc, "Microsoft", "Organisation", "a"),
        span(doc, "Microsoft et OpenAI", "ORG", "b"),
        Span("a", 0, 9, "Micro soft", "ORG"),  # duplicate id, wrong text
        span(doc, "Sam", "PER", "c"),  # in another paragraph
    ]
    rec = record(doc, "entities", 0, spans)
    issues = check_record(rec, document=doc)
    assert codes(issues) == [
        ("unknown-label", "$.spans[0].label"),
        ("text-mismatch", "$.spans[2].text"),
        ("outside-segment", "$.spans[3]"),
        ("duplicate-span-id", "$.spans[2].id"),
        ("overlapping-spans", "$.spans[2]"),
        ("overlapping-spans", "$.spans[1]"),
    ]
    assert issues[0].hint == "did you mean 'ORG'?"


def test_a_span_crossing_its_segment(doc: Document) -> None:
    p0 = doc.paragraphs[0]
    rec = record(
        doc,
        "entities",
        0,
        [Span("a", p0.end - 8, p0.end + 5, doc.text[p0.end - 8 : p0.end + 5], "MISC")],
    )
    assert codes(check_record(rec, document=doc)) == [("crosses-segment", "$.spans[0]")]


def test_schema_errors_in_plain_words(doc: Document) -> None:
    rec = record(doc, "entities", 0, [span(doc, "Microsoft", "ORG")])
    rec["spans"][0]["start"] = "0"
    rec["segment"]["end"] = -1
    del rec["annotator"]
    issues = check_record(rec, document=doc)
    got = {i.json_path: (i.code, i.message) for i in issues}
    assert got["$.annotator"] == ("missing-field", "the record: annotator is missing")
    assert got["$.segment.end"] == ("negative-offset", "segment end: must be at least 0, got -1")
    assert got["$.spans[0].start"][0] == "wrong-type"
    assert "must be a whole number, got '0' (text)" in got["$.spans[0].start"][1]


def test_unknown_layer_and_document(doc: Document) -> None:
    assert codes(check_record({"layer": "entitie"}, document=None)) == [
        ("unknown-layer", "$.layer")
    ]
    rec = record(doc, "entities", 0, [span(doc, "Microsoft", "ORG")])
    assert codes(check_record(rec, document=None)) == [("unknown-document", "$.doc_id")]


def test_claims_rules(doc: Document) -> None:
    claim = span(
        doc,
        "le projet Stargate pourrait être lancé dès 2028 à Reno",
        "CLAIM",
        "c",
        claim_type="plan",
        modality="hedged",
        checkworthy="yes",
    )
    source = span(doc, "The Information", "SOURCE", "s")
    ok = record(doc, "claims", 1, [claim, source], relations=[Relation("c", "s", "attributed_to")])
    assert check_record(ok, document=doc) == []
    ok["relations"] = [
        {"from_id": "s", "to_id": "c", "label": "attributed_to"},
        {"from_id": "c", "to_id": "x", "label": "attributed_to"},
    ]
    assert codes(check_record(ok, document=doc)) == [
        ("bad-relation", "$.relations[0]"),
        ("dangling-relation", "$.relations[1].to_id"),
    ]


@pytest.mark.parametrize(
    ("label", "severity", "judgement", "expected"),
    [
        ("fluency/punctuation", "minor", "errors", []),
        (
            "fluency/punctuation",
            "critical",
            "errors",
            [("forbidden-combination", "$.spans[0].severity")],
        ),
        ("non-translation", "minor", "errors", [("forbidden-combination", "$.spans[0].severity")]),
        ("fluency/punctuation", "minor", "no-error", [("judgement-conflict", "$.judgement")]),
        ("fluency/punctuation", "minor", None, [("judgement-implied", "$.judgement")]),
    ],
)
def test_mqm_rules(
    doc: Document, label: str, severity: str, judgement: str | None, expected: list[Any]
) -> None:
    comma = span(doc, ",", label, "m", occurrence=2, severity=severity)
    rec = record(doc, "translation_errors", 2, [comma], judgement=judgement)
    assert codes(check_record(rec, document=doc)) == expected


def test_mqm_segment_without_spans(doc: Document) -> None:
    rec = record(doc, "translation_errors", 2, [], judgement=None)
    assert codes(check_record(rec, document=doc)) == [("missing-judgement", "$.judgement")]
    rec["origin"] = "prediction"  # a predictor gives no judgement
    assert check_record(rec, document=doc) == []


def test_whitespace_flag_or_fix(doc: Document) -> None:
    rec = record(doc, "entities", 0, [span(doc, " OpenAI ", "ORG")])
    assert codes(check_record(rec, document=doc)) == [("whitespace-edge", "$.spans[0].start")]
    assert rec["spans"][0]["text"] == " OpenAI "  # flagging changes nothing
    issues = check_record(rec, document=doc, whitespace="fix")
    assert [(i.code, i.severity) for i in issues] == [("whitespace-trimmed", "warning")]
    assert rec["spans"][0]["text"] == "OpenAI"
    assert doc.text[rec["spans"][0]["start"] : rec["spans"][0]["end"]] == "OpenAI"


def test_fast_path_and_explanations_agree() -> None:
    """A record the fast path rejects always gets at least one error or warning, and a
    record it accepts gets none (checked on valid records, then on each kind of fault)."""
    docs = synthetic_documents(3)
    val = record_validator("entities")
    for rec, d, seg in synthetic_records(200, docs):
        assert val.check(rec, document=d, segment_text=seg) == []
        assert val.semantic.explain(rec, d, seg) == []
    rec, d, seg = next(synthetic_records(1, docs, seed=3))
    faults = [
        lambda r: r["spans"][0].update(label="Person"),
        lambda r: r["spans"][1].update(id=r["spans"][0]["id"]),
        lambda r: r["spans"][0].update(
            end=r["spans"][0]["end"] + 1,
            text=d.text[r["spans"][0]["start"] : r["spans"][0]["end"] + 1],
        ),
        lambda r: r["spans"].append(dict(r["spans"][0], id="dup")),
        lambda r: r["spans"][0].update(start=r["segment"]["start"] - 1),
        lambda r: r["segment"].update(end=len(d.text) + 10),
        lambda r: r["relations"].append({"from_id": "x", "to_id": "y", "label": "z"}),
    ]
    for fault in faults:
        broken = json.loads(json.dumps(rec))
        fault(broken)
        assert val.check(broken, document=d, segment_text=seg), broken


# ---------------------------------------------------------------- a run
def test_validate_exports_keeps_records_and_balances() -> None:
    report = validate_exports(
        [BAD / "cases" / "mixed-file.json"], {d.id: d for d in read_articles(BAD / "articles")}
    )
    c = report.counts()
    assert (c["received"], c["valid"], c["quarantined"], c["balanced"]) == (6, 4, 2, True)
    assert len(report.valid) == 4 and all(isinstance(a, Annotation) for a in report.valid)
    assert [q.source["json_path"] for q in report.quarantined] == [
        "$[1].annotations[0]",
        "$[3].annotations[0]",
    ]
    assert not report.ok and report.errors == report.record_errors


def test_validate_exports_raises_on_a_truncated_export_by_default() -> None:
    with pytest.raises(ExportError):
        validate_exports([BAD / "cases" / "truncated-json.json"], {})
    report = validate_exports([BAD / "cases" / "truncated-json.json"], {}, on_error="report")
    assert [i.code for i in report.input_errors] == ["invalid-json"]
    assert report.counts()["unreadable_inputs"] == 1 and not report.ok


def test_unknown_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="did you mean 'entities'"):
        validate_exports([], {}, layer="entity")
    with pytest.raises(ConfigError):
        validate_exports([], {}, whitespace="strip")  # type: ignore[arg-type]


def test_whitespace_fix_changes_the_published_record() -> None:
    docs = {d.id: d for d in read_articles(BAD / "articles")}
    report = validate_exports([BAD / "cases" / "whitespace-edge.json"], docs, whitespace="fix")
    (ann,) = report.valid
    assert ann.spans[0].text == "OpenAI"


def test_run_validation_streams_to_files(tmp_path: Path) -> None:
    """Two exports holding the same annotation (task 1, annotation 101): the second copy
    is held back, across files."""
    docs = {d.id: d for d in read_articles(BAD / "articles")}
    report = run_validation(
        [BAD / "cases" / "mixed-file.json", BAD / "cases" / "cancelled.json"],
        docs,
        output=tmp_path / "out" / "valid.jsonl",
        quarantine=tmp_path / "out" / "quarantine.jsonl",
        report=tmp_path / "out" / "report.json",
    )
    assert report.valid == [] and report.quarantined == []  # not kept in memory
    c = report.counts()
    assert (c["received"], c["valid"], c["quarantined"], c["skipped"]) == (
        8,
        4,
        3,
        {"cancelled": 1},
    )
    valid = (tmp_path / "out" / "valid.jsonl").read_text().splitlines()
    assert len(valid) == 4 and json.loads(valid[0])["layer"] == "entities"
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["counts"] == c and len(saved["errors"]) == 3
    assert saved["errors"][-1]["code"] == "duplicate-record"
    assert saved["errors"][-1]["file"].endswith("cancelled.json")
    assert not list((tmp_path / "out").glob("*.part"))


def test_write_outputs_of_a_kept_report(tmp_path: Path) -> None:
    docs = {d.id: d for d in read_articles(BAD / "articles")}
    report = validate_exports([BAD / "cases" / "mixed-file.json"], docs)
    write_outputs(
        report,
        quarantine_path=tmp_path / "q.jsonl",
        report_path=tmp_path / "r.json",
        valid_path=tmp_path / "v.jsonl",
    )
    assert len((tmp_path / "q.jsonl").read_text().splitlines()) == 2
    assert len((tmp_path / "v.jsonl").read_text().splitlines()) == 4
    assert json.loads((tmp_path / "r.json").read_text())["counts"]["balanced"] is True


def test_an_empty_report_balances() -> None:
    assert Report().counts()["balanced"] is True and Report().ok


def test_streaming_and_in_memory_runs_agree(tmp_path: Path) -> None:
    """The streaming run (records to files) and the in-memory one route every unit of
    every bad case the same way: the same counts, the same valid records in the same
    order, as many quarantine lines as quarantined records."""
    docs = {d.id: d for d in read_articles(BAD / "articles")}
    exports = sorted((BAD / "cases").glob("*.json"))
    kept = v.validate_exports(exports, docs, on_error="report")
    streamed = v.run_validation(
        exports, docs, output=tmp_path / "v.jsonl", quarantine=tmp_path / "q.jsonl"
    )
    assert kept.counts()["quarantined"] > 0 and kept.counts()["valid"] > 0
    assert streamed.counts() == kept.counts()
    lines = (tmp_path / "v.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["record_id"] for line in lines] == [a.record_id for a in kept.valid]
    quarantined = (tmp_path / "q.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(quarantined) == len(kept.quarantined)
