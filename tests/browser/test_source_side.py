"""In a real browser: a translation_errors project whose documents have a source shows the
source beside the target (left) with its own labels; an omission marked there with the mouse comes
back through ``pull`` and ``validate`` as a source-side span (issue 12, "MQM: both sides")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotate.corpus import make_document
from annotate.labelstudio.sync import pull, push
from annotate.validate import validate_exports
from tests.browser.conftest import select_word, submit_annotation

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(300)]

TARGET = "Le chat dort sur le tapis."
SOURCE = "The black cat sleeps on the mat."
OMITTED = "black"


def test_an_omission_marked_in_the_source_comes_back_on_the_source_side(
    ls_server: dict[str, str], ls_client: Any, ls_run_id: str, browser_page: Any, tmp_path: Path
) -> None:
    doc = make_document(TARGET, lang="fr", source_text=SOURCE, source_lang="en")
    prefix = f"source-{ls_run_id}"
    (pushed,) = push(
        [doc],
        layers=["translation_errors"],
        unit="document",
        prefix=prefix,
        guidelines=None,
        url=ls_server["url"],
        api_key=ls_server["api_key"],
    )
    try:
        (task,) = list(ls_client.tasks.list(project=pushed.project_id))
        page = browser_page
        page.goto(
            f"{ls_server['url']}/projects/{pushed.project_id}/data?task={task.id}",
            wait_until="domcontentloaded",
        )
        page.wait_for_selector(".lsf-richtext__container")
        page.locator(".lsf-current-task__task-id", has_text=str(task.id)).wait_for()
        texts = page.locator(".lsf-richtext__container")
        # the editor may render the task twice (the first render is replaced): wait for it
        from playwright.sync_api import expect

        expect(texts).to_have_count(2, timeout=30_000)
        assert " ".join(texts.nth(0).inner_text().split()) == SOURCE  # the left column
        # the source's own label group (the first), then the word with the mouse
        source_labels = page.locator(".lsf-labels").nth(0)
        name = page.locator(".lsf-label__text", has_text="accuracy/omission")
        source_labels.locator(".lsf-label", has=name).click()
        select_word(page, OMITTED)  # in the source: the first text
        region = page.locator(".htx-highlight", has_text=OMITTED).first
        region.wait_for()
        region.click()  # selected: its per-region controls show (the source's severity only)
        majors = page.locator(".lsf-choice__item input[name=major]")
        shown = [i for i in range(majors.count()) if majors.nth(i).is_visible()]
        assert len(shown) == 1
        majors.nth(shown[0]).click(force=True)
        page.locator(".lsf-choice__item", has=page.locator("input[name=errors]")).click()
        submit_annotation(page, task.id)

        pulled = pull(
            layers=["translation_errors"],
            labels_dir=tmp_path / "labels",
            prefix=prefix,
            url=ls_server["url"],
            api_key=ls_server["api_key"],
        )
        report = validate_exports([r.path for r in pulled], {doc.id: doc})
        assert report.ok, [str(i) for i in report.errors]
        (record,) = report.valid
        (span,) = record.spans
        assert (span.label, span.attrs.get("side"), span.attrs.get("severity")) == (
            "accuracy/omission",
            "source",
            "major",
        )
        assert SOURCE[span.start : span.end] == OMITTED == span.text
        assert record.judgement == "errors"
    finally:
        ls_client.projects.delete(pushed.project_id)
