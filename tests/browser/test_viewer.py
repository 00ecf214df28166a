"""The release viewer, opened from disk in headless chromium as a reader would."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from annotate.release.viewer import VIEWER_FORMATS, write_viewer
from tests.browser.conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "1.0.0"
LAYERS = ("entities", "claims", "translation_errors")

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewer_format", VIEWER_FORMATS)
def test_every_row_of_a_document_is_highlighted_and_layers_toggle(page, tmp_path, viewer_format):
    viewer = write_viewer(RELEASE, out=tmp_path / "viewer", viewer_format=viewer_format).out
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((viewer / "index.html").as_uri())
    assert (
        page.locator("#documents tbody tr").count()
        == pq.read_table(RELEASE / "documents" / "train.parquet").num_rows
    )
    screenshot(page, tmp_path, f"viewer-{viewer_format}-index")
    page.locator("#documents tbody a").first.click()
    page.wait_for_load_state("domcontentloaded")
    doc_id = page.locator("main code").first.inner_text()
    rows = {
        layer: Counter(
            pq.read_table(RELEASE / layer / "train.parquet").column("doc_id").to_pylist()
        )[doc_id]
        for layer in LAYERS
    }
    assert all(rows.values())
    for layer, n in rows.items():
        gold = f'.block[data-annotator="gold"][data-layer="{layer}"]'
        marked = page.locator(f"{gold} .vw-mark, {gold} .vw-start")
        assert marked.count() == n, layer
        assert marked.first.is_visible()
    screenshot(page, tmp_path, f"viewer-{viewer_format}-document")

    page.locator('input[data-toggle="layer"][value="claims"]').uncheck()
    assert not page.locator('.block[data-layer="claims"]').first.is_visible()
    assert page.locator('.block[data-layer="entities"]').first.is_visible()
    rater = page.locator('input[data-toggle="annotator"]').first
    name = rater.get_attribute("value")
    assert not page.locator(f'.block[data-annotator="{name}"]').first.is_visible()
    rater.check()
    assert page.locator(
        f'.block[data-annotator="{name}"]:not([data-layer="claims"])'
    ).first.is_visible()
    assert page.locator(".vw-disputed").count() > 0  # the raters of 1.0.0 disagree somewhere
    screenshot(page, tmp_path, f"viewer-{viewer_format}-document-toggled")
    assert errors == []  # format 2 draws with its script: it ran without an error


RELEASE_21 = ROOT / "releases" / "stargate-fr-annotations" / "2.1.0"


def _expected_marks() -> dict[str, str]:
    """Row anchor → ``note`` or ``dispute`` for the two raters' MQM spans of 2.1.0, worked
    out here on the rows: the same offsets, label and fields but the comment in the other
    rater's version of the segment is a note when the comment differs; no such span there
    is a dispute."""
    import json
    import re

    rows = [
        r
        for r in pq.read_table(RELEASE_21 / "annotations" / "train.parquet").to_pylist()
        if r["origin"] == "annotation" and r["layer"] == "translation_errors" and r["start"]
    ]

    def decision(r: dict) -> tuple:
        attrs = {k: v for k, v in json.loads(r["attributes"]).items() if k != "comment"}
        return (r["start"], r["end"], r["label"], sorted(attrs.items()))

    out = {}
    for r in rows:
        others = [
            o
            for o in rows
            if o["annotator"] != r["annotator"]
            and (o["segment_start"], o["segment_end"]) == (r["segment_start"], r["segment_end"])
        ]
        same = [o for o in others if decision(o) == decision(r)]
        mark = None
        if not same:
            mark = "dispute"
        elif json.loads(same[0]["attributes"]).get("comment") != json.loads(r["attributes"]).get(
            "comment"
        ):
            mark = "note"
        if mark:
            anchor = f"translation_errors-{r['annotator']}-{r['span_id']}"
            out[re.sub(r"[^A-Za-z0-9_-]", "_", anchor)] = mark
    return out


def test_format_3_shows_a_note_as_a_note_and_a_dispute_as_a_dispute(page, tmp_path):
    """Viewer format 3 marks the raters' spans by annotate.disputes (definition 2): two
    raters who made the same MQM error and worded its comment otherwise have a note
    (dotted, ✎), not a dispute; raters who differ in its severity or correction only are
    in dispute, which format 2 (2.1.0's pages: offsets and label) did not mark, and the
    adjudicator is no rater, whom format 2 marked."""
    expected = _expected_marks()
    notes = {a for a, m in expected.items() if m == "note"}
    disputes = {a for a, m in expected.items() if m == "dispute"}
    assert notes and disputes
    drawn = {}
    for viewer_format in (2, 3):
        viewer = write_viewer(
            RELEASE_21,
            out=tmp_path / f"viewer-{viewer_format}",
            viewer_format=viewer_format,
            agreement_definition=2,
        ).out
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto(next(viewer.glob("doc-*.html")).as_uri())
        for box in page.locator('input[data-toggle="annotator"]').all():
            box.check()
        rater_rows = '.block.rater.layer-translation_errors tr[id^="row-"]'
        drawn[viewer_format] = {
            kind: {
                row.get_attribute("id").removeprefix("row-")
                for row in page.locator(f"{rater_rows}.{kind}").all()
            }
            for kind in ("note", "disputed")
        }
        assert errors == []
        if viewer_format == 3:
            note = page.locator(f"#{sorted(notes)[0]}")
            note.scroll_into_view_if_needed()
            assert "✎" in note.inner_text() and "vw-note" in note.get_attribute("class")
            dispute = page.locator(f"#{sorted(disputes)[0]}")
            assert "≠" in dispute.inner_text()
            assert "vw-disputed" in dispute.get_attribute("class")
            header = page.locator("main p").first.inner_text()
            assert f"{len(notes)} with a note" in header
            shot = screenshot(page, tmp_path, "viewer-3-notes")
            assert shot.stat().st_size > 0
    assert drawn[3] == {"note": notes, "disputed": disputes}
    # format 2's looser definition: offsets and label only, the adjudicator a rater too
    assert disputes - drawn[2]["disputed"]  # raters who differ in a field (severity) only
    adjudicator = {
        r["annotator"]
        for r in pq.read_table(RELEASE_21 / "annotations" / "train.parquet").to_pylist()
        if r["origin"] == "adjudication"
    }.pop()
    assert any(f"-{adjudicator}-" in a for a in drawn[2]["disputed"])
    assert not any(f"-{adjudicator}-" in a for kind in drawn[3].values() for a in kind)
