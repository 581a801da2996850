"""An audit, a decision list, a case file and an event record, each asked in a
fresh process of a synthetic fleet's log: wall time from the process's
start (importing the code, opening the store) to the answer, the part spent
answering, and the process's peak resident memory.

    python -m benchmarks.bounded_reads prepare --size 20000 --store /tmp/fleet.db
    python -m benchmarks.bounded_reads ask --store /tmp/fleet.db

`prepare` writes the log (`benchmarks.synthetic.fleet_log`), imports it with
the CLI (`incidentlog import`) and asks the station "as known now" once, as a
server's first page would (the read model then keeps its checkpoints).
`ask` picks the questions from the log's JSON Lines beside the store (a
decision in the middle of the log, its first incident and its event) and asks
each in a process of its own, so the same command measures any version of the
code that answers them (PYTHONPATH decides which).

Measured on SQLite, 2 shared cores (busy: figures vary by a third), before
(main at 21e5634) and after (bounded-reads at 1a7a799): seconds spent answering once
the store is open, and the process's peak MB:

    events   code                   audit        decisions    case file    event record
    20,000   whole log in memory    2.2 / 87     1.6 / 85     2.6 / 84     1.5 / 77
    20,000   bounded reads          0.008 / 46   0.018 / 48   0.006 / 46   0.002 / 46
    100,000  whole log in memory    10.8 / 257   9.4 / 241    9.2 / 241    8.6 / 201
    100,000  bounded reads          0.25 / 73    0.09 / 73    0.012 / 73   0.001 / 73

(a fresh process takes about 0.4 s more to start and open the store). The
audit's decision has 273 events in its answer. An audit whose decision has
consequences asks the station once everything known has happened: in a store
no question has left checkpoints in yet, that first answer folds the log once
(15.8 s, 243 MB at 100,000 events), and leaves the checkpoints every later one
starts from. A vehicle's history at 100,000 events: 11.3 s and 238 MB with the
log in memory, 13.6 s and 109 MB folding the read model's slices.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

QUESTIONS = ("audit", "decisions", "case file", "event record")


def prepare(size: int, store: str) -> None:
    from benchmarks.run import import_file
    from benchmarks.synthetic import fleet_log
    from projections.horizon import Horizon
    from store.application import IncidentLogApplication
    from store.settings import Settings

    file = Path(store + ".jsonl")
    file.write_text("".join(json.dumps(event) + "\n" for event in fleet_log(size)))
    started = time.perf_counter()
    import_file(store, file)
    print(f"imported {size} events in {time.perf_counter() - started:.1f} s", flush=True)
    app = IncidentLogApplication(Settings(store=store))
    try:
        app.state(Horizon.parse(None, None, None, app.now()))
    finally:
        app.close()


def chosen(store: str) -> dict[str, str]:
    """A decision in the middle of the log, and its first incident."""
    decisions = [e for e in map(json.loads, Path(store + ".jsonl").read_text().splitlines())
                 if e["type"] == "DecisionTaken"]
    decision = decisions[len(decisions) // 2]
    incidents = decision.get("incidents") or [decision.get("incident")]
    return {"decision": decision["id"], "incident": incidents[0], "decisions": str(len(decisions))}


def answer(store: str, question: str, picked: dict[str, str]) -> dict[str, Any]:
    """Open the store and answer one question, in this process."""
    started = time.perf_counter()
    from projections.horizon import Horizon
    from store.application import IncidentLogApplication
    from store.settings import Settings

    opening = time.perf_counter()
    app = IncidentLogApplication(Settings(store=store))
    try:
        now = Horizon.parse(None, None, None, app.now())
        asking = time.perf_counter()
        decision = uuid.UUID(picked["decision"])
        if question == "audit":
            found: Any = app.audit(decision, now)
            size = len(found.learned_afterwards) + len(found.known_when_taken)
        elif question == "decisions":
            size = len(app.decisions(now))
        elif question == "case file":
            found = app.incident_file(picked["incident"], now)
            size = len(found.timeline)
        else:
            found = app.event_record(decision, now)
            size = 1 + len(found.amendments)
        answered = time.perf_counter()
    finally:
        app.close()
    return {"question": question, "seconds": round(answered - started, 3),
            "open_s": round(asking - opening, 3), "answer_s": round(answered - asking, 3),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "answer_size": size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("prepare", "ask", "one"))
    parser.add_argument("--store", required=True)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--question", choices=QUESTIONS)
    args = parser.parse_args(argv)
    if args.action == "prepare":
        prepare(args.size, args.store)
    elif args.action == "one":
        print(json.dumps(answer(args.store, args.question, chosen(args.store))))
    else:
        picked = chosen(args.store)
        print(json.dumps(picked))
        for question in QUESTIONS:
            done = subprocess.run([sys.executable, __file__, "one", "--store", args.store,
                                   "--question", question], capture_output=True, text=True, check=True)
            print(done.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
