"""`GET /integrity`: the hash chain recomputed from the stored events, on
SQLite and PostgreSQL; a change made in the database behind the service's
back is named by its position, and each check is counted in /metrics."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from store.application import IncidentLogApplication
from store.chain import GENESIS
from tests.factories import vehicle
from tests.tampering import delete_events, edit_event, swap_events


@pytest.fixture
def logged(client: TestClient) -> TestClient:
    assert client.post("/events/batch", json={"events": [vehicle(f"capsule-{i}") for i in range(5)]}
                       ).status_code == 201
    return client


def gauge(client: TestClient, name: str) -> float:
    found = [s.value for family in text_string_to_metric_families(client.get("/metrics").text)
             for s in family.samples if s.name == name]
    return found[0]


def test_an_untouched_log_is_intact_with_its_head(logged: TestClient, app: IncidentLogApplication) -> None:
    body = logged.get("/integrity").json()
    assert body == {"intact": True, "checked": 5, "head": app.chain.head().to_json(), "broken": None}
    assert body["head"]["position"] == 5
    assert gauge(logged, "incidentlog_verify_ok") == 1
    assert gauge(logged, "incidentlog_verify_position") == 5


def test_an_empty_log_is_intact_at_the_genesis_head(client: TestClient) -> None:
    assert client.get("/integrity").json()["head"] == {"position": 0, "hash": GENESIS}


def test_a_payload_edited_in_the_database_is_named_and_counted(logged: TestClient,
                                                               app: IncidentLogApplication) -> None:
    def more_seats(fields: dict[str, Any]) -> None:
        fields["data"]["seats"] = 6

    edit_event(app, 2, more_seats)
    body = logged.get("/integrity").json()
    assert body["intact"] is False
    assert (body["broken"]["position"], body["broken"]["kind"]) == (2, "changed")
    assert body["head"]["position"] == 1
    assert gauge(logged, "incidentlog_verify_ok") == 0
    assert gauge(logged, "incidentlog_verify_position") == 2


def test_deleted_and_swapped_events_are_named(logged: TestClient, app: IncidentLogApplication) -> None:
    swap_events(app, 2, 4)
    assert logged.get("/integrity").json()["broken"]["kind"] == "reordered"
    swap_events(app, 2, 4)
    delete_events(app, 3, 3)
    assert (logged.get("/integrity").json()["broken"] or {}).get("position") == 3


def test_a_head_kept_elsewhere_must_still_be_on_the_chain(logged: TestClient, app: IncidentLogApplication) -> None:
    kept = logged.get("/integrity").json()["head"]
    expect = f"{kept['position']}:{kept['hash']}"
    assert logged.get("/integrity", params={"expect_head": expect}).json()["intact"] is True
    delete_events(app, 4)
    with app.database.writing() as rows:
        rows.execute(f"DELETE FROM {app.chain.table} WHERE position >= 4")
    body = logged.get("/integrity", params={"expect_head": expect}).json()
    assert (body["broken"]["position"], body["broken"]["kind"]) == (5, "truncated")


def test_a_head_that_is_not_pos_colon_hash_is_refused(client: TestClient) -> None:
    response = client.get("/integrity", params={"expect_head": "5:abc"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
