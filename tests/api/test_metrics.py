"""`GET /metrics`: requests by route template and status, latency, appends,
refusals by kind, the log's size and hash-chain checks, in Prometheus' text
format. The counters belong to the test process, so each test compares
before with after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from prometheus_client import multiprocess
from prometheus_client.parser import text_string_to_metric_families

from observability import metrics
from observability.multiprocess import MULTIPROCESS_DIR_VARIABLE
from tests.factories import crew_member, new_id, vehicle
from tools.served import serve

Labels = dict[str, str]


def samples(text: str) -> Iterator[tuple[str, Labels, float]]:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value


def value(client: TestClient | httpx2.Client, name: str, **labels: str) -> float:
    """A sample's value on /metrics (0 when it has not been counted yet)."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return sum(v for n, found, v in samples(response.text)
               if n == name and all(found.get(k) == want for k, want in labels.items()))


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    names = {name for name, _, _ in samples(response.text)}
    assert {"incidentlog_log_events", "incidentlog_log_head_position"} <= names


def test_requests_are_counted_by_route_template_not_by_path(client: TestClient) -> None:
    route = {"method": "GET", "route": "/events/{event_id}", "status": "404"}
    before = value(client, "incidentlog_http_requests_total", **route)

    for _ in range(3):
        assert client.get(f"/events/{new_id()}").status_code == 404

    assert value(client, "incidentlog_http_requests_total", **route) == before + 3
    text = client.get("/metrics").text
    assert "/events/" + "0" * 8 not in text and not any(
        labels.get("route", "").count("-") >= 4 for _, labels, _ in samples(text))  # no raw ids as labels


def test_each_route_has_a_latency_histogram(client: TestClient) -> None:
    before = value(client, "incidentlog_http_request_duration_seconds_count", method="GET", route="/state")

    client.get("/state")

    assert value(client, "incidentlog_http_request_duration_seconds_count",
                 method="GET", route="/state") == before + 1
    assert value(client, "incidentlog_http_request_duration_seconds_bucket",
                 method="GET", route="/state", le="+Inf") == before + 1


def test_a_path_no_route_takes_is_counted_as_unmatched(client: TestClient) -> None:
    before = value(client, "incidentlog_http_requests_total", route="unmatched", status="404")

    client.get(f"/no/such/{new_id()}")

    assert value(client, "incidentlog_http_requests_total", route="unmatched", status="404") == before + 1


def test_appends_count_batches_new_events_and_retries(client: TestClient) -> None:
    before = {name: value(client, name) for name in (
        "incidentlog_appended_events_total", "incidentlog_append_duplicates_total")}
    batches = value(client, "incidentlog_appends_total", route="/events/batch")
    batch = {"events": [vehicle("capsule-1", event_id=new_id()), crew_member("pilot-1", event_id=new_id())]}

    assert client.post("/events/batch", json=batch).status_code == 201
    assert client.post("/events/batch", json=batch).status_code == 200  # a retry: nothing new

    assert value(client, "incidentlog_appends_total", route="/events/batch") == batches + 2
    assert value(client, "incidentlog_appended_events_total") == before["incidentlog_appended_events_total"] + 2
    assert value(client, "incidentlog_append_duplicates_total") == before["incidentlog_append_duplicates_total"] + 2


def test_refused_appends_are_counted_by_status_and_kind(client: TestClient) -> None:
    invalid = {"method": "POST", "route": "/events", "status": "422", "kind": "invalid"}
    conflict = {"method": "POST", "route": "/events", "status": "409", "kind": "id_conflict"}
    before = value(client, "incidentlog_http_problems_total", **invalid), \
        value(client, "incidentlog_http_problems_total", **conflict)
    same_id = new_id()
    client.post("/events", json=vehicle("capsule-1", event_id=same_id))

    assert client.post("/events", json=vehicle("capsule-1", seats=-1)).status_code == 422
    assert client.post("/events", json=vehicle("capsule-2", event_id=same_id)).status_code == 409

    assert value(client, "incidentlog_http_problems_total", **invalid) == before[0] + 1
    assert value(client, "incidentlog_http_problems_total", **conflict) == before[1] + 1


def test_the_log_gauges_show_how_many_events_it_holds(client: TestClient) -> None:
    client.post("/events/batch", json={"events": [vehicle("capsule-1"), vehicle("capsule-2"), vehicle("capsule-3")]})

    assert value(client, "incidentlog_log_events") == 3
    assert value(client, "incidentlog_log_head_position") >= 3


def test_a_check_of_the_hash_chain_is_recorded(client: TestClient) -> None:
    runs = value(client, "incidentlog_verify_runs_total", result="broken")

    metrics.record_verify(ok=True, position=40)
    metrics.record_verify(ok=False, position=17)

    assert value(client, "incidentlog_verify_ok") == 0
    assert value(client, "incidentlog_verify_position") == 17
    assert value(client, "incidentlog_verify_runs_total", result="broken") == runs + 1
    assert value(client, "incidentlog_verify_last_run_timestamp_seconds") > 0


def test_several_workers_add_up_in_one_scrape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, the worker that answers a scrape counts every worker's requests."""
    shared = tmp_path / "metrics"
    monkeypatch.setenv(MULTIPROCESS_DIR_VARIABLE, str(shared))
    route = {"method": "GET", "route": "/events/{event_id}", "status": "404"}
    with serve(tmp_path / "log.db", tmp_path / "server.log", workers=2) as base:
        sent = 0
        while len(_workers_that_counted(shared, route)) < 2 and sent < 400:
            # a new connection each time, so the kernel spreads them over both workers
            assert httpx2.get(f"{base}/events/{new_id()}", timeout=10).status_code == 404
            sent += 1
        assert len(_workers_that_counted(shared, route)) == 2, "one worker took every request"

        with httpx2.Client(base_url=base, timeout=10) as http:
            assert value(http, "incidentlog_http_requests_total", **route) == sent


def _workers_that_counted(shared: Path, labels: Labels) -> set[str]:
    """The files (one per worker process) in which a request with `labels` was counted."""
    counted = set()
    for file in shared.glob("counter_*.db"):
        for family in multiprocess.MultiProcessCollector.merge([str(file)]):  # type: ignore[no-untyped-call]
            if any(sample.name == "incidentlog_http_requests_total" and sample.value > 0
                   and labels.items() <= sample.labels.items() for sample in family.samples):
                counted.add(file.name)
    return counted
