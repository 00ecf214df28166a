"""The three labeling UIs and a review project as annotators see them, in a real browser
against a real Label Studio (issue 14, "The labeling UI, as annotators use it"): each
screen is saved under tests/browser/screenshots/ (git-ignored; the README's copies are in
docs/screenshots/) and checked — the hotkeys shown on every label and choice are the
schema's and work, the MQM judgement (and, with one text, the severity) is required, the
source is a column left of the target, the claims questions are titled, relation label
boxes are hidden, a boilerplate paragraph shows its notice.

The review project is made with the client directly: one task, each rater's version a
prediction named after the rater (what ``annotate review`` makes).

Label Studio 1.23 DOM relied on, beside test_labeling_ui.py's: ``.lsf-label__hotkey``
(the key on a label button), a choice's key in its text as ``value[key]``, the warning
modal ``.ant-modal-confirm`` / ``.lsf-modal``, the relations overlay
``svg.relations-overlay`` (a label box is a ``g[text-anchor=middle]``), annotation tabs.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from annotate.corpus import make_document, read_articles
from annotate.labelstudio import client as ls
from annotate.labelstudio.sync import push
from annotate.labelstudio.tasks import KEY_FIELD, make_tasks
from annotate.layers import get_layer
from annotate.layers.labeling import layer_hotkeys
from annotate.model import Document, Span
from tests.browser.conftest import select_word, submit_annotation
from tests.conftest import ARTICLE

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(600)]

SCREENSHOTS = Path(__file__).parent / "screenshots"
SHOWN = 1  # the paragraph shown (entities and claims)
BOILERPLATE = 7  # the bundled article's machine-translation notice
# an English source for the first paragraph (written for this test)
SOURCE = (
    "The OpenAI and Microsoft partnership is heating up, with executives at both companies "
    "reportedly drawing up plans for a US-based data center that could cost as much as "
    "$100 billion."
)
RATERS = ("annotator-3f9c2a1b", "annotator-8d04e6c7")


@dataclasses.dataclass
class Screens:
    doc: Document
    mt: Document  # the first paragraph with its source
    projects: dict[str, int]  # entities, claims, mqm (one text), mqm-source, review
    tasks: dict[str, dict[int, int]]  # project key → segment index → task id


def _tasks(client: Any, project_id: int) -> dict[int, int]:
    return {int(t.data["segment_index"]): int(t.id) for t in client.tasks.list(project=project_id)}


def _review_project(client: Any, prefix: str, mt: Document) -> int:
    """An adjudication project as ``annotate review`` makes it: each rater's version of
    the task a prediction named after the rater."""
    lay = get_layer("translation_errors")
    text = mt.text
    versions = {
        RATERS[0]: [Span("a1", 0, 2, "Le", "fluency/grammar", attrs={"severity": "minor"})],
        RATERS[1]: [
            Span("b1", text.index("100 $"), len(text) - 1, "", "locale/currency-format",
                 attrs={"severity": "major"}),
        ],
    }  # fmt: skip
    (task,) = make_tasks([mt], "translation_errors", unit="document")
    task["predictions"] = [
        {
            "model_version": rater,
            "result": lay.to_ls_result(
                [dataclasses.replace(s, text=text[s.start : s.end]) for s in spans],
                [],
                judgement="errors",
                segment_text=text,
                source_text=mt.source_text,
            ),
        }
        for rater, spans in versions.items()
    ]
    project_id, _ = ls.ensure_project(
        client,
        title=f"{prefix} · review · MQM",
        label_config=lay.label_config(source=True),
    )
    ls.import_tasks(client, project_id, [task], key_field=KEY_FIELD)
    return project_id


@pytest.fixture(scope="module")
def screens(ls_server: dict[str, str], ls_client: Any, ls_run_id: str) -> Any:
    from annotate.preannotate.run import run_predictors

    doc = next(iter(read_articles(ARTICLE)))
    first = doc.paragraphs[0].slice(doc.text)
    mt = make_document(first, lang="fr", source_text=SOURCE, source_lang="en")
    preds = run_predictors(["entities.rules", "claims.cues", "translation_errors.checks"], [doc])
    prefix = f"screens-{ls_run_id}"
    server = {"url": ls_server["url"], "api_key": ls_server["api_key"]}
    projects: dict[str, int] = {}
    try:
        for r in push(
            [doc],
            layers=["entities", "claims", "translation_errors"],
            prefix=prefix,
            predictions=preds,
            **server,
        ):
            projects["mqm" if r.layer == "translation_errors" else r.layer] = r.project_id
        (two,) = push(
            [mt], layers=["translation_errors"], unit="document", prefix=f"{prefix}-src", **server
        )
        projects["mqm-source"] = two.project_id
        projects["review"] = _review_project(ls_client, prefix, mt)
        tasks = {key: _tasks(ls_client, pid) for key, pid in projects.items()}
        yield Screens(doc, mt, projects, tasks)
    finally:
        for project_id in projects.values():
            ls_client.projects.delete(project_id)


# ---------------------------------------------------------------- page helpers


def _open(page: Any, url: str, screens: Screens, key: str, segment: int = 0) -> int:
    task_id = screens.tasks[key][segment]
    page.goto(
        f"{url}/projects/{screens.projects[key]}/data?task={task_id}", wait_until="domcontentloaded"
    )
    page.wait_for_selector(".lsf-richtext__container")
    page.locator(".lsf-current-task__task-id", has_text=str(task_id)).wait_for()
    page.wait_for_timeout(500)  # the editor may render the task twice
    return task_id


def _screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _shown_keys(page: Any) -> dict[str, str]:
    """Key → what it selects, as the editor shows them: ``<labels name>:<label>`` from the
    label buttons, ``<choices name>:<value>`` from the ``value[key]`` of visible choices."""
    return page.evaluate(
        """() => {
            const out = {};
            document.querySelectorAll('.lsf-labels').forEach((group, i) => {
                group.querySelectorAll('.lsf-label').forEach(el => {
                    const key = el.querySelector('.lsf-label__hotkey');
                    const text = el.querySelector('.lsf-label__text');
                    if (key && text) out[key.textContent.trim()] = i + ':' + text.textContent.trim();
                });
            });
            document.querySelectorAll('.lsf-choice__item').forEach(el => {
                const m = el.textContent.trim().match(/^(.*)\\[([^\\]]+)\\]$/);
                if (m) out[m[2]] = 'choice:' + m[1].trim();
            });
            return out;
        }"""
    )


def _expected_keys(layer: str, *, source: bool) -> dict[str, str]:
    """What the editor should show: label keys of each side (0: the first group), and the
    keys of the choices (values only: the editor shows no control names)."""
    out = {}
    for key, what in layer_hotkeys(get_layer(layer).taxonomy, source=source).items():
        control, value = what.split(":", 1)
        if control.endswith("label"):
            side = 0 if not source or control.startswith("source_") else 1
            out[key] = f"{side}:{value}"
        else:
            out[key] = f"choice:{value}"
    return out


def _submit_refused(page: Any, task_id: int) -> str:
    """Click Submit; returns the warning Label Studio shows instead of saving."""
    posts: list[str] = []

    def seen(request: Any) -> None:
        if request.method == "POST" and f"/api/tasks/{task_id}/annotations" in request.url:
            posts.append(request.url)

    page.on("request", seen)
    try:
        page.locator("[data-testid=bottombar-submit-button]").click()
        modal = page.locator(".ant-modal-confirm, .lsf-modal").first
        modal.wait_for()
        text = " ".join(modal.inner_text().split())
        page.wait_for_timeout(500)
    finally:
        page.remove_listener("request", seen)
    assert posts == [], "submitted although a required choice is missing"
    return text


def _close_warning(page: Any) -> None:
    page.get_by_role("button", name="OK").click()
    page.locator(".ant-modal-confirm, .lsf-modal").first.wait_for(state="hidden")


# ---------------------------------------------------------------- the screens


def test_entities_screen(screens: Screens, browser_page: Any, ls_server: dict[str, str]) -> None:
    page = browser_page
    _open(page, ls_server["url"], screens, "entities", SHOWN)
    page.locator(".htx-highlight").first.wait_for()
    assert _shown_keys(page) == _expected_keys("entities", source=False)
    # a hotkey picks its label, and again drops it
    org = page.locator(".lsf-label", has=page.locator(".lsf-label__text", has_text="ORG"))
    page.keyboard.press("o")
    assert "lsf-label_selected" in (org.get_attribute("class") or "")
    page.keyboard.press("o")
    assert "lsf-label_selected" not in (org.get_attribute("class") or "")
    _screenshot(page, "entities")
    # a region's Wikidata id field says what goes in it
    page.locator(".htx-highlight").first.click()
    area = page.locator("textarea[name=kb_id], [data-testid=textarea-region] textarea").first
    field = page.get_by_placeholder(
        get_layer("entities").taxonomy.text_fields["kb_id"]["placeholder"]
    )
    field.first.wait_for()
    assert area.count() + field.count() > 0
    _screenshot(page, "entities-region")


def test_claims_screen(screens: Screens, browser_page: Any, ls_server: dict[str, str]) -> None:
    page = browser_page
    tax = get_layer("claims").taxonomy
    _open(page, ls_server["url"], screens, "claims", SHOWN)
    page.locator(".htx-highlight").first.wait_for()
    assert "$notice" not in page.locator(".lsf-main-content, body").first.inner_text()
    # relation arrows are drawn, their label boxes are not (they covered the text)
    page.locator("svg.relations-overlay path").first.wait_for(state="attached")
    boxes = page.eval_on_selector_all(
        'svg.relations-overlay g[text-anchor="middle"]',
        "els => els.map(e => e.getBoundingClientRect().width)",
    )
    assert boxes and all(w == 0 for w in boxes), boxes
    _screenshot(page, "claims")
    # a claim's questions, titled, with their keys
    claim = page.locator(".htx-highlight[data-label$=CLAIM]").first
    claim.click()
    titles = [c.heading for c in tax.region_choices()]
    for title in titles:
        page.get_by_text(title, exact=True).first.wait_for()
    tops = [page.get_by_text(t, exact=True).first.bounding_box()["y"] for t in titles]
    assert tops == sorted(tops)
    assert _shown_keys(page) == _expected_keys("claims", source=False)
    _screenshot(page, "claims-region")


def test_a_boilerplate_paragraph_says_so(
    screens: Screens, browser_page: Any, ls_server: dict[str, str]
) -> None:
    page = browser_page
    _open(page, ls_server["url"], screens, "claims", BOILERPLATE)
    page.get_by_text(get_layer("claims").boilerplate_notice, exact=True).wait_for()
    _screenshot(page, "claims-boilerplate")


def test_mqm_screen_requires_the_judgement_and_the_severity(
    screens: Screens, browser_page: Any, ls_server: dict[str, str]
) -> None:
    page = browser_page
    tax = get_layer("translation_errors").taxonomy
    task_id = _open(page, ls_server["url"], screens, "mqm", 3)
    assert _shown_keys(page) == _expected_keys("translation_errors", source=False)
    judgement = tax.choices["judgement"]
    assert judgement.description in _submit_refused(page, task_id)
    _close_warning(page)
    # an error marked with the keyboard's label key, without a severity: refused too
    page.keyboard.press(tax.labels["fluency/spelling"]["hotkey"])
    select_word(page, "Microsoft")
    page.locator(".htx-highlight", has_text="Microsoft").first.wait_for()
    page.keyboard.press(judgement.hotkeys["errors"])
    page.wait_for_timeout(300)
    assert tax.choices["severity"].description in _submit_refused(page, task_id)
    _close_warning(page)
    # Label Studio selected the region that lacks it: its severity key sets it
    major = page.locator("input[name=major]")
    major.wait_for()
    page.keyboard.press(tax.choices["severity"].hotkeys["major"])
    page.wait_for_timeout(300)
    assert major.is_checked()
    _screenshot(page, "translation_errors")
    submit_annotation(page, task_id)


def _columns(page: Any) -> list[dict[str, float]]:
    texts = page.locator(".lsf-richtext__container")
    from playwright.sync_api import expect

    expect(texts).to_have_count(2, timeout=30_000)
    return [texts.nth(i).bounding_box() for i in range(2)]


def test_mqm_screen_shows_the_source_beside_the_target(
    screens: Screens, browser_page: Any, ls_server: dict[str, str]
) -> None:
    page = browser_page
    task_id = _open(page, ls_server["url"], screens, "mqm-source")
    source, target = _columns(page)
    assert source["x"] + source["width"] <= target["x"], "the source is not left of the target"
    assert abs(source["y"] - target["y"]) < 200, "source and target are not side by side"
    texts = page.locator(".lsf-richtext__container")
    assert " ".join(texts.nth(0).inner_text().split()) == SOURCE
    assert " ".join(texts.nth(1).inner_text().split()) == screens.mt.text
    assert _shown_keys(page) == _expected_keys("translation_errors", source=True)
    judgement = get_layer("translation_errors").taxonomy.choices["judgement"]
    assert judgement.description in _submit_refused(page, task_id)
    _close_warning(page)
    _screenshot(page, "translation_errors-source")


def test_review_screen_shows_each_raters_version(
    screens: Screens, browser_page: Any, ls_server: dict[str, str], ls_client: Any
) -> None:
    page = browser_page
    task_id = _open(page, ls_server["url"], screens, "review")
    _columns(page)  # the source panel
    predictions = ls_client.predictions.list(task=task_id)
    assert sorted(p.model_version for p in predictions) == sorted(RATERS)
    tabs = page.locator("[class*=annotation-button], [class*=AnnotationButton]")
    tabs.first.wait_for()
    shown = " ".join(tabs.all_inner_texts())
    for rater in RATERS:  # the tab names are cut: the handle's start and end show
        assert re.search(rf"{rater[:5]}.*{rater[-3:]}", shown), shown
    assert _shown_keys(page) == _expected_keys("translation_errors", source=True)
    # the annotation starts from a rater's version, judgement included; its key drops it
    judgement = get_layer("translation_errors").taxonomy.choices["judgement"]
    _screenshot(page, "review")
    page.keyboard.press(judgement.hotkeys["errors"])
    assert judgement.description in _submit_refused(page, task_id)
    _close_warning(page)
    page.get_by_text("Compare All", exact=True).click()
    page.wait_for_timeout(1500)
    _screenshot(page, "review-compare")


def test_screenshots_are_copied_for_the_readme() -> None:
    """docs/screenshots/ holds the README's copies; ANNOTATE_UPDATE_SCREENSHOTS=1 refreshes
    them from this run's."""
    import os

    docs = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("ANNOTATE_UPDATE_SCREENSHOTS") == "1":
        docs.mkdir(exist_ok=True)
        for path in SCREENSHOTS.glob("*.png"):
            shutil.copyfile(path, docs / path.name)
    names = {"entities", "claims", "translation_errors", "translation_errors-source", "review"}
    assert names <= {p.stem for p in docs.glob("*.png")}
