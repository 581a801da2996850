"""The OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_docs_describe_every_route_and_its_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    assert {"/events", "/events/batch", "/events/{event_id}", "/state", "/vehicles/{vehicle_id}",
            "/crew/{name}", "/health"} <= set(spec["paths"])
    assert "application/problem+json" in spec["paths"]["/events"]["post"]["responses"]["422"]["content"]
    assert client.get("/docs").status_code == 200


def test_the_docs_list_every_event_type_and_the_target_date_forms(client: TestClient) -> None:
    from domain.vocabulary import EVENT_TYPES

    description = client.get("/openapi.json").json()["info"]["description"]
    for type_name in EVENT_TYPES:
        assert f"| `{type_name}` |" in description
    assert "`to be set`" in description and "`2023-02-20T14:30Z`" in description


def test_every_example_in_the_docs_is_an_event_the_domain_reads(client: TestClient) -> None:
    import uuid

    from api.schemas import EVENT_EXAMPLES
    from domain.entry import Draft

    for example in EVENT_EXAMPLES.values():
        Draft.from_json(example["value"], uuid.uuid4)


def test_the_docs_name_no_vehicle_person_or_incident_of_a_scenario(client: TestClient) -> None:
    import json
    from pathlib import Path

    named: set[str] = set()
    for scenario in Path(__file__).parents[2].joinpath("scenarios").glob("*.jsonl"):
        for line in scenario.read_text(encoding="utf-8").splitlines():
            event = json.loads(line) if line.strip() else {}
            if event.get("type") in ("VehicleRegistered", "CrewMemberRegistered", "IncidentOpened"):
                data = event["data"]
                named |= {data["id"], data.get("name", ""), *data.get("aliases", [])} - {""}
    assert len(named) > 10  # the scenarios were read

    docs = json.dumps(client.get("/openapi.json").json(), ensure_ascii=False).lower()
    assert sorted(name for name in named if name.lower() in docs) == []
