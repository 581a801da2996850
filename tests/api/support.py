"""Assertions the API tests share."""

from __future__ import annotations

from typing import Any

import httpx2
from fastapi.testclient import TestClient


def refused(response: httpx2.Response, status: int, field: str) -> dict[str, Any]:
    """The response is a problem with `status` that names `field`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert field in [e["field"] for e in problem["errors"]], problem
    return problem


def stored(client: TestClient) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get("/events").json()["events"]
    return events
