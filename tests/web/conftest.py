"""The page in a real browser: the app served by `incidentlog serve` on
127.0.0.1 over a SQLite store seeded with the first scenario, and Debian's
Chromium driven by Playwright.

Without Chromium the browser tests are skipped, except under `CI=true`, where
a missing Chromium fails the run (as a missing PostgreSQL does). Every test's
page is watched: a console error, an uncaught exception, a failed request or
an HTTP error answer fails the test, and the final page of every test is
saved as a screenshot under test-artifacts/ (not committed).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    WebError,
    sync_playwright,
)

from tools.browser import chromium, launch
from tools.served import ROOT, create_token, seed, serve

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARTIFACTS = ROOT / "test-artifacts"

# Counts the refreshes the page finishes (body[data-ready] turning "true"
# after "false"), so a test can wait for the one its own move started.
COUNT_REFRESHES = """
window.__refreshes = 0;
new MutationObserver((records) => {
  for (const record of records) {
    if (record.target === document.body && record.oldValue === "false") window.__refreshes += 1;
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"], attributeOldValue: true});
"""


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true needs Chromium for the browser tests (apt-get install chromium)")
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def playwright(chromium_path: str) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium_browser = launch(playwright)
    yield chromium_browser
    chromium_browser.close()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[str]:
    """The seeded app, shared by the tests that only read."""
    yield from _served(tmp_path_factory.mktemp("served"))


@pytest.fixture
def own_base_url(tmp_path: Path, chromium_path: str) -> Iterator[str]:
    """A seeded app of the test's own, for a test that writes."""
    yield from _served(tmp_path)


@pytest.fixture
def writer_token(own_base_url: str, tmp_path: Path) -> str:
    """A reporter's token on the test's own app: reads need none there (loopback), writes do."""
    return create_token(tmp_path / "incidentlog.db", "browser-test")


def _served(folder: Path) -> Iterator[str]:
    store = folder / "incidentlog.db"
    seed(store)
    with serve(store, log=folder / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/, emptied once a run so it holds this run's pages only."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir()
    return ARTIFACTS


@pytest.fixture
def context(browser: Browser, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A browser context whose pages are watched and photographed (see the module's docstring)."""
    browser_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    browser_context.set_default_timeout(10_000)
    browser_context.add_init_script(COUNT_REFRESHES)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_web_error(error: WebError) -> None:
        problems.append(f"uncaught exception: {error.error}")

    def on_request_failed(failed: Request) -> None:
        # A request the page itself cancels (an older refresh overtaken by a
        # newer move, the stream when the page goes away) is not a failure.
        if failed.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {failed.method} {failed.url}: {failed.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    browser_context.on("console", on_console)
    browser_context.on("weberror", on_web_error)
    browser_context.on("requestfailed", on_request_failed)
    browser_context.on("response", on_response)
    yield browser_context
    _photograph(browser_context.pages, artifacts, request.node.nodeid)
    browser_context.remove_listener("requestfailed", on_request_failed)  # closing cancels the stream
    browser_context.close()
    if problems:
        pytest.fail("the page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def _photograph(pages: list[Page], folder: Path, nodeid: str) -> None:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid.split("/")[-1].replace("::", "--")).strip("-")
    for number, shown in enumerate(pages):
        suffix = f"-{number + 1}" if len(pages) > 1 else ""
        shown.screenshot(path=folder / f"{name}{suffix}.png", full_page=True)
