"""WMT MQM TSV: importing the published files, exporting ours, and the round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from annotate.errors import ExportError
from annotate.release.mqm import COLUMNS, import_mqm, read_mqm_tsv, write_mqm_tsv
from annotate.release.tables import read_rows
from annotate.validate import check_record

DATA = Path(__file__).resolve().parents[1] / "data" / "mqm"
ENDE = DATA / "mqm_ted_ende.lines0001-0300.tsv"
ZHEN = DATA / "mqm_ted_zhen.lines0001-0300.tsv"


def _assert_valid(imported):
    for rec in imported.records:
        doc = imported.documents[rec.doc_id]
        assert check_record(rec.to_record(), document=doc) == []
        for s in rec.spans:
            assert doc.text[s.start : s.end] == s.text


def test_import_ende():
    imported = read_mqm_tsv(ENDE, target_lang="de", source_lang="en")
    assert imported.rows == 299
    assert imported.issues == []
    _assert_valid(imported)
    spans = [s for r in imported.records for s in r.spans]
    # every error row of this file has its span in the target
    assert len(spans) == 299 - 131
    groups = {
        tuple(row[:5])
        for row in csv.reader(ENDE.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE)
    } - {tuple(COLUMNS[:5])}
    assert len(imported.records) == len(groups)
    first = next(r for r in imported.records if r.annotation_id == "Facebook-AI|talk.1|1|1|rater1")
    (span,) = first.spans
    assert (span.text, span.label, span.attrs["severity"]) == (
        "in Betracht zu ziehen",
        "terminology/inappropriate",
        "minor",
    )
    doc = imported.documents[first.doc_id]
    assert doc.text.startswith("Ich möchte Sie alle bitten") and "<v>" not in doc.text
    assert doc.source_text.startswith("I want to ask you all") and doc.lang == "de"
    no_error = [r for r in imported.records if r.judgement == "no-error"]
    assert no_error and all(not r.spans for r in no_error)
    assert {r.judgement for r in imported.records} == {"errors", "no-error"}


def test_import_zhen_without_comment_column():
    imported = read_mqm_tsv(ZHEN, target_lang="en", source_lang="zh")
    assert imported.issues == []
    _assert_valid(imported)
    # omissions are marked in the source (no span of the target), source errors are not
    # translation errors: both are counted, not lost silently
    assert imported.skipped["error marked in the source only"] == 7
    assert imported.skipped["source error (not a translation error)"] == 5
    spans = [s for r in imported.records for s in r.spans]
    assert len(spans) == 299 - 113 - 7 - 5
    labels = {s.label for s in spans}
    assert {"accuracy/mistranslation", "style/awkward", "fluency/grammar"} <= labels
    assert not imported.remapped


def test_unknown_category_becomes_other_with_the_name_kept(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text(
        "\t".join(COLUMNS)
        + "\nsysA\tdoc1\t1\t1\trater1\tsrc\tLe <v>chat</v> dort.\tFluency/Character encoding\tMinor\tbad\n",
        encoding="utf-8",
    )
    imported = read_mqm_tsv(path)
    (rec,) = imported.records
    assert rec.spans[0].label == "other"
    assert rec.spans[0].attrs["comment"] == "[Fluency/Character encoding] bad"
    assert imported.remapped == {"Fluency/Character encoding": 1}


def test_not_an_mqm_file(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(ExportError, match="missing columns"):
        read_mqm_tsv(path)


def _canonical(records, documents):
    """What the TSV carries of a record: where it is, who made it, its errors."""
    out = set()
    for r in records:
        judgement = "errors" if r.spans else "no-error"
        spans = tuple(
            sorted(
                (
                    s.start,
                    s.end,
                    documents[r.doc_id].text[s.start : s.end],
                    s.label,
                    s.attrs["severity"],
                    s.attrs.get("comment") or "",
                )
                for s in r.spans
            )
        )
        out.add((r.doc_id, r.segment_start, r.segment_end, r.annotator, judgement, spans))
    return out


def test_our_export_reimports_to_the_same_records(build, exports, document, tmp_path):
    release = build(exports, formats=("mqm",)).path
    tsv = release / "formats/translation_errors.mqm.tsv"
    segments = read_rows(release / "segments/train.parquet")
    errors = read_rows(release / "translation_errors/train.parquet")
    imported = read_mqm_tsv(tsv, documents={document.id: document})
    assert imported.issues == [] and not imported.skipped

    from annotate.model import Annotation, Span

    expected = []
    for seg in segments:
        if seg["layer"] != "translation_errors":
            continue
        inside = [
            e
            for e in errors
            if (e["doc_id"], e["segment_start"]) == (seg["doc_id"], seg["segment_start"])
        ]
        expected.append(
            Annotation(
                layer="translation_errors",
                doc_id=seg["doc_id"],
                task_key="",
                segment_start=seg["segment_start"],
                segment_end=seg["segment_end"],
                annotator=seg["annotator"],
                spans=[
                    Span(
                        e["error_id"],
                        e["start"],
                        e["end"],
                        e["span_text"],
                        e["label"],
                        attrs={"severity": e["severity"], "comment": e["comment"]},
                    )
                    for e in inside
                ],
            )
        )
    docs = {document.id: document}
    assert _canonical(imported.records, docs) == _canonical(expected, docs)
    assert len(imported.records) == 4
    # the re-imported records are valid records of our schema, on our document's offsets
    for rec in imported.records:
        assert rec.doc_id == document.id
        assert check_record(rec.to_record(), document=document) == []
    # and writing them again gives the same file
    again = tmp_path / "again.tsv"
    write_mqm_tsv(docs, segments, errors, again)
    assert again.read_bytes() == tsv.read_bytes()


def test_imported_mqm_data_can_be_packaged(tmp_path, paths):
    """import → documents.jsonl + a Label Studio export → build: a release of WMT data.
    Raters who judged the same target text are one task, so the release holds their gold
    (consensus), as for our own annotations."""
    from annotate.agreement import select_gold
    from annotate.release.build import build_release

    imported = import_mqm(ENDE, out=tmp_path / "ende", target_lang="de", source_lang="en")
    release = build_release(
        articles=tmp_path / "ende/documents.jsonl",
        exports=[tmp_path / "ende/export.json"],
        out=tmp_path / "releases",
        dataset="wmt-ted-ende",
        version="1.0.0",
        card_template=paths.card,
        project_root=tmp_path,
        formats=("mqm",),
    )
    assert release.report.counts()["quarantined"] == 0
    assert release.report.counts()["valid"] == len(imported.records)
    gold = select_gold(imported.records)
    assert release.counts["translation_errors"] == sum(
        len(g.annotation.spans) for g in gold.values()
    )
    assert release.counts["documents"] == len(imported.documents)
    tsv = (release.path / "formats/translation_errors.mqm.tsv").read_text(encoding="utf-8")
    assert tsv.count("\n") == 1 + release.counts["translation_errors"] + sum(
        1 for g in gold.values() if not g.annotation.spans
    )
