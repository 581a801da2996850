"""`make bench` end to end at a tiny size: CI checks the harness, never the figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.report import missing

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The whole harness on 300 events, SQLite only, few repetitions: its JSON and what it printed."""
    output = tmp_path_factory.mktemp("bench") / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--size", "300", "--stores", "sqlite", "--repetitions", "2",
         "--samples", "3", "--appends", "64", "--singles", "50", "--budget", "5", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(output.read_text()), run.stdout


def test_a_tiny_run_has_every_figure_in_its_json(tiny_run: tuple[dict[str, Any], str]) -> None:
    results, _ = tiny_run
    assert missing(results) == []
    assert results["stores"]["sqlite"]["events"] >= 300
    assert results["log"]["events"] == 300


def test_a_tiny_run_prints_the_table(tiny_run: tuple[dict[str, Any], str]) -> None:
    _, printed = tiny_run
    assert "| figure | SQLite |" in printed
    for row in ("| vehicle as of, in process: p50 / p99 |", "| history of one vehicle, HTTP: p50 / p99 |",
                "| import, batches of 500", "| HTTP append, 32 clients |", "| rebuild (", "| server start"):
        assert row in printed


def test_a_figure_missing_or_zero_is_caught(tiny_run: tuple[dict[str, Any], str]) -> None:
    results, _ = tiny_run
    broken = json.loads(json.dumps(results))
    del broken["stores"]["sqlite"]["queries"]["history"]["http"]["p99_ms"]
    broken["stores"]["sqlite"]["server"]["peak_rss_mb"] = 0
    assert missing(broken) == ["stores.sqlite.server.peak_rss_mb", "stores.sqlite.queries.history.http.p99_ms"]
