"""WMT MQM TSV: importing the published files, the release's MQM TSV, and the round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from annotate.errors import ExportError
from annotate.pipeline import gold_set
from annotate.release.mqm import write_wmt_tsv
from annotate.release.tables import read_rows
from annotate.sources.mqm_import import import_mqm, read_mqm_tsv
from annotate.sources.wmt_mqm import COLUMNS
from annotate.validate import check_record

DATA = Path(__file__).resolve().parents[1] / "data" / "mqm"
ENDE = DATA / "mqm_ted_ende.lines0001-0300.tsv"
ZHEN = DATA / "mqm_ted_zhen.lines0001-0300.tsv"


def _assert_valid(imported):
    for rec in imported.records:
        doc = imported.documents[rec.doc_id]
        assert check_record(rec.to_record(), document=doc) == []
        for s in rec.spans:
            text = doc.source_text if s.attrs.get("side") == "source" else doc.text
            assert text[s.start : s.end] == s.text


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
    first = next(
        r
        for r in imported.records
        if r.annotation_id.startswith('["Facebook-AI", "talk.1", "1", "1"')
    )
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
    spans = [s for r in imported.records for s in r.spans]
    # every error row is a span, the 12 marked in the source (7 omissions, 5 source errors)
    # on the source side
    assert len(spans) == 299 - 113
    assert sum(1 for s in spans if s.attrs.get("side") == "source") == 12
    labels = {s.label for s in spans}
    assert {"accuracy/mistranslation", "style/awkward", "fluency/grammar"} <= labels
    assert imported.remapped == {"Source error": 5}


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
    """The MQM TSV of a release of our own annotations holds every annotator's
    translation-error annotations (schema 1.1.0), and reads back onto our document."""
    import json

    release = build(exports, formats=("mqm",)).path
    tsv = release / "formats/translation_errors.mqm.tsv"
    raw = [
        r
        for r in read_rows(release / "annotations/train.parquet")
        if r["layer"] == "translation_errors"
    ]
    imported = read_mqm_tsv(tsv, documents={document.id: document})
    assert imported.issues == [] and not imported.skipped

    from annotate.model import Annotation, Span

    expected = {}
    for r in raw:
        rec = expected.setdefault(
            (r["annotator"], r["segment_start"]),
            Annotation(
                layer="translation_errors",
                doc_id=r["doc_id"],
                task_key="",
                segment_start=r["segment_start"],
                segment_end=r["segment_end"],
                annotator=r["annotator"],
            ),
        )
        if r["start"] is not None:
            attrs = json.loads(r["attributes"])
            rec.spans.append(
                Span(
                    r["span_id"],
                    r["start"],
                    r["end"],
                    r["span_text"],
                    r["label"],
                    attrs={"severity": attrs["severity"], "comment": attrs.get("comment")},
                )
            )
    docs = {document.id: document}
    assert _canonical(imported.records, docs) == _canonical(expected.values(), docs)
    assert len(imported.records) == len(expected)  # every rater's, not only the gold
    # the re-imported records are valid records of our schema, on our document's offsets
    for rec in imported.records:
        assert rec.doc_id == document.id
        assert check_record(rec.to_record(), document=document) == []
    # and writing them again gives the same file
    again = tmp_path / "again.tsv"
    write_wmt_tsv(docs, raw, again)
    assert again.read_bytes() == tsv.read_bytes()


def test_imported_mqm_data_can_be_packaged(tmp_path, paths):
    """import → documents.jsonl + a Label Studio export → build: a release of WMT data.
    Raters who judged the same target text are one task; nobody adjudicated WMT's raters,
    so the release holds their majority, accepted on purpose (``--gold majority``)."""
    from annotate.gold import select_gold
    from annotate.release.build import build_release
    from annotate.release.guard import Acceptance

    imported = import_mqm(ENDE, out=tmp_path / "ende", target_lang="de", source_lang="en")
    release = build_release(
        gold_set(
            articles=tmp_path / "ende/documents.jsonl", exports=[tmp_path / "ende/export.json"]
        ),
        out=tmp_path / "releases",
        dataset="wmt-ted-ende",
        version="1.0.0",
        card_template=paths.card,
        project_root=tmp_path,
        formats=("mqm",),
        accept=Acceptance(majority=True),
    )
    assert release.report.counts()["quarantined"] == 0
    assert release.report.counts()["valid"] == len(imported.records)
    gold = select_gold(imported.records)
    assert release.counts["translation_errors"] == sum(
        len(g.annotation.spans) for g in gold.values()
    )
    assert release.counts["documents"] == len(imported.documents)
    tsv = (release.path / "formats/translation_errors.mqm.tsv").read_text(encoding="utf-8")
    # every rater-segment: its errors, or one No-error row
    assert tsv.count("\n") == 1 + sum(max(1, len(r.spans)) for r in imported.records)


def _wmt_release(tsv: Path, out: Path, paths, name: str):
    from annotate.release.build import build_release
    from annotate.release.guard import Acceptance

    import_mqm(tsv, out=out / "import", target_lang="en")
    return build_release(
        gold_set(articles=out / "import/documents.jsonl", exports=[out / "import/export.json"]),
        out=out / "releases",
        dataset=name,
        version="1.0.0",
        card_template=paths.card,
        project_root=out,
        formats=("mqm",),
        accept=Acceptance(majority=True),  # WMT's raters were not adjudicated
    )


def _release_scores(release: Path) -> dict[str, tuple[int, float]]:
    """Per-system (rater-segments, MQM score) from the release's own rows: every rater's
    errors in the annotations config, weighed by the layer (the schema's weights), grouped
    by the system their annotation id names."""
    import json

    from annotate.layers.translation_errors import TranslationErrorsLayer

    layer = TranslationErrorsLayer()
    segments: dict[str, set[str]] = {}
    totals: dict[str, float] = {}
    for r in read_rows(release / "annotations/train.parquet"):
        system = json.loads(r["annotation_id"])[0]
        segments.setdefault(system, set()).add(r["annotation_id"])
        if r["start"] is not None:
            severity = json.loads(r["attributes"])["severity"]
            totals[system] = totals.get(system, 0.0) + layer.weight(r["label"], severity)
    return {s: (len(ids), totals.get(s, 0.0) / len(ids)) for s, ids in sorted(segments.items())}


@pytest.mark.parametrize("tsv", [ENDE, ZHEN], ids=["ende", "zhen"])
def test_system_scores_from_the_release_equal_the_wmt_files(tsv, tmp_path, paths):
    """Issue 12 acceptance: mqm-import, build --formats mqm, then per-system MQM scores and
    rater-segment counts from the release equal those of the original file (to 1e-9, same
    system names), and the release verifies. Before, the exported TSV named one system
    (`unknown`) and omissions were lost."""
    from annotate.release.verify import verify_release
    from annotate.sources.wmt_mqm import read_rows as tsv_rows
    from annotate.sources.wmt_mqm import system_scores

    built = _wmt_release(tsv, tmp_path, paths, "wmt")
    wmt = system_scores(tsv_rows(tsv))
    exported = system_scores(tsv_rows(built.path / "formats/translation_errors.mqm.tsv"))
    assert list(exported) == list(wmt) and len(wmt) >= 14
    from_rows = _release_scores(built.path)
    assert list(from_rows) == list(wmt)
    for system, want in wmt.items():
        assert exported[system].rater_segments == want.rater_segments, system
        assert abs(exported[system].score - want.score) <= 1e-9, system
        assert from_rows[system][0] == want.rater_segments, system
        assert abs(from_rows[system][1] - want.score) <= 1e-9, system
    report = verify_release(built.path)
    assert report.ok, [str(p) for p in report.problems]


def test_importing_the_exported_tsv_gives_the_same_release(tmp_path, paths):
    """WMT in, WMT out: the release's MQM TSV carries system, doc, seg_id, a pseudonymous
    rater, source and target with the mark on the error's side; importing it again and
    building gives the same files (zhen: source-side errors included)."""
    first = _wmt_release(ZHEN, tmp_path / "a", paths, "wmt").path
    tsv = first / "formats/translation_errors.mqm.tsv"
    rows = list(csv.reader(tsv.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == COLUMNS
    assert {r[0] for r in rows[1:]} >= {"Borderline", "DIDI-NLP", "ref"}
    assert {r[1] for r in rows[1:]} == {"talk.2"} and all(r[5] for r in rows[1:])
    assert all(r[4].startswith("r") and "rater" not in r[4] for r in rows[1:])
    assert sum(1 for r in rows[1:] if "<v>" in r[5]) == 12  # marked in the source
    second = _wmt_release(tsv, tmp_path / "b", paths, "wmt").path
    for config in ("documents", "segments", "translation_errors", "annotations"):
        rel = f"{config}/train.parquet"
        assert (second / rel).read_bytes() == (first / rel).read_bytes(), rel
    again = second / "formats/translation_errors.mqm.tsv"
    assert again.read_bytes() == tsv.read_bytes()
