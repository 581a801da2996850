"""Every refused write names the field and the rule, answers with a
problem, and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import MakeClient
from tests.api.support import refused, stored
from tests.factories import event, vehicle


def leak(vehicle_id: str = "soyuz-ms-22") -> dict[str, Any]:
    return event("LeakDetected", vehicle=vehicle_id, system="cooling system", description="coolant leak")


def test_malformed_json_is_refused_naming_the_body(client: TestClient) -> None:
    response = client.post("/events", content=b'{"type": "VehicleRegistered",',
                           headers={"content-type": "application/json"})

    problem = refused(response, 422, "body")
    assert "not valid JSON" in problem["errors"][0]["rule"]
    assert stored(client) == []


def test_a_body_that_is_not_an_object_is_refused(client: TestClient) -> None:
    refused(client.post("/events", json=["VehicleRegistered"]), 422, "body")


def test_an_unknown_event_type_is_refused(client: TestClient) -> None:
    problem = refused(client.post("/events", json=event("VehicleTeleported", vehicle="x")), 422, "type")

    assert problem["type"].endswith(":invalid")
    assert "VehicleRegistered" in problem["errors"][0]["rule"]  # it lists the known types


def test_a_missing_field_is_refused(client: TestClient) -> None:
    client.post("/events", json=vehicle("soyuz-ms-22"))
    body = leak()
    del body["data"]["system"]

    refused(client.post("/events", json=body), 422, "data.system")
    assert len(stored(client)) == 1


def test_a_missing_occurred_at_is_refused(client: TestClient) -> None:
    body = vehicle("soyuz-ms-22")
    del body["occurred_at"]

    refused(client.post("/events", json=body), 422, "occurred_at")


def test_a_wrongly_typed_field_is_refused(client: TestClient) -> None:
    refused(client.post("/events", json=vehicle("soyuz-ms-22", seats="three")), 422, "data.seats")  # type: ignore[arg-type]
    assert stored(client) == []


def test_a_fact_reported_before_it_happened_is_refused(client: TestClient) -> None:
    body = vehicle("soyuz-ms-22", occurred_at="2022-12-14", reported_at="2022-12-13")

    refused(client.post("/events", json=body), 422, "reported_at")
    assert stored(client) == []


def test_a_fact_reported_in_the_future_is_refused(client: TestClient) -> None:
    body = vehicle("soyuz-ms-22", occurred_at="2022-12-14", reported_at="2024-06-01")

    refused(client.post("/events", json=body), 422, "reported_at")
    assert stored(client) == []


def test_the_log_sets_recorded_at_never_the_writer(client: TestClient) -> None:
    body = {**vehicle("soyuz-ms-22"), "recorded_at": "2022-12-14"}

    refused(client.post("/events", json=body), 422, "recorded_at")


def test_a_reference_to_an_unregistered_vehicle_is_refused(client: TestClient) -> None:
    problem = refused(client.post("/events", json=leak("soyuz-ms-99")), 422, "data.vehicle")

    assert problem["type"].endswith(":unknown_reference")
    assert stored(client) == []


def test_evidence_must_be_in_the_log(client: TestClient) -> None:
    body = vehicle("soyuz-ms-22", based_on=["00000000-0000-4000-8000-000000000000"])

    refused(client.post("/events", json=body), 422, "based_on[0]")


def test_docking_a_landed_vehicle_is_a_conflict(client: TestClient) -> None:
    client.post("/events/batch", json={"events": [
        vehicle("soyuz-ms-22"),
        event("VehicleLaunched", "2022-09-21", vehicle="soyuz-ms-22"),
        event("VehicleLanded", "2023-03-28", vehicle="soyuz-ms-22"),
    ]})

    response = client.post("/events", json=event("VehicleDocked", "2023-04-01", vehicle="soyuz-ms-22",
                                                  station="iss"))

    problem = refused(response, 409, "data.vehicle")
    assert "landed" in problem["detail"]
    assert len(stored(client)) == 3


def test_an_oversized_body_is_refused_before_it_is_read(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=1000)
    body = vehicle("soyuz-ms-22", source="x" * 2000)

    refused(client.post("/events", json=body), 413, "body")
    assert stored(client) == []


def test_an_oversized_body_without_a_length_is_refused_while_it_is_read(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"type": "VehicleRegistered", "source": "'
        yield b"x" * 2000
        yield b'"}'

    response = client.post("/events", content=chunks(), headers={"content-type": "application/json"})

    refused(response, 413, "body")
    assert stored(client) == []


def test_a_batch_over_the_limit_is_refused_whole(make_client: MakeClient) -> None:
    client = make_client(max_batch_events=2)
    batch = [vehicle("soyuz-ms-22"), vehicle("soyuz-ms-23"), vehicle("soyuz-ms-24")]

    refused(client.post("/events/batch", json={"events": batch}), 413, "events")
    assert stored(client) == []


def test_an_unknown_route_is_a_problem_too(client: TestClient) -> None:
    response = client.get("/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_more_seats_than_a_real_vehicle_has_are_refused(client: TestClient) -> None:
    problem = refused(client.post("/events", json=vehicle("soyuz-ms-22", seats=10**30)), 422, "data.seats")
    assert "between 0 and 100" in problem["errors"][0]["rule"]
    assert stored(client) == []


def test_a_control_character_in_a_text_is_refused(client: TestClient) -> None:
    client.post("/events", json=vehicle("soyuz-ms-22"))
    body = event("LeakDetected", vehicle="soyuz-ms-22", system="cooling\x00system", description="leak")

    problem = refused(client.post("/events", json=body), 422, "data.system")
    assert "control characters" in problem["errors"][0]["rule"]
    assert len(stored(client)) == 1


def test_a_source_of_unreal_length_is_refused(client: TestClient) -> None:
    refused(client.post("/events", json=vehicle("soyuz-ms-22", source="x" * 10_001)), 422, "source")
    assert stored(client) == []
