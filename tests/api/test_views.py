"""The station, a vehicle and a crew member, at any horizon."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import refused
from tests.factories import FakeClock, crew_member, docked_with_crew, event


def given_soyuz_docked(client: TestClient) -> None:
    client.post("/events/batch", json={"events": docked_with_crew("soyuz-ms-22", ["frank-rubio"])})


def leak_reported_on(day: str) -> dict[str, Any]:
    return event("LeakDetected", "2022-12-14", reported_at=day, vehicle="soyuz-ms-22",
                 system="cooling system", description="coolant leak")


def health(client: TestClient, **params: str) -> str:
    response = client.get("/vehicles/soyuz-ms-22", params=params)
    assert response.status_code == 200, response.text
    return str(response.json()["health"])


def test_the_state_shows_vehicles_crew_and_capacity(client: TestClient) -> None:
    given_soyuz_docked(client)

    state = client.get("/state").json()

    assert state["vehicles"]["soyuz-ms-22"]["location"] == "docked"
    assert state["crew"]["frank-rubio"]["aboard"] is True
    assert state["position"] == 4
    assert "iss" in state["stations"]


def test_the_state_before_anything_happened_is_empty(client: TestClient) -> None:
    given_soyuz_docked(client)

    state = client.get("/state", params={"as_of": "2022-08-01"}).json()

    assert state["vehicles"] == {}
    assert state["as_of"] == "2022-08-01T23:59:59.999999Z"


def test_a_late_report_changes_the_past_as_known_now_not_as_known_before(
        client: TestClient, clock: FakeClock) -> None:
    given_soyuz_docked(client)
    before = client.get("/events").json()["next_after"]
    clock.set("2024-01-02T00:00:00")
    client.post("/events", json=leak_reported_on("2023-01-11"))

    assert health(client, as_of="2022-12-20") == "damaged"
    assert health(client, as_of="2022-12-20", known_at="2023-01-10") == "nominal"
    assert health(client, as_of="2022-12-13") == "nominal"
    assert health(client, as_of="2022-12-20", recorded_before=str(before)) == "nominal"
    assert health(client, as_of="2022-12-20", recorded_before="2024-01-01") == "nominal"


def test_explain_says_which_event_set_each_field(client: TestClient) -> None:
    given_soyuz_docked(client)
    leak = client.post("/events", json=leak_reported_on("2022-12-15")).json()

    vehicle = client.get("/vehicles/soyuz-ms-22", params={"explain": "true"}).json()

    assert vehicle["explain"]["health"]["set_by"]["id"] == leak["id"]
    assert "explain" not in client.get("/vehicles/soyuz-ms-22").json()


def test_a_vehicle_answer_says_its_horizon(client: TestClient) -> None:
    given_soyuz_docked(client)

    vehicle = client.get("/vehicles/soyuz-ms-22", params={"as_of": "2022-12-20", "known_at": "2023-01-10"}).json()

    assert (vehicle["as_of"], vehicle["known_at"], vehicle["recorded_before"]) == (
        "2022-12-20T23:59:59.999999Z", "2023-01-10T23:59:59.999999Z", None)
    assert vehicle["position"] == 4


def test_an_unknown_vehicle_is_not_found(client: TestClient) -> None:
    refused(client.get("/vehicles/soyuz-ms-99"), 404, "vehicle_id")


def test_a_vehicle_not_yet_registered_at_the_horizon_is_not_found(client: TestClient) -> None:
    given_soyuz_docked(client)

    refused(client.get("/vehicles/soyuz-ms-22", params={"as_of": "2022-08-01"}), 404, "vehicle_id")


def test_a_crew_member_is_found_by_an_alias(client: TestClient) -> None:
    client.post("/events", json=crew_member("sergey-prokopyev", aliases=["Sergei Prokopjew", "Prokopjew"]))

    member = client.get("/crew/Prokopjew").json()

    assert member["id"] == "sergey-prokopyev"
    assert client.get("/crew/Sergei Prokopjew").json()["id"] == "sergey-prokopyev"


def test_an_unknown_crew_member_is_not_found(client: TestClient) -> None:
    refused(client.get("/crew/Tschub"), 404, "name")


def test_a_time_that_cannot_be_read_is_refused_naming_the_parameter(client: TestClient) -> None:
    refused(client.get("/state", params={"as_of": "last tuesday"}), 422, "as_of")
    refused(client.get("/vehicles/soyuz-ms-22", params={"known_at": "2023-02-30"}), 422, "known_at")
    refused(client.get("/crew/frank-rubio", params={"recorded_before": "soon"}), 422, "recorded_before")


def test_health_reports_the_store_and_the_head_of_the_log(client: TestClient) -> None:
    given_soyuz_docked(client)

    body = client.get("/health").json()

    assert body["status"] == "ok"
    assert body["head"] == 4
    assert body["store"].startswith(("sqlite:", "postgresql://"))

