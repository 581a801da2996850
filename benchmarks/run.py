"""The benchmark against the limit: the log as a user runs it, beside the raw
`eventsourcing` library and a naive replay, on a realistic synthetic log.

    make bench                                 # SIZE=10000 on SQLite and PostgreSQL
    make bench SIZE=100000 STORES=sqlite
    .venv/bin/python -m benchmarks.run --size 300 --stores sqlite --repetitions 2 --samples 3

For each store, side by side in one run (medians of several repetitions):

- questions (vehicle, crew member, whole station, explain, history) at random
  horizons, in process and over HTTP: p50 and p99, and their ratio to a naive
  replay (read every event from the store, fold, answer), measured once a kind;
- import (`incidentlog import`, batches of 500) against the raw library saving
  the same events in the same batches;
- HTTP appends with 1 and 32 clients against the raw library's single saves;
- rebuild (`incidentlog projections rebuild` once it exists; until then the
  application's cold start, which reads and folds the whole log) against the
  raw library's decoded read of the notification log;
- server start (until /health answers) and its peak resident memory;
- verify (`incidentlog verify`'s check of the hash chain: every stored event
  read, decoded and hashed again) against the raw library's decoded read.

Every figure gets about `--budget` seconds: samples and repetitions beyond
the first are cut down when one takes long, and the output says so. The
figures go to benchmarks/results/bench-SIZE.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import io
import json
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

from benchmarks import raw
from benchmarks.measure import Timings, again, cut, enough, repeat, sample, timed
from benchmarks.questions import KINDS, ROUTES, Cast, Question, draws
from benchmarks.report import check_figures, into_readme, shape, table
from benchmarks.server import ROOT, Server, serving
from benchmarks.stores import KINDS as STORE_NAMES
from benchmarks.stores import postgres_ready, scratch
from benchmarks.synthetic import SEED, describe, fleet_log
from domain.roles import Role
from store.application import IncidentLogApplication
from store.records import EntryRecorded
from store.settings import Settings
from store.tokens import TokenStore

RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
BATCH = 500
CLIENTS = (1, 32)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", "--events", type=int, default=10_000, help="Events in the synthetic log.")
    parser.add_argument("--stores", default="sqlite,postgres", help="sqlite, postgres or both (comma-separated).")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repetitions", type=int, default=5, help="Repetitions of each throughput figure, at most.")
    parser.add_argument("--samples", type=int, default=50, help="Random horizons per question kind, at most.")
    parser.add_argument("--budget", type=float, default=20.0, help="Seconds each figure may take beyond its first run.")
    parser.add_argument("--appends", type=int, default=640, help="Events posted for each HTTP append figure.")
    parser.add_argument("--singles", type=int, default=1000, help="Single saves of the raw library, per repetition.")
    parser.add_argument("--output", type=Path, help="The JSON file (default: benchmarks/results/bench-SIZE.json).")
    args = parser.parse_args(argv)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not stores or any(s not in STORE_NAMES for s in stores):
        parser.error(f"--stores: choose among {', '.join(STORE_NAMES)}")
    output = args.output or RESULTS / f"bench-{args.size}.json"
    # Stopped with SIGTERM, still stop the server and drop the scratch stores.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))

    began = time.perf_counter()
    print(f"incidentlog benchmark: {args.size:,} events, seed {args.seed}, stores {', '.join(stores)}", flush=True)
    events, generated = _timed_value(lambda: fleet_log(args.size, args.seed))
    log = describe(events)
    print(f"  generated in {generated:.1f} s: {shape(log)}, {log['late_reports']:,} late reports, "
          f"{log['first_day']} to {log['last_day']}", flush=True)
    results: dict[str, Any] = {
        "size": args.size, "seed": args.seed, "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {"repetitions": args.repetitions, "samples": args.samples, "budget_s": args.budget,
                     "batch": BATCH, "appends": args.appends, "singles": args.singles, "clients": list(CLIENTS)},
        "log": log, "stores": {}, "notes": [],
    }
    with tempfile.TemporaryDirectory(prefix="incidentlog-bench-") as folder:
        scratch_folder = Path(folder)
        file = scratch_folder / "log.jsonl"
        file.write_text("".join(json.dumps(event) + "\n" for event in events))
        records = raw.records(events)
        gc.collect()
        gc.freeze()  # the run's own data is never garbage: collections during a measurement skip it
        for kind in stores:
            why = postgres_ready() if kind == "postgres" else None
            if why is not None:
                print(f"\n[{kind}] skipped: {why}", flush=True)
                results["stores"][kind] = {"skipped": why}
                continue
            print(f"\n[{kind}]", flush=True)
            bench = StoreBench(kind, args, events, records, file, scratch_folder)
            results["stores"][kind] = bench.run()
            results["notes"] += [f"{kind}: {note}" for note in bench.notes]
    results["seconds"] = round(time.perf_counter() - began, 1)
    check_figures(results)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    print(f"\nWritten to {output} ({results['seconds']:.0f} s in all).")
    if args.output is None and into_readme(README, args.size, table(results)):
        print(f"The table is in {README.name}, under 'Benchmarks'.")


class StoreBench:
    """Every figure on one kind of store."""

    def __init__(self, kind: str, args: argparse.Namespace, events: list[dict[str, Any]],
                 records: list[EntryRecorded], file: Path, folder: Path) -> None:
        self.kind, self.args, self.events, self.records = kind, args, events, records
        self.file, self.folder = file, folder
        self.cast = Cast.of(events)
        self.notes: list[str] = []

    def run(self) -> dict[str, Any]:
        with scratch(self.kind, self.folder) as store:
            figures: dict[str, Any] = {"import": self.import_figures(store)}
            singles = self.raw_single_saves()
            figures["rebuild"], application = self.rebuild_figures(store)
            with ExitStack() as stack:
                stack.callback(application.close)
                figures["verify"] = self.verify_figures(application, figures["rebuild"])
                figures["server"], server = self.start_figures(store, stack)
                figures["queries"] = {kind: self.question_figures(kind, application, server, store)
                                      for kind in KINDS}
                figures["http_append"] = self.append_figures(server, singles, store)
                figures["server"]["peak_rss_mb"] = round(server.memory_mb("VmHWM"), 1)
                figures["events"] = application.head
            self.say(f"server peak RSS after the run {figures['server']['peak_rss_mb']:,.0f} MB")
        return figures

    # --- Writing ----------------------------------------------------------------

    def import_figures(self, store: str) -> dict[str, Any]:
        """`incidentlog import` of the whole file into an empty store; the first
        import fills `store`, further repetitions go to scratch stores."""
        def into_fresh_store() -> float:
            with scratch(self.kind, self.folder) as other:
                return timed(lambda: import_file(other, self.file))

        first = timed(lambda: import_file(store, self.file))
        timings = self._more(first, into_fresh_store, self.args.repetitions, "import")
        rate = len(self.events) / timings.median
        raw_timings = self._fresh(lambda other: raw.save_in_batches(other, self.records, BATCH), "raw batched saves")
        raw_rate = len(self.records) / raw_timings.median
        self.say(f"import, batches of {BATCH}: {rate:,.0f} events/s (median of {len(timings.seconds)}); "
                 f"raw library {raw_rate:,.0f} events/s")
        return {"path": f"incidentlog import (the CLI, in process), batches of {BATCH}",
                "events_per_s": round(rate, 1), "seconds": round(timings.median, 3),
                "repetitions": len(timings.seconds), "raw_events_per_s": round(raw_rate, 1),
                "raw_repetitions": len(raw_timings.seconds), "ratio": round(rate / raw_rate, 4)}

    def raw_single_saves(self) -> float:
        singles = self.records[:self.args.singles]
        timings = self._fresh(lambda other: raw.save_one_by_one(other, singles), "raw single saves")
        rate = len(singles) / timings.median
        self.say(f"raw library, one event per save: {rate:,.0f} events/s")
        return rate

    def append_figures(self, server: Server, raw_single: float, store: str) -> dict[str, Any]:
        vehicles = [name for _, name in self.cast.vehicles]
        tokens = TokenStore(Settings(store=store))
        try:  # writes need a token, even on loopback
            token = tokens.create("benchmark-writer", Role.REPORTER).secret
        finally:
            tokens.close()
        figures: dict[str, Any] = {"raw_single_saves_per_s": round(raw_single, 1), "clients": {}}
        for clients in CLIENTS:
            per_client = max(1, self.args.appends // clients)
            events = clients * per_client
            # Both sides' processor time: on one machine the clients' share is not the server's to use.
            server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
            seconds = asyncio.run(post_events(server.base, clients, per_client, vehicles, self.cast.last_day, token))
            server_cpu, client_cpu = server.cpu_seconds() - server_cpu, time.process_time() - client_cpu
            rate = events / seconds
            figures["clients"][str(clients)] = {
                "events": events, "events_per_s": round(rate, 1), "ratio": round(rate / raw_single, 4),
                "server_cpu_ms_per_event": round(1000 * server_cpu / events, 3),
                "client_cpu_ms_per_event": round(1000 * client_cpu / events, 3)}
            self.say(f"HTTP append, {clients} client{'s' if clients > 1 else ''}: {rate:,.0f} events/s "
                     f"(processor time per event: server {1000 * server_cpu / events:.2f} ms, "
                     f"clients {1000 * client_cpu / events:.2f} ms)")
        return figures

    # --- Reading ----------------------------------------------------------------

    def rebuild_figures(self, store: str) -> tuple[dict[str, Any], IncidentLogApplication]:
        """A rebuild of what the application answers from; the application is
        left open for the questions asked in process."""
        opened: list[IncidentLogApplication] = []
        rebuild = rebuild_command()

        def cold_start() -> float:
            for earlier in opened:  # the previous one is closed and let go before the clock starts
                earlier.close()
            opened.clear()
            started = time.perf_counter()
            opened.append(IncidentLogApplication(Settings(store=store)))
            return time.perf_counter() - started

        if rebuild is not None:
            label = "incidentlog projections rebuild"
            timings = repeat(lambda: rebuild(store), self.args.repetitions, self.args.budget, what="rebuild")
            cold_start()
        else:
            label = "cold start: no `projections rebuild` yet, so the application reading and folding the whole log"
            timings = again([], lambda _: cold_start(), [None] * self.args.repetitions, self.args.budget, 1,
                            "rebuild (cold start)")
        self._note(timings)
        application = opened[0]
        events = application.head
        read = repeat(lambda: raw.read_decoded(store), self.args.repetitions, self.args.budget,
                      what="raw decoded read")
        self._note(read)
        rate, raw_rate = events / timings.median, events / read.median
        self.say(f"rebuild ({label.split(':')[0]}): {rate:,.0f} events/s in {timings.median:.2f} s; "
                 f"raw decoded read {raw_rate:,.0f} events/s")
        return ({"label": label, "events_per_s": round(rate, 1), "seconds": round(timings.median, 3),
                 "repetitions": len(timings.seconds), "raw_decoded_read_events_per_s": round(raw_rate, 1),
                 "raw_repetitions": len(read.seconds), "ratio": round(rate / raw_rate, 4)}, application)

    def verify_figures(self, application: IncidentLogApplication, rebuild: dict[str, Any]) -> dict[str, Any]:
        """The hash chain checked from the stored events, as `incidentlog verify` does."""
        verdicts = []
        timings = repeat(lambda: verdicts.append(application.chain.verify()), self.args.repetitions,
                         self.args.budget, what="verify")
        self._note(timings)
        if not verdicts[-1].intact:
            raise RuntimeError(f"verify found the benchmark's log broken: {verdicts[-1].broken}")
        events = verdicts[-1].checked
        rate, raw_rate = events / timings.median, rebuild["raw_decoded_read_events_per_s"]
        self.say(f"verify: {events:,} events in {timings.median:.2f} s, {rate:,.0f} events/s")
        return {"events_per_s": round(rate, 1), "seconds": round(timings.median, 3),
                "repetitions": len(timings.seconds), "raw_decoded_read_events_per_s": raw_rate,
                "ratio": round(rate / raw_rate, 4)}

    def start_figures(self, store: str, stack: ExitStack) -> tuple[dict[str, Any], Server]:
        """Start the server until /health answers, as often as fits; the last
        one stays up (until `stack` closes) for the HTTP figures."""
        log = self.folder / f"server-{self.kind}.log"
        starts: list[float] = []
        began = time.perf_counter()
        while True:
            manager = serving(store, log)
            server = manager.__enter__()
            starts.append(server.start_seconds)
            last = len(starts) == self.args.repetitions or enough(starts, time.perf_counter() - began,
                                                                   self.args.budget, 1)
            if last:
                stack.push(manager.__exit__)
                break
            manager.__exit__(None, None, None)
        timings = cut(starts, self.args.repetitions, self.args.budget, 1, "server start")
        self._note(timings)
        figures = {"start_s": round(timings.median, 3), "start_repetitions": len(starts),
                   "rss_after_start_mb": round(server.memory_mb("VmHWM"), 1)}
        self.say(f"server start (until /health answers) {timings.median:.2f} s; peak RSS after start "
                 f"{figures['rss_after_start_mb']:,.0f} MB")
        return figures, server

    def question_figures(self, kind: str, application: IncidentLogApplication, server: Server,
                         store: str) -> dict[str, Any]:
        questions = draws(kind, self.cast, self.args.samples, self.args.seed)
        with httpx2.Client(base_url=server.base, timeout=600) as client:
            def over_http(question: Question) -> Callable[[], object]:
                def ask() -> object:
                    answer = client.get(question.path)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{question.path} answered {answer.status_code}: {answer.text[:300]}")
                    return answer.content
                return ask

            if kind == KINDS[0]:  # the first question of a run pays for what is read once: warm both up
                questions[0].ask(application)
                over_http(questions[0])()
            local = sample([functools.partial(q.ask, application) for q in questions], self.args.budget,
                           what=f"{kind} in process")
            remote = sample([over_http(q) for q in questions], self.args.budget, what=f"{kind} over HTTP")
        # Replayed once, on the question whose answer in process took the median time,
        # so that the ratio compares one question answered two ways.
        typical = questions[sorted(range(len(local.seconds)), key=local.seconds.__getitem__)[
            (len(local.seconds) - 1) // 2]]
        naive = timed(lambda: typical.replay(raw.read_entries(store), typical.horizon(application)))
        for timings in (local, remote):
            self._note(timings)
        figures = {"question": ROUTES[kind], "naive_replay_ms": _ms(naive), "naive_replay_of": typical.path,
                   "in_process": _percentiles(local, naive, questions), "http": _percentiles(remote, naive, questions)}
        self.say(f"{kind}: in process p50 {_ms(local.median):,} ms, p99 {_ms(local.percentile(0.99)):,} ms "
                 f"({len(local.seconds)}); HTTP p50 {_ms(remote.median):,} ms, p99 {_ms(remote.percentile(0.99)):,} "
                 f"ms ({len(remote.seconds)}); naive replay {_ms(naive):,} ms")
        return figures

    # --- Helpers ------------------------------------------------------------------

    def _more(self, first: float, run_again: Callable[[], float], asked: int, what: str) -> Timings:
        """`first` (seconds, measured already) and as many more runs of
        `run_again` (which times itself) as fit in the budget."""
        timings = again([first], lambda _: run_again(), [None] * asked, self.args.budget, 1, what)
        self._note(timings)
        return timings

    def _fresh(self, work: Callable[[str], object], what: str) -> Timings:
        """Repetitions of `work`, each on an empty scratch store (its tables made untimed)."""
        def once() -> float:
            with scratch(self.kind, self.folder) as other:
                with raw.opened(raw.RawLog, other):
                    pass
                return timed(lambda: work(other))

        first = once()
        return self._more(first, once, self.args.repetitions, what)

    def _note(self, timings: Timings) -> None:
        if timings.note:
            self.notes.append(timings.note)
            print(f"  ({timings.note})", flush=True)

    def say(self, text: str) -> None:
        print(f"  {text}", flush=True)


def import_file(store: str, file: Path) -> None:
    """`incidentlog --store STORE import FILE`, run in this process."""
    from cli.main import app

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as errors:
        code = app(["--store", store, "import", str(file), "--quiet", "--batch-size", str(BATCH),
                    "--actor", "bench"], standalone_mode=False)
    if code not in (None, 0):
        raise RuntimeError(f"incidentlog import failed ({code}): {errors.getvalue()[-2000:]}")


def rebuild_command() -> Callable[[str], None] | None:
    """`incidentlog projections rebuild`, run in this process, once the CLI has it."""
    import typer.main

    from cli.main import app

    command = typer.main.get_command(app)
    group = getattr(command, "commands", {}).get("projections")
    if group is None or "rebuild" not in getattr(group, "commands", {}):
        return None

    def rebuild(store: str) -> None:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as errors:
            code = app(["--store", store, "projections", "rebuild"], standalone_mode=False)
        if code not in (None, 0):
            raise RuntimeError(f"incidentlog projections rebuild failed ({code}): {errors.getvalue()[-2000:]}")

    return rebuild


async def post_events(base: str, clients: int, each: int, vehicles: list[str], day: Any, token: str) -> float:
    """`clients` writers posting `each` single observations at once; seconds from first to last."""
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(base_url=base, timeout=600, limits=limits,
                                  headers={"Authorization": f"Bearer {token}"}) as client:
        rng = random.Random(clients)

        async def writer(number: int) -> None:
            for i in range(each):
                event = {"type": "ObservationRecorded", "occurred_at": day.isoformat(), "source": "benchmark client",
                         "data": {"description": f"client {number} reading {i}", "vehicle": rng.choice(vehicles)}}
                answer = await client.post("/events", json=event)
                if answer.status_code != 201:
                    raise RuntimeError(f"POST /events answered {answer.status_code}: {answer.text[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(writer(n) for n in range(clients)))
        return time.perf_counter() - started


def _significant(value: float) -> float:
    """Three significant figures: a ratio of 0.00001 must not round to nothing."""
    return float(f"{value:.3g}")


def _percentiles(timings: Timings, naive: float, questions: list[Question]) -> dict[str, Any]:
    """p50 and p99 of all the questions, and the p50 of those "as known now"
    and of those at a past `known_at` apart: the two are answered differently."""
    figures: dict[str, Any] = {"p50_ms": _ms(timings.median), "p99_ms": _ms(timings.percentile(0.99)),
                               "samples": len(timings.seconds), "ratio_to_naive": _significant(timings.median / naive)}
    for name, now in (("known_now", True), ("past_known_at", False)):
        chosen = [s for s, q in zip(timings.seconds, questions, strict=False) if (q.known_at is None) == now]
        figures[f"{name}_p50_ms"] = _ms(statistics.median(chosen)) if chosen else None
        figures[f"{name}_samples"] = len(chosen)
    return figures


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _timed_value(work: Callable[[], list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    value = work()
    return value, time.perf_counter() - started


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
