"""annotate view: the static viewer's pages, without a browser (tests/browser has the rest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.release import viewer_data
from annotate.release.viewer import VIEWER_FORMATS, write_viewer

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "1.0.0"


@pytest.mark.parametrize("viewer_format", VIEWER_FORMATS)
def test_the_viewer_is_reproducible_small_and_self_contained(tmp_path, viewer_format):
    a = write_viewer(RELEASE, out=tmp_path / "a", viewer_format=viewer_format)
    b = write_viewer(RELEASE, out=tmp_path / "b", viewer_format=viewer_format)
    names = sorted(p.name for p in a.pages)
    assert names == sorted(p.name for p in b.pages)
    docs = pq.read_table(RELEASE / "documents" / "train.parquet").num_rows
    assert len(names) == docs + 1
    for name in names:
        page = (a.out / name).read_bytes()
        assert page == (b.out / name).read_bytes()
        assert len(page) < 2_000_000
        # nothing to fetch: no script, style or image from elsewhere
        assert b"<script src" not in page and b"<link " not in page and b"<img " not in page


def test_cli_view_writes_the_pages(tmp_path):
    result = CliRunner().invoke(app, ["view", str(RELEASE), "--out", str(tmp_path / "v")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v" / "index.html").is_file()
    missing = CliRunner().invoke(app, ["view", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "manifest.json" in missing.output


def test_a_format_2_page_carries_every_row_of_its_document(tmp_path):
    viewer = write_viewer(RELEASE, out=tmp_path / "v", viewer_format=2)
    page = next(p for p in viewer.pages if p.name.startswith("doc-")).read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="vw-data">(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    doc = pq.read_table(RELEASE / "documents" / "train.parquet").to_pylist()[0]
    doc_id = doc["doc_id"]
    assert data["text"] == doc["text"]
    assert data["paragraphs"] == [[p["start"], p["end"]] for p in doc["paragraphs"]]
    for layer in data["layers"]:
        ids = pq.read_table(RELEASE / layer["name"] / "train.parquet").column("doc_id")
        rows = layer["rows"]
        assert len(rows["start"]) == ids.to_pylist().count(doc_id), layer["name"]
    raw = pq.read_table(RELEASE / "annotations" / "train.parquet").num_rows
    assert len(data["raw"]["annotator"]) == raw
    assert "</" not in found.group(1)  # nothing in the data can close the script element


def test_the_index_is_split_into_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(viewer_data, "INDEX_PAGE_SIZE", 1)
    from tests.synthetic import edited_release

    two = tmp_path / "two"  # a release of two documents: the bundled one under two ids
    edited_release(RELEASE, two)
    for config in ("documents", "entities", "claims", "translation_errors", "segments"):
        path = two / config / "train.parquet"
        table = pq.read_table(path)
        other = table.set_column(
            table.schema.get_field_index("doc_id"), "doc_id", pa.array(["f" * 64] * len(table))
        )
        pq.write_table(pa.concat_tables([table, other]), path)
    viewer = write_viewer(two, out=tmp_path / "v", viewer_format=2)
    names = [p.name for p in viewer.pages]
    assert names[:2] == ["index.html", "index-2.html"]
    first = (tmp_path / "v" / "index.html").read_text(encoding="utf-8")
    assert first.count("<tr><td><a href=") == 1 and 'href="index-2.html"' in first


def test_format_3_pages_carry_each_raters_mark_under_the_release_definition(tmp_path):
    """Format 3's rows carry a mark told by annotate.disputes: under definition 2 the MQM
    spans worded otherwise are notes; under definition 1 (a manifest without one) the same
    spans are disputes and nothing is a note. The adjudicator's rows are never marked."""
    release = Path(__file__).resolve().parents[2] / "releases/stargate-fr-annotations/2.1.0"
    marks = {}
    for definition in (1, 2):
        out = write_viewer(
            release,
            out=tmp_path / str(definition),
            viewer_format=3,
            agreement_definition=definition,
        ).out
        html = next(out.glob("doc-*.html")).read_text(encoding="utf-8")
        payload = re.search(r'<script type="application/json" id="vw-data">(.*?)</script>', html)
        assert payload is not None
        raw = json.loads(payload[1])["raw"]
        marks[definition] = list(zip(raw["annotator"], raw["mark"], strict=True))
    for definition in (1, 2):
        assert {m for _, m in marks[definition]} <= {None, "dispute", "note"}
    assert not [m for _, m in marks[1] if m == "note"]
    notes = [i for i, (_, m) in enumerate(marks[2]) if m == "note"]
    assert notes and all(marks[1][i][1] == "dispute" for i in notes)
    rows = pq.read_table(release / "annotations" / "train.parquet").to_pylist()
    (adjudicator,) = {r["annotator"] for r in rows if r["origin"] == "adjudication"}
    assert all(m is None for a, m in marks[1] + marks[2] if a == adjudicator)
