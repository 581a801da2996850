"""A value explains itself; a decision draws its evidence graph."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.support import SEED_DECISION, open_page, vehicle

pytestmark = pytest.mark.browser


def test_clicking_a_value_shows_the_event_that_set_it(page: Page, base_url: str) -> None:
    answer = page.request.get(f"{base_url}/vehicles/soyuz-ms-22",
                              params={"as_of": "2022-12-15", "explain": "true"})
    set_by = answer.json()["explain"]["health"]["set_by"]["id"]
    open_page(page, base_url, as_of="2022-12-15")

    vehicle(page, "soyuz-ms-22", "health").click()

    explanation = page.locator("#explanation")
    expect(explanation).to_be_visible()
    shown = explanation.locator("[data-set-by]").first
    expect(shown).to_be_visible()
    assert set_by in (shown.get_attribute("data-set-by") or "") + shown.inner_text()


def test_a_return_crew_explains_itself_through_each_members_assignment(page: Page, base_url: str) -> None:
    answer = page.request.get(f"{base_url}/vehicles/soyuz-ms-22/explain/return_crew", params={"as_of": "2022-12-15"})
    assignments = {part["set_by"]["id"] for part in answer.json()["parts"]}
    assert len(assignments) == 3
    open_page(page, base_url, as_of="2022-12-15")

    vehicle(page, "soyuz-ms-22", "return_crew").click()

    expect(page.locator("#explanation [data-set-by]").first).to_be_visible()
    shown = page.locator("#explanation [data-set-by]").evaluate_all(
        "items => items.map(i => i.dataset.setBy + ' ' + i.innerText).join(' ')")
    assert {event for event in assignments if event not in shown} == set()


def test_a_value_opens_its_explanation_from_the_keyboard_and_escape_gives_focus_back(
        page: Page, base_url: str) -> None:
    open_page(page, base_url, as_of="2022-12-15")
    health = vehicle(page, "soyuz-ms-22", "health")
    health.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#explanation [data-set-by]").first).to_be_visible()

    page.keyboard.press("Escape")

    expect(page.locator("#explanation")).to_be_hidden()
    expect(health).to_be_focused()


def test_selecting_a_decision_draws_its_evidence_graph(page: Page, base_url: str) -> None:
    open_page(page, base_url)
    page.locator(f'#decisions button.decision[data-id^="{SEED_DECISION}"]').click()
    expect(page.locator("#audit svg")).to_be_visible()
    links = page.locator("#audit a[href]")
    expect(links.first).to_be_attached()
    for href in links.evaluate_all("links => links.map(a => a.href)"):
        assert page.request.get(href).ok, href
