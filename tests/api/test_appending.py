"""Appending events: one, a batch, and retries."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN
from tests.api.support import refused, stored
from tests.factories import crew_member, event, new_id, vehicle


def test_an_appended_event_comes_back_as_stored(client: TestClient) -> None:
    response = client.post("/events", json=vehicle("soyuz-ms-22"))

    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "VehicleRegistered"
    assert body["position"] == 1
    assert body["actor"] == ADMIN  # the token's name (X-Actor is no longer read)
    assert body["recorded_at"].startswith("2024-01-01T12:00")
    assert response.headers["location"] == f"/events/{body['id']}"


def test_retrying_an_event_returns_the_original_and_stores_nothing(client: TestClient) -> None:
    sent = vehicle("soyuz-ms-22", event_id=new_id())
    first = client.post("/events", json=sent)

    retry = client.post("/events", json=sent)

    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert len(stored(client)) == 1


def test_reusing_an_id_for_different_content_is_a_conflict(client: TestClient) -> None:
    same_id = new_id()
    client.post("/events", json=vehicle("soyuz-ms-22", event_id=same_id))

    response = client.post("/events", json=vehicle("soyuz-ms-23", event_id=same_id))

    refused(response, 409, "id")
    assert len(stored(client)) == 1


def test_a_batch_is_stored_in_order(client: TestClient) -> None:
    batch = [vehicle("soyuz-ms-22"), crew_member("frank-rubio"),
             event("VehicleLaunched", "2022-09-21", vehicle="soyuz-ms-22", crew=["frank-rubio"])]

    response = client.post("/events/batch", json={"events": batch})

    assert response.status_code == 201
    body = response.json()
    assert (body["stored"], body["duplicates"]) == (3, 0)
    assert [e["position"] for e in body["events"]] == [1, 2, 3]


def test_a_batch_may_repeat_events_already_stored(client: TestClient) -> None:
    known = vehicle("soyuz-ms-22", event_id=new_id())
    client.post("/events", json=known)

    response = client.post("/events/batch", json={"events": [known, crew_member("frank-rubio")]})

    assert response.status_code == 201
    assert (response.json()["stored"], response.json()["duplicates"]) == (1, 1)


def test_retrying_a_whole_batch_stores_nothing_more(client: TestClient) -> None:
    batch = {"events": [vehicle("soyuz-ms-22", event_id=new_id()), crew_member("frank-rubio", event_id=new_id())]}
    client.post("/events/batch", json=batch)

    retry = client.post("/events/batch", json=batch)

    assert retry.status_code == 200
    assert (retry.json()["stored"], retry.json()["duplicates"]) == (0, 2)
    assert len(stored(client)) == 2


def test_a_batch_with_one_bad_event_stores_nothing(client: TestClient) -> None:
    batch = [vehicle("soyuz-ms-22"), crew_member("frank-rubio"),
             event("VehicleDocked", "2022-09-21", vehicle="soyuz-ms-99", station="iss")]

    response = client.post("/events/batch", json={"events": batch})

    refused(response, 422, "events[2].data.vehicle")
    assert stored(client) == []


def test_a_batch_of_one_still_names_its_event(client: TestClient) -> None:
    response = client.post("/events/batch", json={"events": [
        event("VehicleDocked", "2022-09-21", vehicle="soyuz-ms-99", station="iss")]})

    refused(response, 422, "events[0].data.vehicle")


def test_a_malformed_event_in_a_batch_is_named_by_its_index(client: TestClient) -> None:
    response = client.post("/events/batch", json={"events": [vehicle("soyuz-ms-22"), {"type": "Nonsense"}]})

    refused(response, 422, "events[1].type")
    assert stored(client) == []


def test_a_batch_must_hold_events(client: TestClient) -> None:
    refused(client.post("/events/batch", json={"events": []}), 422, "events")
    refused(client.post("/events/batch", json={"evnts": []}), 422, "events")
    refused(client.post("/events/batch", json={"events": [vehicle("soyuz-ms-22"), 7]}), 422, "events[1]")
