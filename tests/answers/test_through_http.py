"""Answers over HTTP on the first scenario: derived values explained through
their parts, a field explained on its own, and every answer documented."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import refused

AFTER_THE_LEAK = {"as_of": "2022-12-20", "known_at": "2022-12-20"}
AFTER_THE_DECISION = {"as_of": "2023-01-12", "known_at": "2023-01-12"}


def test_a_return_crew_is_explained_through_each_members_assignment(http: TestClient) -> None:
    body = http.get("/vehicles/soyuz-ms-23/explain/return_crew", params=AFTER_THE_DECISION).json()
    assert (body["subject"], body["id"], body["field"]) == ("vehicle", "soyuz-ms-23", "return_crew")
    assert [part["id"] for part in body["parts"]] == body["value"] and len(body["value"]) == 3
    assert {part["set_by"]["type"] for part in body["parts"]} == {"ReturnVehicleAssigned"}
    assert len({part["set_by"]["id"] for part in body["parts"]}) == 3


def test_a_field_set_by_one_event_has_no_parts(http: TestClient) -> None:
    body = http.get("/vehicles/soyuz-ms-22/explain/health", params=AFTER_THE_LEAK).json()
    assert body["value"] == "damaged" and body["set_by"]["type"] == "LeakDetected" and "parts" not in body


def test_the_shortfall_is_explained_through_the_people_and_the_cleared_seats(http: TestClient) -> None:
    iss = http.get("/capacity", params={**AFTER_THE_LEAK, "explain": "true"}).json()["stations"]["iss"]
    why = iss["explain"]["shortfall"]
    assert why["value"] == iss["shortfall"] == 3 and why["set_by"] is None
    aboard = [p for p in why["parts"] if p["field"] == "aboard"]
    assert len(aboard) == 7 and all(p["set_by"]["type"] == "VehicleDocked" for p in aboard)
    left_out = {(p["id"], p["field"]): p for p in why["parts"] if not p["counted"]}
    assert left_out[("soyuz-ms-22", "crewed_return")]["set_by"]["type"] == "LeakDetected"


def test_state_explains_its_stations_when_asked(http: TestClient) -> None:
    plain = http.get("/state", params=AFTER_THE_LEAK).json()["stations"]["iss"]
    explained = http.get("/state", params={**AFTER_THE_LEAK, "explain": "true"}).json()["stations"]["iss"]
    assert "explain" not in plain
    assert explained["explain"]["cleared_seats"]["value"] == explained["cleared_seats"]


def test_explaining_a_field_a_view_does_not_have_is_not_found(http: TestClient) -> None:
    refused(http.get("/vehicles/soyuz-ms-22/explain/colour"), 404, "field")
    refused(http.get("/crew/frank-rubio/explain/colour"), 404, "field")
    refused(http.get("/vehicles/nothing/explain/health"), 404, "vehicle_id")


def test_the_docs_name_the_model_of_every_answer(http: TestClient) -> None:
    schema = http.get("/openapi.json").json()
    answers = {path: schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
               for path in ("/state", "/capacity", "/vehicles/{vehicle_id}", "/crew/{name}",
                            "/vehicles/{vehicle_id}/explain/{field}", "/vehicles/{vehicle_id}/history",
                            "/crew/{name}/history")}
    assert {path: s["$ref"].rsplit("/", 1)[-1] for path, s in answers.items()} == {
        "/state": "StateAnswer", "/capacity": "CapacityAnswer", "/vehicles/{vehicle_id}": "VehicleAnswer",
        "/crew/{name}": "CrewAnswer", "/vehicles/{vehicle_id}/explain/{field}": "FieldAnswer",
        "/vehicles/{vehicle_id}/history": "VehicleHistory", "/crew/{name}/history": "CrewHistory"}
    vehicle = schema["components"]["schemas"]["VehicleAnswer"]["properties"]
    assert {"planned_return_window", "explain", "as_of", "position"} <= set(vehicle)
