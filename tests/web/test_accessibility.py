"""axe-core, run in the page (its script ships inside the axe-playwright-python
wheel), finds no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.web.support import SEED_DECISION, open_page, vehicle

pytestmark = pytest.mark.browser

GRAVE = {"serious", "critical"}


def test_the_page_has_no_serious_accessibility_violations(page: Page, base_url: str) -> None:
    open_page(page, base_url, as_of="2022-12-15")
    assert _grave(page) == []


def test_the_audit_and_an_explanation_have_no_serious_accessibility_violations(
        page: Page, base_url: str) -> None:
    open_page(page, base_url, as_of="2023-01-12")
    page.locator(f'#decisions button.decision[data-id^="{SEED_DECISION}"]').click()
    expect(page.locator("#audit svg")).to_be_visible()
    vehicle(page, "soyuz-ms-22", "health").click()
    expect(page.locator("#explanation")).to_be_visible()
    assert _grave(page) == []


def _grave(page: Page) -> list[str]:
    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in violations if v["impact"] in GRAVE]
