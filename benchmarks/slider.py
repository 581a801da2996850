"""How long the page takes to answer a move of the "as of" slider: a
measurement, not a test.

    make bench-slider                                  # 100,000 events
    .venv/bin/python -m benchmarks.slider --events 10000 --moves 5

The benchmark's synthetic log is stored in a scratch SQLite file and served
by `incidentlog serve` on 127.0.0.1; the page is opened in Debian's Chromium.
Each move sets the "as of" range to a new value and dispatches `input` and
`change` (a slider released), and the time runs, inside the page, until
`body[data-ready]` turns "true" again after the refresh the move started.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from benchmarks.synthetic import history
from domain.entry import Draft
from store.application import IncidentLogApplication
from store.settings import Settings
from tools.browser import launch
from tools.served import serve

# Where along the slider each move lands (distinct, so every move changes the view).
FRACTIONS = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.05, 0.95, 0.35, 0.65, 0.15, 0.85]

# One move: set the range, tell the page, resolve when a refresh has finished
# (a change of data-ready away from "false"); milliseconds from performance.now().
MOVE = """
async (fraction) => {
  const range = document.querySelector('#as-of');
  const min = Number(range.min), max = Number(range.max);
  const finished = new Promise((resolve, reject) => {
    const observer = new MutationObserver((records) => {
      if (records.some((r) => r.oldValue === 'false' && document.body.dataset.ready === 'true')) {
        observer.disconnect();
        resolve(performance.now());
      }
    });
    observer.observe(document.body, {attributes: true, attributeFilter: ['data-ready'], attributeOldValue: true});
    setTimeout(() => reject(new Error('no refresh finished within 120 s')), 120000);
  });
  performance.clearResourceTimings();
  const started = performance.now();
  range.value = String(min + fraction * (max - min));
  range.dispatchEvent(new Event('input', {bubbles: true}));
  range.dispatchEvent(new Event('change', {bubbles: true}));
  const ended = await finished;
  const requests = performance.getEntriesByType('resource')
    .filter((r) => r.startTime >= started && r.startTime <= ended)
    .map((r) => ({path: new URL(r.name).pathname, ms: r.responseEnd - r.startTime}));
  return {ms: ended - started, as_of: document.querySelector('#as-of-text').value, requests};
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--moves", type=int, default=9, help=f"Timed moves (at most {len(FRACTIONS) - 1}).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "bench.db"
        started = time.perf_counter()
        stored = fill(store, args.events)
        print(f"slider benchmark: {stored:,} synthetic events stored in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        with serve(store, log=Path(scratch) / "server.log", timeout=1800) as base, sync_playwright() as playwright:
            print(f"  server up (/health answers) after  {time.perf_counter() - started:8.1f} s")
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(300_000)
            page.add_init_script("performance.setResourceTimingBufferSize(10000)")
            started = time.perf_counter()
            answer = page.goto(f"{base}/")
            if answer is None or not answer.ok:
                raise SystemExit(f"GET / answered {answer and answer.status}")
            page.wait_for_function("document.body.dataset.ready === 'true'")
            print(f"  page loaded and rendered in        {(time.perf_counter() - started) * 1000:8.0f} ms")
            moves = measure(page, min(args.moves, len(FRACTIONS) - 1))
            browser.close()
    times = [move["ms"] for move in moves]
    for move in moves:
        waits = ", ".join(f"{r['path']} {r['ms']:.0f}" for r in sorted(move["requests"], key=lambda r: -r["ms"]))
        print(f"    as of {move['as_of']:<28} {move['ms']:8.0f} ms   requests (ms): {waits or 'none'}")
    print(f"  slider move to updated page: median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}, {len(times)} moves, first move untimed)")


def fill(store: Path, events: int) -> int:
    """The synthetic log, appended in batches straight through the application."""
    drafts = [Draft.from_json(raw, uuid.uuid4) for raw in history(events)]
    application = IncidentLogApplication(Settings(store=str(store)))
    try:
        for start in range(0, len(drafts), 500):
            application.append(drafts[start:start + 500], "bench")
        head: int = application.head
        return head
    finally:
        application.close()


def measure(page: Page, moves: int) -> list[dict[str, Any]]:
    """The first move warms the page up and is not counted."""
    results: list[dict[str, Any]] = [page.evaluate(MOVE, fraction) for fraction in FRACTIONS[:moves + 1]]
    return results[1:]


if __name__ == "__main__":
    main()
