"""WMT MQM TSV: rows, marks, scores, and the import of both sides of a translation."""

from __future__ import annotations

from pathlib import Path

from annotate.sources.mqm_import import read_mqm_tsv
from annotate.sources.wmt_mqm import COLUMNS, read_rows, system_scores, unmark, wmt_weight
from annotate.validate import check_record

DATA = Path(__file__).resolve().parents[1] / "data" / "mqm"
ZHEN = DATA / "mqm_ted_zhen.lines0001-0300.tsv"

SOURCE = "The cat sat on the mat today."
TARGET = "Le chat était assis sur le tapis."


def _tsv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join("\t".join(r) for r in [COLUMNS, *rows]) + "\n", encoding="utf-8")
    return path


def test_unmark_keeps_an_unclosed_mark_to_the_end():
    # two rows of WMT's TED files open a <v> and never close it
    assert unmark("a <v>b</v> c") == ("a b c", [(2, 3)])
    assert unmark("Mobilität. <v>?") == ("Mobilität. ?", [(11, 12)])
    assert unmark("<v>The same country.") == ("The same country.", [(0, 17)])


def test_omissions_and_source_errors_are_kept_on_the_source_side(tmp_path):
    """Issue 12 item 4: errors marked in the source were dropped, and a segment whose only
    errors are there became no-error."""
    omission = SOURCE.replace("today", "<v>today</v>")
    path = _tsv(
        tmp_path / "x.tsv",
        [
            [
                "sysA",
                "doc1",
                "1",
                "1",
                "rater1",
                omission,
                TARGET,
                "Accuracy/Omission",
                "Major",
                "",
            ],
            [
                "sysA",
                "doc1",
                "1",
                "2",
                "rater1",
                "The <v>cta</v> sat.",
                "Le chat.",
                "Source error",
                "Minor",
                "typo",
            ],
            [
                "sysB",
                "doc1",
                "1",
                "1",
                "rater2",
                SOURCE,
                TARGET.replace("tapis", "<v>tapis</v>"),
                "Accuracy/Mistranslation",
                "Minor",
                "",
            ],
            [
                "sysC",
                "doc1",
                "1",
                "1",
                "rater2",
                SOURCE,
                "Le chat dort.",
                "No-error",
                "No-error",
                "",
            ],
        ],
    )
    imported = read_mqm_tsv(path, target_lang="fr", source_lang="en")
    assert imported.issues == [] and not imported.skipped
    by_system = {r.annotation_id.split('"')[1]: r for r in imported.records}
    assert len(imported.records) == 4
    omitted = next(
        r
        for r in imported.records
        if r.annotator == "rater1" and r.spans[0].label == "accuracy/omission"
    )
    (span,) = omitted.spans
    doc = imported.documents[omitted.doc_id]
    assert omitted.judgement == "errors"
    assert span.attrs["side"] == "source" and span.attrs["severity"] == "major"
    assert doc.source_text == SOURCE and doc.source_text[span.start : span.end] == "today"
    assert doc.text == TARGET
    source_error = next(r for r in imported.records if r.spans and r.spans[0].label == "other")
    assert source_error.judgement == "errors"
    assert source_error.spans[0].attrs == {
        "severity": "minor",
        "comment": "[Source error] typo",
        "side": "source",
    }
    # a segment is no-error only without an error on either side
    assert [r.judgement for r in imported.records].count("no-error") == 1
    assert by_system["sysC"].judgement == "no-error"
    assert by_system["sysB"].spans[0].attrs.get("side") is None  # the target, as before
    for rec in imported.records:
        assert check_record(rec.to_record(), document=imported.documents[rec.doc_id]) == []


def test_a_source_side_span_that_does_not_match_the_source_is_reported(tmp_path):
    path = _tsv(
        tmp_path / "x.tsv",
        [
            [
                "sysA",
                "d",
                "1",
                "1",
                "r",
                "<v>The</v> cat.",
                "Le chat.",
                "Accuracy/Omission",
                "Minor",
                "",
            ]
        ],
    )
    imported = read_mqm_tsv(path)
    rec = imported.records[0]
    record = rec.to_record()
    record["spans"][0]["text"] = "cat"
    codes = {p.code for p in check_record(record, document=imported.documents[rec.doc_id])}
    assert "text-mismatch" in codes


def test_the_300_line_zhen_file_keeps_every_error():
    imported = read_mqm_tsv(ZHEN, target_lang="en", source_lang="zh")
    assert imported.issues == [] and not imported.skipped
    errors = [row for row in read_rows(ZHEN) if row.is_error]
    spans = [s for r in imported.records for s in r.spans]
    assert len(spans) == len(errors) == 186
    source = [s for s in spans if s.attrs.get("side") == "source"]
    # 7 omissions and 5 source errors, all marked in the source
    assert len(source) == 12
    assert {s.label for s in source} == {"accuracy/omission", "other"}
    assert len(imported.records) == len({row.key for row in read_rows(ZHEN)})


def test_wmt_weights_and_the_mean_per_rater_segment(tmp_path):
    assert wmt_weight("Fluency/Punctuation", "Minor") == 0.1
    assert wmt_weight("Fluency/Punctuation", "Major") == 5
    assert wmt_weight("Non-translation!", "Major") == 25
    assert wmt_weight("Accuracy/Omission", "Neutral") == 0
    assert wmt_weight("No-error", "No-error") == 0
    path = _tsv(
        tmp_path / "x.tsv",
        [
            ["A", "d", "1", "1", "r1", "s", "<v>t</v>", "Style/Awkward", "Minor", ""],
            ["A", "d", "1", "1", "r1", "s", "t<v>.</v>", "Fluency/Punctuation", "Minor", ""],
            ["A", "d", "1", "2", "r1", "s", "t", "No-error", "No-error", ""],
            ["B", "d", "1", "1", "r2", "<v>s</v>", "t", "Accuracy/Omission", "Major", ""],
        ],
    )
    scores = system_scores(read_rows(path))
    assert list(scores) == ["A", "B"]
    assert (scores["A"].rater_segments, scores["A"].score) == (2, (1 + 0.1) / 2)
    assert (scores["B"].rater_segments, scores["B"].score) == (1, 5.0)
