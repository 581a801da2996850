"""The page loads cleanly, labels its sliders, says when it is live, and fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.support import open_page

pytestmark = pytest.mark.browser

SECTIONS = ["#timeline", "#vehicles", "#crew", "#capacity", "#decisions", "#audit"]


def test_the_page_loads_without_console_errors_or_failed_requests(page: Page, base_url: str) -> None:
    open_page(page, base_url)  # the `context` fixture fails the test on any error or failed request
    for section in SECTIONS:
        expect(page.locator(section)).to_be_attached()
    expect(page.locator("li.event").first).to_be_visible()
    expect(page.locator('[data-vehicle="soyuz-ms-22"]')).to_be_visible()
    expect(page.locator('[data-station="iss"]')).to_be_visible()


def test_the_page_says_live_once_the_stream_is_connected(page: Page, base_url: str) -> None:
    open_page(page, base_url)
    expect(page.locator("#live")).to_contain_text("live", ignore_case=True)


@pytest.mark.parametrize("slider", ["#as-of", "#known-at"])
def test_each_slider_has_a_visible_label(page: Page, base_url: str, slider: str) -> None:
    open_page(page, base_url)
    expect(page.locator(slider)).to_have_attribute("type", "range")
    labels = page.locator(slider).evaluate(
        "el => [...el.labels].filter(l => l.checkVisibility() && l.innerText.trim()).map(l => l.innerText.trim())")
    assert labels, f"{slider} has no visible label"


def test_the_page_fits_a_phone_without_scrolling_sideways(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, base_url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone's screen"


@pytest.mark.parametrize("view", [{}, {"as_of": "2022-12-15"}, {"as_of": "2023-01-12", "known_at": "2023-01-10"}])
def test_nothing_on_the_page_reads_null_undefined_or_nan(page: Page, base_url: str, view: dict[str, str]) -> None:
    open_page(page, base_url, **view)
    leaks = page.evaluate("""() => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const found = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        if (/^(null|NaN)$|undefined|\\[object Object\\]|Invalid Date/.test(text))
          found.push(`${node.parentElement.closest('[id]')?.id ?? 'body'}: ${text.slice(0, 80)}`);
      }
      return found;
    }""")
    assert leaks == []
