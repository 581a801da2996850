"""Moving the two time sliders changes the station picture, without a reload,
and the URL holds the view."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.web.support import SEED_DECISION, crew, number, open_page, set_time, slug, station, vehicle

pytestmark = pytest.mark.browser


def test_moving_as_of_across_the_leak_damages_soyuz_ms_22_and_opens_a_shortfall(
        page: Page, base_url: str) -> None:
    open_page(page, base_url)
    page.evaluate("window.__sameDocument = true")

    set_time(page, "#as-of-text", "2022-12-13")
    expect(vehicle(page, "soyuz-ms-22", "health")).to_contain_text("nominal", ignore_case=True)
    assert number(station(page, "iss", "shortfall")) == 0

    set_time(page, "#as-of-text", "2022-12-15")
    expect(vehicle(page, "soyuz-ms-22", "health")).to_contain_text("damaged", ignore_case=True)
    assert number(station(page, "iss", "shortfall")) == 3
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"


def test_moving_known_at_before_the_decision_shows_the_plan_believed_then(page: Page, base_url: str) -> None:
    open_page(page, base_url, as_of="2023-01-12")
    assert slug(crew(page, "frank-rubio", "return_vehicle")) == "soyuz-ms-23"

    set_time(page, "#known-at-text", "2023-01-10")
    assert slug(crew(page, "frank-rubio", "return_vehicle")) == "soyuz-ms-22"


def test_events_not_yet_reported_at_known_at_can_be_hidden(page: Page, base_url: str) -> None:
    open_page(page, base_url, as_of="2023-01-12", known_at="2023-01-10")
    decision = page.locator(f'#timeline li.event[data-id^="{SEED_DECISION}"]')
    expect(decision).to_be_visible()  # shown faint

    page.check("#hide-unknown")

    expect(decision).to_be_hidden()


def test_recorded_before_answers_from_what_the_log_had_stored_then(page: Page, base_url: str) -> None:
    open_page(page, base_url, as_of="2022-12-15")
    expect(vehicle(page, "soyuz-ms-22", "health")).to_contain_text("damaged", ignore_case=True)

    set_time(page, "#recorded-before", "20")  # the leak is stored at position 27

    expect(vehicle(page, "soyuz-ms-22", "health")).to_contain_text("nominal", ignore_case=True)
    assert parse_qs(urlsplit(page.url).query)["recorded_before"] == ["20"]


def test_the_url_reopens_the_same_view(page: Page, context: BrowserContext, base_url: str) -> None:
    open_page(page, base_url)
    set_time(page, "#as-of-text", "2023-01-20")
    set_time(page, "#known-at-text", "2023-01-15")
    page.locator(f'#decisions button.decision[data-id^="{SEED_DECISION}"]').click()
    expect(page.locator("#audit svg")).to_be_visible()

    query = parse_qs(urlsplit(page.url).query)
    assert query["as_of"][0].startswith("2023-01-20")
    assert query["known_at"][0].startswith("2023-01-15")
    assert query["decision"][0].startswith(SEED_DECISION)

    again = context.new_page()
    again.goto(page.url)
    again.wait_for_function("document.body.dataset.ready === 'true'")
    for field in ("#as-of-text", "#known-at-text", "#recorded-before"):
        assert again.input_value(field) == page.input_value(field), field
    for slider in ("#as-of", "#known-at"):
        assert again.input_value(slider) == page.input_value(slider), slider
    assert _values(again) == _values(page)
    expect(again.locator("#audit svg")).to_be_visible()


def _values(page: Page) -> list[str]:
    return page.locator("button.value").all_inner_texts()
