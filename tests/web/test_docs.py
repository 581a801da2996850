"""The API documentation renders offline: every operation listed, nothing fetched from elsewhere."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser


def test_docs_lists_every_operation_without_leaving_the_machine(page: Page, base_url: str) -> None:
    left: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort("blockedbyclient")

    page.context.route("**/*", only_loopback)
    paths = sorted(page.request.get(f"{base_url}/openapi.json").json()["paths"])

    page.goto(f"{base_url}/docs")
    with suppress(PlaywrightTimeoutError):  # what is missing is said below
        page.wait_for_function(
            "paths => paths.every(p => document.body.innerText.replaceAll('\\u200b', '').includes(p))",
            arg=paths)

    assert not left, f"/docs asked for resources outside the machine: {left}"
    shown = page.inner_text("body").replace("\u200b", "")  # Swagger UI breaks paths with zero-width spaces
    assert [path for path in paths if path not in shown] == []
