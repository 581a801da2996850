"""Debian's Chromium driven by Playwright: what the browser tests, `make
screenshot` and the slider benchmark share.

Playwright's own browser download is never used (it cannot reach its host
here): Chromium comes from the distribution (`apt-get install chromium`) and
is launched by path.
"""

from __future__ import annotations

import shutil

from playwright.sync_api import Browser, Playwright


def chromium() -> str | None:
    """Debian's Chromium, if it is installed."""
    return shutil.which("chromium")


def launch(playwright: Playwright) -> Browser:
    path = chromium()
    if path is None:
        raise FileNotFoundError("no chromium on PATH: apt-get install chromium")
    return playwright.chromium.launch(executable_path=path, headless=True)
