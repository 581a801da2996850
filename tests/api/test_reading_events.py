"""Reading the log back: by position, a page at a time, or by id."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import refused
from tests.factories import event, vehicle


def given_vehicles(client: TestClient, count: int) -> None:
    client.post("/events/batch", json={"events": [vehicle(f"vehicle-{i}") for i in range(count)]})


def test_events_are_read_a_page_at_a_time(client: TestClient) -> None:
    given_vehicles(client, 5)

    first = client.get("/events", params={"limit": 2}).json()
    second = client.get("/events", params={"after": first["next_after"], "limit": 2}).json()
    last = client.get("/events", params={"after": second["next_after"], "limit": 2}).json()

    assert [e["position"] for e in first["events"]] == [1, 2]
    assert [e["position"] for e in second["events"]] == [3, 4]
    assert [e["position"] for e in last["events"]] == [5]


def test_reading_past_the_end_gives_no_events_and_the_same_cursor(client: TestClient) -> None:
    given_vehicles(client, 2)

    assert client.get("/events", params={"after": 2}).json() == {"events": [], "next_after": 2}


def test_a_page_holds_at_most_a_thousand_events(client: TestClient) -> None:
    refused(client.get("/events", params={"limit": 1001}), 422, "limit")
    refused(client.get("/events", params={"after": -1}), 422, "after")


def test_an_event_is_read_by_its_id(client: TestClient) -> None:
    sent = client.post("/events", json=vehicle("soyuz-ms-22")).json()

    read = client.get(f"/events/{sent['id']}").json()
    assert {k: read[k] for k in sent} == sent
    assert (read["amendments"], read["retracted"]) == ([], False)


def test_an_event_not_in_the_log_is_not_found(client: TestClient) -> None:
    refused(client.get("/events/00000000-0000-4000-8000-000000000000"), 404, "event_id")


def test_an_event_id_must_be_a_uuid(client: TestClient) -> None:
    refused(client.get("/events/soyuz-ms-22"), 422, "event_id")


def test_an_event_shows_its_corrections_and_what_is_believed_as_known_then(client: TestClient) -> None:
    sent = client.post("/events", json=vehicle("soyuz-ms-22")).json()
    client.post("/events", json=event("EntryCorrected", "2023-01-11", target=sent["id"], reason="four seats",
                                      changes={"seats": 4}))
    now = client.get(f"/events/{sent['id']}").json()
    assert now["data"]["seats"] == 3 and now["believed"]["data"]["seats"] == 4
    assert [a["type"] for a in now["amendments"]] == ["EntryCorrected"]
    before = client.get(f"/events/{sent['id']}", params={"known_at": "2023-01-10"}).json()
    assert (before["amendments"], before["believed"]["data"]["seats"]) == ([], 3)


def test_a_retracted_event_is_still_shown_but_not_believed(client: TestClient) -> None:
    sent = client.post("/events", json=vehicle("soyuz-ms-22")).json()
    client.post("/events", json=event("EntryRetracted", "2023-01-11", target=sent["id"], reason="duplicate"))
    read = client.get(f"/events/{sent['id']}").json()
    assert (read["retracted"], read["believed"], read["type"]) == (True, None, "VehicleRegistered")


def test_an_event_as_the_log_stood_before_its_correction_was_stored(client: TestClient) -> None:
    sent = client.post("/events", json=vehicle("soyuz-ms-22")).json()
    client.post("/events", json=event("EntryCorrected", "2023-01-11", target=sent["id"], reason="four seats",
                                      changes={"seats": 4}))
    then = client.get(f"/events/{sent['id']}", params={"recorded_before": str(sent["position"])}).json()
    assert (then["amendments"], then["believed"]["data"]["seats"]) == ([], 3)
    refused(client.get(f"/events/{sent['id']}", params={"recorded_before": "0"}), 404, "event_id")
