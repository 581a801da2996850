"""Photograph the page for the README: the first scenario served from a
scratch store, opened in Chromium at a telling horizon.

    make screenshot                                  # writes docs/page.png
    python -m tools.screenshot --as-of 2023-01-12 --known-at 2023-01-10 --out /tmp/page.png

The default horizon is the day after the leak was found: Soyuz MS-22 damaged,
the station three cleared seats short, the decision still to come.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

from tools.browser import launch
from tools.served import ROOT, seed, serve

WIDTH, HEIGHT = 1400, 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as-of", default="2022-12-15")
    parser.add_argument("--known-at", default=None, help="Default: now.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "page.png")
    args = parser.parse_args()
    query = {"as_of": args.as_of} | ({"known_at": args.known_at} if args.known_at else {})
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "incidentlog.db"
        seed(store)
        with serve(store, log=Path(scratch) / "server.log") as base, sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            answer = page.goto(f"{base}/?{urlencode(query)}")
            if answer is None or not answer.ok:
                raise SystemExit(f"GET / answered {answer and answer.status}")
            page.wait_for_function("document.body.dataset.ready === 'true'")
            page.wait_for_function("/\\blive\\b/i.test(document.querySelector('#live').textContent)")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out} ({WIDTH}x{HEIGHT}, {'&'.join(f'{k}={v}' for k, v in query.items())})")


if __name__ == "__main__":
    main()
