"""Explain and history over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import refused
from tests.factories import docked_with_crew, event, new_id


def seed(client: TestClient) -> str:
    leak = new_id()
    client.post("/events/batch", json={"events": [
        *docked_with_crew("soyuz", ["ann"]),
        event("LeakDetected", "2022-12-14", event_id=leak, vehicle="soyuz", system="cooling", description="d"),
        event("VehicleDamageAssessed", "2023-01-11", based_on=[leak], vehicle="soyuz", health="damaged",
              crewed_return="emergency_only")]})
    return leak


def test_explain_names_the_event_behind_a_field_and_its_evidence(client: TestClient) -> None:
    leak = seed(client)
    body = client.get("/vehicles/soyuz", params={"explain": "true"}).json()
    why = body["explain"]["crewed_return"]
    assert why["set_by"]["type"] == "VehicleDamageAssessed"
    assert [e["id"] for e in why["evidence"]] == [leak]


def test_state_explains_crew_fields_too(client: TestClient) -> None:
    seed(client)
    body = client.get("/state", params={"explain": "true"}).json()
    assert body["crew"]["ann"]["explain"]["lifeboat"]["set_by"]["type"] == "VehicleDocked"


def test_a_vehicle_history_lists_changes_as_known_then(client: TestClient) -> None:
    seed(client)
    now = client.get("/vehicles/soyuz/history").json()["changes"]
    then = client.get("/vehicles/soyuz/history", params={"known_at": "2022-12-31"}).json()["changes"]
    assert now[-1]["changes"]["crewed_return"] == {"from": "under_review", "to": "emergency_only"}
    assert then[-1]["event"]["type"] == "LeakDetected"


def test_a_crew_history_is_found_by_name(client: TestClient) -> None:
    seed(client)
    changes = client.get("/crew/Ann/history").json()["changes"]
    assert any(c["changes"].get("aboard", {}).get("to") is True for c in changes)


def test_the_history_of_nobody_is_not_found(client: TestClient) -> None:
    refused(client.get("/crew/nobody/history"), 404, "name")
    refused(client.get("/vehicles/nothing/history"), 404, "vehicle_id")
