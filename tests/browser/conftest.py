"""Fixtures for real-browser tests of Label Studio's labeling UI (Playwright + Debian's chromium).

The Label Studio fixtures (``ls_server``, ``ls_client``, ``ls_run_id``) are the integration
ones, re-exported here (``pytest_plugins`` is not allowed in a non-root conftest).

The browser is the system chromium at /usr/bin/chromium driven by Playwright for Python;
Playwright's own browser downloads (``playwright install``) are never used. Install it with

    apt-get update && apt-get install -y chromium
    .venv/bin/python -m pip install playwright==1.65.2

ANNOTATE_SKIP_BROWSER=1 skips these tests; so does a machine without the browser
(ANNOTATE_CHROMIUM, default /usr/bin/chromium) or without the playwright package, with the
install command in the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import REPO, ls_client, ls_run_id, ls_server

__all__ = [
    "browser_page",
    "ls_admin",
    "ls_client",
    "ls_run_id",
    "ls_server",
    "page",
    "screenshot",
    "select_word",
    "submit_annotation",
]

CHROMIUM = Path(os.environ.get("ANNOTATE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "apt-get update && apt-get install -y chromium; .venv/bin/python -m pip install playwright==1.65.2"
ACTION_TIMEOUT_MS = 20_000
NAVIGATION_TIMEOUT_MS = 30_000
SHOTS = Path("/tmp")  # where screenshots are copied, to be looked at after a run


def pytest_configure(config: pytest.Config) -> None:
    # also declared in pyproject.toml; repeated here so --strict-markers accepts it regardless
    config.addinivalue_line(
        "markers", "browser: drives Label Studio's frontend in a real (headless) chromium"
    )


def _skip_reason() -> str | None:
    if os.environ.get("ANNOTATE_SKIP_BROWSER") == "1":
        return "ANNOTATE_SKIP_BROWSER=1: real-browser tests are skipped"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing; install it with: {INSTALL_HINT}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"the playwright package is missing; install it with: {INSTALL_HINT}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    # before any fixture: no server start, prediction or push for a test that cannot run
    if item.get_closest_marker("browser") is not None:
        reason = _skip_reason()
        if reason:
            pytest.skip(reason)


@pytest.fixture(scope="session")
def ls_admin(ls_server: dict[str, str]) -> dict[str, str]:
    """The admin's e-mail and password, from the credentials file scripts/label-studio.sh wrote."""
    path = REPO / ".labelstudio" / "credentials"
    pairs = dict(
        line.split("=", 1) for line in path.read_text().splitlines() if "=" in line.strip()
    )
    return {
        "email": pairs["LS_ADMIN_EMAIL"].strip(),
        "password": pairs["LS_ADMIN_PASSWORD"].strip(),
    }


@pytest.fixture(scope="module")
def browser_page(
    ls_server: dict[str, str], ls_admin: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A Playwright page in a fresh chromium profile, logged in to Label Studio as its admin
    through the login page."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"{ls_server['url']}/user/login/", wait_until="domcontentloaded")
            page.fill("#email", ls_admin["email"])
            page.fill("#password", ls_admin["password"])
            with page.expect_navigation(wait_until="domcontentloaded"):
                page.click("#login-form button[type=submit]")
            if "/user/login" in page.url:
                pytest.fail(f"login as {ls_admin['email']} failed: still on {page.url}")
            yield page
        finally:
            context.close()


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    """A Playwright page in headless chromium, for pages opened from disk (the release
    viewer, the visual diff): no server, no login."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot ``<name>.png`` in ``tmp_path``, copied to :data:`SHOTS`."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, SHOTS / path.name)
    return path


# The first occurrence of a word in the index-th text of the labeling editor, outside any
# region already drawn: its box in the viewport, or null.
_WORD_BOX_JS = """([index, word]) => {
    const root = document.querySelectorAll('.lsf-richtext__container')[index];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest('.htx-highlight')) continue;
        const i = n.data.indexOf(word);
        if (i < 0) continue;
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + word.length);
        const r = range.getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height};
    }
    return null;
}"""


def select_word(page: Any, word: str, *, container: int = 0) -> None:
    """Select ``word`` with the mouse as an annotator does (press on its first letter, drag
    to its last, release): its first occurrence outside any region in the
    ``container``-th text of the labeling editor (0: the only one, or the source beside
    the target)."""
    box = page.evaluate(_WORD_BOX_JS, [container, word])
    assert box, f"{word!r} is not shown in text {container} outside a region"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=3)
    page.mouse.move(box["x"] + box["width"] - 1, y, steps=3)
    page.mouse.up()


def submit_annotation(page: Any, task_id: int) -> None:
    """Press the editor's Submit and wait for the annotation of task ``task_id`` to be saved
    (its POST answered 201 Created)."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and f"/api/tasks/{task_id}/annotations" in r.url
    ) as saved:
        page.locator("[data-testid=bottombar-submit-button]").click()
    assert saved.value.status == 201, saved.value.text()
