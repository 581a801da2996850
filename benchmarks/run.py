"""Measure appends, a cold start and queries on each store.

    make bench                       # 10,000 events on SQLite and PostgreSQL
    .venv/bin/python -m benchmarks.run --events 100000 --stores sqlite

Figures are medians where a step is repeated; compare with the raw-library
baseline in shared/EVENTSOURCING-NOTES.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from benchmarks.synthetic import history
from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from store.settings import Settings

POSTGRES = "postgresql://postgres@127.0.0.1:5432/incidentlog_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"incidentlog benchmark: {args.events:,} events, batches of {args.batch}")
    for kind in args.stores.split(","):
        with store(kind) as url:
            if url is None:
                print(f"\n[{kind}] skipped: no server")
                continue
            run(kind, url, args.events, args.batch)


def run(kind: str, url: str, events: int, batch: int) -> None:
    drafts = [Draft.from_json(raw, uuid.uuid4) for raw in history(events)]
    app = IncidentLogApplication(Settings(store=url))
    started = time.perf_counter()
    for i in range(0, len(drafts), batch):
        app.append(drafts[i:i + batch], "bench")
    batched = len(drafts) / (time.perf_counter() - started)

    singles = [Draft.from_json({"type": "SeatCapacityChanged", "occurred_at": "2001-01-01",
                                "reported_at": "2001-01-01", "source": "benchmark",
                                "data": {"vehicle": "vehicle-0", "seats": 3, "reason": "bench"}}, uuid.uuid4)
               for _ in range(300)]
    started = time.perf_counter()
    for one in singles:
        app.append([one], "bench")
    single = len(singles) / (time.perf_counter() - started)
    app.close()

    started = time.perf_counter()
    cold = IncidentLogApplication(Settings(store=url))
    cold_start = time.perf_counter() - started
    # Memory is measured on a second cold start: tracing slows the first one down.
    tracemalloc.start()
    IncidentLogApplication(Settings(store=url)).close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    now = datetime.now(UTC)
    query_now = _median_ms(lambda: cold.state(Horizon(now, now)))
    middle = Horizon.parse("2000-06-30", "2000-06-30", None, now)
    query_past = _median_ms(lambda: cold.state(middle))
    head = cold.head
    cold.close()

    print(f"\n[{kind}] {head:,} events in the log")
    print(f"  append, {batch} events per batch   {batched:10,.0f} ev/s")
    print(f"  append, one event per call        {single:10,.0f} ev/s")
    print(f"  cold start (read + fold all)      {cold_start:10.2f} s   peak {peak / 2**20:,.0f} MiB traced")
    print(f"  state query, as of now            {query_now:10.1f} ms (median of 5)")
    print(f"  state query, as of mid-2000       {query_past:10.1f} ms (median of 5)")


def _median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@contextmanager
def store(kind: str) -> Iterator[str | None]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield str(Path(folder) / "bench.db")
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'incidentlog_bench'").fetchone():
                conn.execute("CREATE DATABASE incidentlog_bench")
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield f"{POSTGRES}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
