"""What the open-source Label Studio shows an annotator of another annotator's work, in a
real browser (issue 14: "check how the open-source edition shows other annotators' work in
the labeling stream"). A project with ``maximum_annotations`` 2 and a task that annotator
A has annotated (through the API) and that carries a pre-annotation; the admin's browser
is annotator B. What is seen is written down in docs/guidelines.md ("What you can see of
other annotators' work") and the README; screenshots go to tests/browser/screenshots/.

Label Studio 1.23 DOM relied on, beside test_labeling_ui.py's: the label stream
(``/projects/<id>/data?labeling=1``), the annotation tabs of the quick view."""

from __future__ import annotations

import re
from typing import Any

import pytest

from annotate.corpus import make_document
from annotate.labelstudio import client as ls
from annotate.labelstudio.sync import push
from annotate.layers import get_layer
from annotate.model import Span
from annotate.preannotate import Prediction
from tests.browser.test_labeling_screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(400)]

TEXT = "OpenAI et Microsoft construisent Stargate au Texas."
A_WORD, PREDICTED = "OpenAI", "Microsoft"


@pytest.fixture(scope="module")
def shared_task(ls_server: dict[str, str], ls_client: Any, ls_run_id: str) -> Any:
    doc = make_document(TEXT, lang="fr")
    start = TEXT.index(PREDICTED)
    pred = Prediction(
        doc.id, "entities", "rules@test",
        [Span("p1", start, start + len(PREDICTED), PREDICTED, "ORG", 0.9)],
    )  # fmt: skip
    (pushed,) = push(
        [doc], layers=["entities"], unit="document", prefix=f"seen-{ls_run_id}",
        predictions=[pred], url=ls_server["url"], api_key=ls_server["api_key"],
    )  # fmt: skip
    project_id = pushed.project_id
    try:
        ls_client.projects.update(project_id, maximum_annotations=2, show_collab_predictions=True)
        (task,) = list(ls_client.tasks.list(project=project_id))
        a = ls.ensure_user(ls_client, email=f"rater-a-{ls_run_id}@annotate.local")
        start = TEXT.index(A_WORD)
        span = Span("a1", start, start + len(A_WORD), A_WORD, "PER")  # A's (wrong) label
        result = get_layer("entities").to_ls_result([span], [], segment_text=TEXT)
        ls.submit_annotation(ls_client, task_id=int(task.id), result=result, completed_by=a)
        yield project_id, int(task.id)
    finally:
        ls_client.projects.delete(project_id)


def _regions(page: Any) -> set[tuple[str, str]]:
    return {
        (h["text"], h["label"])
        for h in page.eval_on_selector_all(
            ".lsf-richtext__container .htx-highlight",
            "els => els.map(e => ({text: e.textContent,"
            " label: (e.dataset.label || '').replace(/^\\d+:/, '')}))",
        )
    }


def _label_stream(page: Any, url: str, project_id: int, task_id: int) -> None:
    page.goto(f"{url}/projects/{project_id}/data?labeling=1", wait_until="domcontentloaded")
    page.wait_for_selector(".lsf-richtext__container")
    page.locator(".lsf-current-task__task-id", has_text=str(task_id)).wait_for()
    page.wait_for_timeout(1500)
    close = page.locator("button[aria-label='Close modal']")  # the stream opens on the guidelines
    if close.count() and close.first.is_visible():
        close.first.click()
        page.wait_for_timeout(300)


def test_the_label_stream_hides_the_other_annotation_but_not_the_predictions(
    shared_task: Any, browser_page: Any, ls_server: dict[str, str], ls_client: Any
) -> None:
    page, (project_id, task_id) = browser_page, shared_task
    _label_stream(page, ls_server["url"], project_id, task_id)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "seen-label-stream.png"), full_page=True)
    # B starts from the pre-annotation; A's region (OpenAI as PER) is not shown
    assert _regions(page) == {(PREDICTED, "ORG")}
    # without show_collab_predictions the stream starts from an empty annotation
    ls_client.projects.update(project_id, show_collab_predictions=False)
    _label_stream(page, ls_server["url"], project_id, task_id)
    page.screenshot(path=str(SCREENSHOTS / "seen-label-stream-blind.png"), full_page=True)
    assert _regions(page) == set()
    ls_client.projects.update(project_id, show_collab_predictions=True)


def test_the_data_manager_shows_every_annotation_of_a_task(
    shared_task: Any, browser_page: Any, ls_server: dict[str, str]
) -> None:
    """Every user of the open-source edition may open the data manager: A's annotation
    is a tab of the task there (nothing the project can switch off)."""
    page, (project_id, task_id) = browser_page, shared_task
    page.goto(
        f"{ls_server['url']}/projects/{project_id}/data?task={task_id}",
        wait_until="domcontentloaded",
    )
    page.wait_for_selector(".lsf-richtext__container")
    page.wait_for_timeout(1500)
    tabs = " ".join(page.locator("[class*=annotation-button]").all_inner_texts())
    assert re.search(r"rater-a", tabs), tabs
    page.locator("[class*=annotation-button]", has_text="rater-a").first.click()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "seen-data-manager.png"), full_page=True)
    assert (A_WORD, "PER") in _regions(page)
