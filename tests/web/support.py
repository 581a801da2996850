"""Reading and moving the page through its DOM contract: range inputs
`#as-of`/`#known-at` with text inputs `#as-of-text`/`#known-at-text`
(`#recorded-before`), values as `button.value[data-field]` inside cards
`[data-vehicle]`, `[data-crew]`, `[data-station]`, and `body[data-ready]`
"true" once a refresh has rendered."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import Locator, Page

SEED_DECISION = "244d50da"  # Roscosmos: Soyuz MS-22 returns uncrewed, MS-23 brings the three home


def open_page(page: Page, base_url: str, **query: str) -> None:
    """Open the page (with a view in its URL) and wait until it has rendered."""
    answer = page.goto(f"{base_url}/?{urlencode(query)}" if query else f"{base_url}/")
    assert answer is not None and answer.ok, f"GET {page.url} answered {answer and answer.status}"
    wait_until_ready(page)


def wait_until_ready(page: Page) -> None:
    page.wait_for_function("document.body && document.body.dataset.ready === 'true'")


def set_time(page: Page, field: str, value: str) -> None:
    """Type a time into a text input (`#as-of-text`, `#known-at-text`,
    `#recorded-before`), press Enter, and wait for the refresh it starts."""
    done = page.evaluate("window.__refreshes")
    page.fill(field, value)
    page.press(field, "Enter")
    page.wait_for_function("done => window.__refreshes > done && document.body.dataset.ready === 'true'", arg=done)


def value(page: Page, card: str, field: str) -> Locator:
    """The shown value `field` in `card`, e.g. value(page, '[data-vehicle="soyuz-ms-22"]', "health")."""
    return page.locator(f'{card} button.value[data-field="{field}"]')


def vehicle(page: Page, vehicle_id: str, field: str) -> Locator:
    return value(page, f'[data-vehicle="{vehicle_id}"]', field)


def crew(page: Page, crew_id: str, field: str) -> Locator:
    return value(page, f'[data-crew="{crew_id}"]', field)


def station(page: Page, station_id: str, field: str) -> Locator:
    return value(page, f'[data-station="{station_id}"]', field)


def number(shown: Locator) -> int:
    """A count as shown: its first number, or 0 when it is said in words ("none", "no shortfall")."""
    text = shown.inner_text()
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    assert re.search(r"\b(no|none|zero)\b", text, re.IGNORECASE), f"no count in {text!r}"
    return 0


def slug(shown: Locator) -> str:
    """The shown text as an id would spell it ("Soyuz MS-22" -> "soyuz-ms-22")."""
    return re.sub(r"[^a-z0-9]+", "-", shown.inner_text().lower()).strip("-")
