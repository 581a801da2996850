"""What the service counts, in Prometheus' text format (`GET /metrics`).

The names, all prefixed ``incidentlog_``:

- ``http_requests_total{method,route,status}`` and the histogram
  ``http_request_duration_seconds{method,route}`` (from a request's arrival
  until its response starts; for the live stream, until it opens). ``route``
  is the route's path template (``/events/{event_id}``), never the raw path,
  so ids do not multiply the series; a request answered before routing (an
  unknown path) counts under ``route="unmatched"``.
- ``http_problems_total{method,route,status,kind}``: every problem answer by
  the problem's kind (``conflict``, ``invalid``, ``store_unavailable``…), so
  the refused appends are the ones with ``method="POST",route=~"/events.*"``.
- ``appends_total{route}`` (accepted appends: a batch each, a single event
  being a batch of one), ``appended_events_total`` (events newly stored) and
  ``append_duplicates_total`` (events already stored: idempotent retries).
- ``log_events`` and ``log_head_position``: the log as this process last read it.
- ``store_answering`` (1 or 0) and ``store_probes_total{result}``: the last
  time the service asked whether the store answers (`GET /ready`, or a request
  that is slow to be answered), and what it heard.
- ``verify_runs_total{result}``, ``verify_ok``, ``verify_position`` and
  ``verify_last_run_timestamp_seconds``: the last check of the hash chain that
  ran in this service, through `record_verify`.

Several worker processes: when ``PROMETHEUS_MULTIPROC_DIR`` names a directory
(of its own, writable by every worker) prometheus-client keeps each process's
values in files there, and `exposition` adds them up, so whichever worker
answers a scrape answers for all (counters summed; the log gauges take the
highest, the store and verify gauges the most recent value). The variable
must be set before the server starts. Without it every process has its own
registry and a scrape sees only the worker that answered it. `incidentlog
serve` creates the directory and empties it when it starts
(`observability.multiprocess`).
"""

from __future__ import annotations

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from observability.multiprocess import multiprocess_dir

UNMATCHED = "unmatched"  # the route label of a request answered before routing

# From a cached read (a few ms) to a replay of a large log (tens of seconds).
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter("incidentlog_http_requests", "Requests answered, by method, route template and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("incidentlog_http_request_duration_seconds",
                    "Time from a request's arrival until its response starts, by method and route template.",
                    ["method", "route"], buckets=_LATENCY_BUCKETS)
PROBLEMS = Counter("incidentlog_http_problems", "Problem answers, by method, route template, status and kind.",
                   ["method", "route", "status", "kind"])
APPENDS = Counter("incidentlog_appends", "Appends accepted (each one batch; a single event is a batch of one).",
                  ["route"])
APPENDED_EVENTS = Counter("incidentlog_appended_events", "Events newly stored by appends.")
APPEND_DUPLICATES = Counter("incidentlog_append_duplicates",
                            "Events of accepted appends that the log already held (idempotent retries).")
LOG_EVENTS = Gauge("incidentlog_log_events", "Events in the log, as this process last read it.",
                   multiprocess_mode="max")
LOG_HEAD = Gauge("incidentlog_log_head_position", "Position of the log's last event, as this process last read it.",
                 multiprocess_mode="max")
STORE_ANSWERING = Gauge("incidentlog_store_answering", "1 if the store answered when last asked, else 0.",
                        multiprocess_mode="mostrecent")
STORE_PROBES = Counter("incidentlog_store_probes", "Questions to the store whether it answers, by result.",
                       ["result"])
VERIFY_RUNS = Counter("incidentlog_verify_runs", "Checks of the hash chain, by result (ok or broken).",
                      ["result"])
VERIFY_OK = Gauge("incidentlog_verify_ok", "1 if the last check found the chain whole, 0 if it found it broken.",
                  multiprocess_mode="mostrecent")
VERIFY_POSITION = Gauge("incidentlog_verify_position",
                        "The head the last check reached, or the first position where it found the chain broken.",
                        multiprocess_mode="mostrecent")
VERIFY_TIME = Gauge("incidentlog_verify_last_run_timestamp_seconds", "When the last check ran (Unix time).",
                    multiprocess_mode="mostrecent")


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def record_problem(method: str, route: str, status: int, kind: str) -> None:
    PROBLEMS.labels(method, route, str(status), kind).inc()


def record_append(route: str, stored: int, duplicates: int) -> None:
    """An accepted append through `route`: `stored` new events, `duplicates` already held."""
    APPENDS.labels(route).inc()
    APPENDED_EVENTS.inc(stored)
    APPEND_DUPLICATES.inc(duplicates)


def record_log(events: int, head: int) -> None:
    LOG_EVENTS.set(events)
    LOG_HEAD.set(head)


def record_store_probe(answered: bool) -> None:
    STORE_PROBES.labels("answered" if answered else "silent").inc()
    STORE_ANSWERING.set(1 if answered else 0)


def record_verify(ok: bool, position: int) -> None:
    """Record a check of the hash chain: `ok` if it found the chain whole, and
    `position`, the head it reached (when ok) or the first position where it
    found the chain broken. Call it wherever a check runs inside the service
    (e.g. `GET /integrity`); a check run by the command line is another
    process and is not seen here."""
    VERIFY_RUNS.labels("ok" if ok else "broken").inc()
    VERIFY_OK.set(1 if ok else 0)
    VERIFY_POSITION.set(position)
    VERIFY_TIME.set(time.time())


def exposition() -> tuple[bytes, str]:
    """The current values as Prometheus text, and its content type."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped in prometheus-client
    return generate_latest(registry), CONTENT_TYPE_LATEST
