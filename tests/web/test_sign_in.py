"""On a server whose reads are closed (not on loopback), the page asks for a
token, signs in with it, draws the picture and follows the live feed; signing
out closes it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.support import open_page
from tools.served import create_token, seed, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def closed(tmp_path: Path, chromium_path: str) -> Iterator[tuple[str, str]]:
    """A seeded app served on every address (reads closed), and a reader's token for it."""
    store = tmp_path / "incidentlog.db"
    seed(store)
    token = create_token(store, "wall-screen", role="reader")
    with serve(store, log=tmp_path / "server.log", host="0.0.0.0", token=token) as url:
        yield url, token


def test_the_page_signs_in_with_a_token_and_out_again(page: Page, closed: tuple[str, str]) -> None:
    base_url, token = closed
    open_page(page, base_url)
    expect(page.locator("#live")).to_contain_text("sign in")
    expect(page.locator("#token")).to_be_focused()

    page.fill("#token", token)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-out")
    page.wait_for_function("document.body && document.body.dataset.ready === 'true'")
    expect(page.locator("#account")).to_contain_text("wall-screen")
    expect(page.locator('[data-vehicle="soyuz-ms-22"]').first).to_be_visible()
    expect(page.locator("#live")).to_contain_text("live", ignore_case=True)

    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    expect(page.locator("#live")).to_contain_text("sign in")
