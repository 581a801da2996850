"""The OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_docs_describe_every_route_and_its_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    assert {"/events", "/events/batch", "/events/{event_id}", "/state", "/vehicles/{vehicle_id}",
            "/crew/{name}", "/health"} <= set(spec["paths"])
    assert "application/problem+json" in spec["paths"]["/events"]["post"]["responses"]["422"]["content"]
    assert client.get("/docs").status_code == 200
