"""An event appended by anyone appears in the timeline without a reload."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.web.support import open_page

pytestmark = pytest.mark.browser


def test_an_event_appended_through_the_api_appears_live(page: Page, own_base_url: str, writer_token: str) -> None:
    open_page(page, own_base_url)
    expect(page.locator("#live")).to_contain_text("live", ignore_case=True)
    page.evaluate("window.__sameDocument = true")
    event_id = str(uuid.uuid4())

    answer = page.request.post(f"{own_base_url}/events", headers={"Authorization": f"Bearer {writer_token}"}, data={
        "id": event_id, "type": "ObservationRecorded", "occurred_at": "2023-01-20", "reported_at": "2023-01-20",
        "source": "browser test", "data": {"description": "Seen from the browser test", "vehicle": "soyuz-ms-22"}})
    assert answer.status == 201, answer.text()

    expect(page.locator(f'#timeline li.event[data-id="{event_id}"]')).to_be_attached()
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
