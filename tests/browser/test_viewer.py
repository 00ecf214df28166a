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
