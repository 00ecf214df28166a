"""The visual diff (annotate diff --html), opened from disk in headless chromium."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from tests.browser.conftest import screenshot
from tests.synthetic import edited_release

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "releases" / "stargate-fr-annotations" / "2.0.0"
KINDS = ("added", "removed", "changed")

pytestmark = pytest.mark.browser


def test_the_diff_marks_what_annotate_diff_counts(page, tmp_path):
    edited = edited_release(RELEASE, tmp_path / "2.1.0")
    out = tmp_path / "diff"
    run = CliRunner().invoke(
        app, ["diff", str(RELEASE), str(edited), "--html", "--out", str(out), "--json"]
    )
    assert run.exit_code == 0, run.output
    diff = json.loads(run.output)
    counts: Counter[tuple[str, str, str]] = Counter(
        (c["doc_id"], config, c["kind"])
        for config, d in diff["configs"].items()
        if config != "segments"
        for c in d["changes"]
    )
    page.goto((out / "index.html").as_uri())
    changed_docs = {doc for doc, _config, _kind in counts}
    assert page.locator("#documents tbody tr").count() == len(changed_docs)
    screenshot(page, tmp_path, "diff-index")

    page.locator("#documents tbody a").first.click()
    page.wait_for_load_state("domcontentloaded")
    doc_id = page.locator("main code").first.inner_text()
    assert doc_id in changed_docs
    for config in ("entities", "claims", "translation_errors"):
        for kind in KINDS:
            block = f'.block[data-layer="{config}"][data-kind="{kind}"]'
            marks = page.locator(f"{block} .vw-mark.vw-{kind}, {block} .vw-start.vw-{kind}")
            assert marks.count() == counts[(doc_id, config, kind)], (config, kind)
    assert page.locator(".vw-added").first.is_visible()
    judgements = diff["configs"]["segments"]["changes"]
    assert page.locator("#judgements tbody tr").count() == len(
        [j for j in judgements if j["doc_id"] == doc_id]
    )
    screenshot(page, tmp_path, "diff-document")

    page.locator('input[data-toggle="kind"][value="removed"]').uncheck()
    assert not page.locator('.block[data-kind="removed"]').first.is_visible()
    assert page.locator('.block[data-kind="added"]').first.is_visible()
    screenshot(page, tmp_path, "diff-document-no-removed")
