"""Acceptance tests of the annotators' side, in a real browser: Label Studio's own frontend
renders our generated configs and our tasks, and an annotation made with the mouse comes
back through ``pull`` and ``validate`` with document offsets.

One project per layer is pushed (paragraph tasks of the bundled article; entity predictions
from ``entities.rules``, without the first paragraph's "Microsoft", which the test then
annotates by hand) and deleted at the end. Screenshots of every editor page go to the
test's tmp_path and to /tmp/ls-browser-<name>.png.

Regressions these tests caught and now guard: prediction region ids with '.' were drawn
without colour (region ids are made CSS-safe), and the "Instructions" dialog showed the
whole guidelines file with raw markdown tables (only the layer's section, tables rendered).

Label Studio 1.23 DOM relied on: ``#email``/``#password``/``#login-form`` (login page);
``.lsf-richtext__container`` (the Text tag), ``.htx-highlight[data-start][data-end]`` (text
regions, offsets into the task text), ``.lsf-label .lsf-label__text`` and
``.lsf-label_selected`` (label buttons), ``.lsf-choice__item input[name=<value>]``
(choices), ``.lsf-outliner-item`` (regions panel), ``[data-testid=bottombar-submit-button]``.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from annotate.corpus import read_articles
from annotate.labelstudio.sync import pull, push
from annotate.layers import get_layer
from annotate.model import Document, Span
from annotate.preannotate import Prediction
from annotate.validate import validate_exports
from tests.browser.conftest import select_word, submit_annotation
from tests.conftest import ARTICLE

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(300)]

LAYERS = ("entities", "claims", "translation_errors")
SHOWN_PARAGRAPH = 1  # the task opened for the rendering checks (many entities)
ANNOTATED_PARAGRAPH = 0  # the task annotated in the browser
TARGET, TARGET_LABEL = "Microsoft", "ORG"
LEAD_SCREENSHOTS = Path("/tmp")


# ---------------------------------------------------------------- set-up


def _entity_predictions(doc: Document) -> list[Prediction]:
    """``entities.rules`` predictions; built by hand if the predictor cannot run here."""
    try:
        from annotate.preannotate.run import run_predictors

        preds = [p for p in run_predictors(["entities.rules"], [doc]) if p.layer == "entities"]
        if preds and any(p.spans for p in preds):
            return preds
    except Exception as exc:  # the predictor is optional for what this file tests
        print(f"entities.rules unavailable ({exc!r}); using hand-made predictions")
    spans = []
    for word, label in (("OpenAI", "ORG"), ("Microsoft", "ORG"), ("Sam Altman", "PER")):
        for m in re.finditer(re.escape(word), doc.text):
            spans.append(Span(f"hand-{m.start()}-{m.end()}", m.start(), m.end(), word, label, 0.9))
    return [Prediction(doc.id, "entities", "browser-test@0", sorted(spans, key=lambda s: s.start))]


@dataclasses.dataclass
class Pushed:
    prefix: str
    doc: Document
    projects: dict[str, int]
    predictions: list[Prediction]
    target_start: int  # document offset of the word annotated in the browser


@pytest.fixture(scope="module")
def pushed(ls_server: dict[str, str], ls_client: Any, ls_run_id: str) -> Any:
    doc = next(iter(read_articles(ARTICLE)))
    para = doc.paragraphs[ANNOTATED_PARAGRAPH]
    target_start = doc.text.index(TARGET, para.start, para.end)
    # the annotator adds the entity the model missed: drop any prediction on that word
    preds = [
        dataclasses.replace(
            p,
            spans=[
                s for s in p.spans if s.end <= target_start or s.start >= target_start + len(TARGET)
            ],
        )
        for p in _entity_predictions(doc)
    ]
    prefix = f"browser-{ls_run_id}"
    results = push(
        [doc],
        layers=LAYERS,
        prefix=prefix,
        predictions=preds,
        url=ls_server["url"],
        api_key=ls_server["api_key"],
    )
    projects = {r.layer: r.project_id for r in results}
    try:
        yield Pushed(prefix, doc, projects, preds, target_start)
    finally:
        for project_id in projects.values():
            ls_client.projects.delete(project_id)


def _task_id(ls_client: Any, project_id: int, segment_index: int) -> int:
    for task in ls_client.tasks.list(project=project_id):
        if task.data.get("segment_index") == segment_index:
            return int(task.id)
    raise AssertionError(f"project {project_id} has no task for paragraph {segment_index}")


# ---------------------------------------------------------------- page helpers


def _open_task(page: Any, url: str, project_id: int, task_id: int) -> None:
    page.goto(f"{url}/projects/{project_id}/data?task={task_id}", wait_until="domcontentloaded")
    page.wait_for_selector(".lsf-richtext__container")
    # the task id in the bottom bar says the editor loaded *this* task
    page.locator(".lsf-current-task__task-id", has_text=str(task_id)).wait_for()


def _screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, LEAD_SCREENSHOTS / f"ls-browser-{name}.png")
    return path


def _squash(text: str) -> str:
    return " ".join(text.split())


def _label_buttons(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".lsf-label .lsf-label__text").all_inner_texts()]


def _label_button(page: Any, label: str) -> Any:
    text = page.locator(".lsf-label__text", has_text=re.compile(rf"^{re.escape(label)}$"))
    return page.locator(".lsf-label", has=text)


def _highlights(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        ".lsf-richtext__container .htx-highlight",
        """els => els.map(e => ({
            start: Number(e.dataset.start), end: Number(e.dataset.end), text: e.textContent,
            label: (e.dataset.label || '').replace(/^\\d+:/, ''),
            background: getComputedStyle(e).backgroundColor}))""",
    )


def _outliner(page: Any) -> list[tuple[str, str]]:
    items = page.locator(".lsf-outliner-item")
    return [
        (
            items.nth(i).locator(".lsf-labels-list").first.inner_text().strip(),
            items.nth(i).locator(".lsf-outliner-item__text").inner_text().strip(),
        )
        for i in range(items.count())
    ]


# ---------------------------------------------------------------- rendering


@pytest.mark.parametrize("layer", LAYERS)
def test_editor_renders_config_and_task(
    layer: str,
    pushed: Pushed,
    browser_page: Any,
    ls_server: dict[str, str],
    ls_client: Any,
    tmp_path: Path,
) -> None:
    page = browser_page
    taxonomy = get_layer(layer).taxonomy
    doc, para = pushed.doc, pushed.doc.paragraphs[SHOWN_PARAGRAPH]
    task_id = _task_id(ls_client, pushed.projects[layer], SHOWN_PARAGRAPH)
    _open_task(page, ls_server["url"], pushed.projects[layer], task_id)
    expected_regions: set[tuple[int, int, str, str]] = set()
    if layer == "entities":
        expected_regions = {
            (s.start - para.start, s.end - para.start, s.text, s.label)
            for p in pushed.predictions
            for s in p.spans
            if para.start <= s.start and s.end <= para.end
        }
        assert expected_regions, "no prediction falls in the paragraph shown"
        page.locator(".lsf-richtext__container .htx-highlight").nth(
            len(expected_regions) - 1
        ).wait_for()
    _screenshot(page, tmp_path, layer)

    # the layer's title and the paragraph text
    page.get_by_text(taxonomy.title, exact=True).first.wait_for()
    shown = page.locator(".lsf-richtext__container").inner_text()
    assert _squash(shown) == _squash(para.slice(doc.text))

    # every label of the taxonomy is a label button, in the schema's order
    assert _label_buttons(page) == list(taxonomy.labels)

    # hints reach the annotators: hovering a label shows its description
    first = next(iter(taxonomy.labels))
    _label_button(page, first).hover()
    hint = taxonomy.labels[first]["description"]
    page.get_by_text(hint, exact=True).wait_for()
    page.mouse.move(0, 0)

    if layer == "entities":
        # prediction regions are drawn at the right offsets with their labels …
        got = {(h["start"], h["end"], h["text"], h["label"]) for h in _highlights(page)}
        assert got == expected_regions
        # … and listed in the regions panel (a virtualised list: only the rows in view)
        listed = _outliner(page)
        assert listed, "the regions panel lists no region"
        assert set(listed) <= {(label, text) for _s, _e, text, label in expected_regions}

    if layer == "translation_errors":
        (judgement,) = taxonomy.segment_choices()
        page.get_by_text(judgement.description, exact=True).wait_for()
        for value in judgement.values:  # errors / no-error
            box = page.locator(f".lsf-choice__item input[name='{value}']")
            assert box.count() == 1, f"judgement choice {value!r} is not shown"
            assert box.is_visible()
            assert not box.is_checked()


def test_prediction_regions_are_coloured(
    pushed: Pushed, browser_page: Any, ls_server: dict[str, str], ls_client: Any
) -> None:
    """Label Studio draws a region's colour with a CSS rule keyed by the region id
    (``.htx-highlight-<id>``): an id that is not a valid CSS class name ('.' in
    ``entities.rules-15-21``) leaves the region transparent — invisible to annotators."""
    page = browser_page
    task_id = _task_id(ls_client, pushed.projects["entities"], SHOWN_PARAGRAPH)
    _open_task(page, ls_server["url"], pushed.projects["entities"], task_id)
    page.locator(".lsf-richtext__container .htx-highlight").first.wait_for()
    transparent = [h["text"] for h in _highlights(page) if h["background"] == "rgba(0, 0, 0, 0)"]
    assert any("." in s.id for p in pushed.predictions for s in p.spans)  # ids need escaping
    assert not transparent, f"regions drawn without colour: {transparent}"


# the layer's section of docs/guidelines.md, shown by the editor's "Instructions" button
GUIDELINE_SECTIONS = {
    "entities": "Entities",
    "claims": "Claims",
    "translation_errors": "Translation errors (MQM)",
}


@pytest.mark.parametrize("layer", list(GUIDELINE_SECTIONS))
def test_instructions_show_the_layers_guidelines(
    layer: str,
    pushed: Pushed,
    browser_page: Any,
    ls_server: dict[str, str],
    ls_client: Any,
    tmp_path: Path,
) -> None:
    page = browser_page
    task_id = _task_id(ls_client, pushed.projects[layer], SHOWN_PARAGRAPH)
    _open_task(page, ls_server["url"], pushed.projects[layer], task_id)
    page.get_by_role("button", name="Instructions").click()
    body = page.locator(".lsf-modal-ls__body")
    body.wait_for()
    try:
        _screenshot(page, tmp_path, f"{layer}-instructions")
        headings = [h.strip() for h in body.locator("h1, h2").all_inner_texts()]
        text = body.inner_text()
    finally:
        page.locator("button[aria-label='Close modal']").click()
    assert headings == [GUIDELINE_SECTIONS[layer]], "not (only) the layer's section"
    assert "|---" not in text, "a markdown table is shown as raw text"


# ---------------------------------------------------------------- annotating


def test_annotation_made_in_the_browser_comes_back_with_document_offsets(
    pushed: Pushed,
    browser_page: Any,
    ls_server: dict[str, str],
    ls_client: Any,
    tmp_path: Path,
) -> None:
    page = browser_page
    doc = pushed.doc
    project_id = pushed.projects["entities"]
    task_id = _task_id(ls_client, project_id, ANNOTATED_PARAGRAPH)
    _open_task(page, ls_server["url"], project_id, task_id)
    page.locator(".lsf-richtext__container .htx-highlight").first.wait_for()
    before = len(_highlights(page))

    # Label Studio's usual flow: pick the label, then select the text with the mouse
    button = _label_button(page, TARGET_LABEL)
    button.click()
    assert "lsf-label_selected" in (button.get_attribute("class") or "")
    select_word(page, TARGET)
    page.locator(".lsf-richtext__container .htx-highlight", has_text=TARGET).first.wait_for()
    para = doc.paragraphs[ANNOTATED_PARAGRAPH]
    new = [h for h in _highlights(page) if h["text"] == TARGET]
    assert len(_highlights(page)) == before + 1
    assert [(h["start"], h["end"], h["label"]) for h in new] == [
        (
            pushed.target_start - para.start,
            pushed.target_start - para.start + len(TARGET),
            TARGET_LABEL,
        )
    ]
    _screenshot(page, tmp_path, "entities-annotated")

    submit_annotation(page, task_id)

    pulled = pull(
        layers=["entities"],
        labels_dir=tmp_path / "labels",
        prefix=pushed.prefix,
        url=ls_server["url"],
        api_key=ls_server["api_key"],
    )
    report = validate_exports([r.path for r in pulled], {doc.id: doc})
    assert report.ok, [str(i) for i in report.errors]
    (record,) = [r for r in report.valid if r.origin == "annotation"]
    assert (record.segment_start, record.segment_end) == (para.start, para.end)
    (span,) = [s for s in record.spans if s.text == TARGET]
    assert span.label == TARGET_LABEL
    assert (span.start, span.end) == (pushed.target_start, pushed.target_start + len(TARGET))
    assert doc.text[span.start : span.end] == TARGET
    # the predicted regions the annotator kept are document offsets too
    for s in record.spans:
        assert doc.text[s.start : s.end] == s.text
