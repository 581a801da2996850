"""Each request is logged once, under a request id the caller can see."""

from __future__ import annotations

from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from api.deps import get_application
from tests.api.conftest import MakeClient
from tests.factories import vehicle


def test_a_request_id_from_the_caller_is_echoed(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})

    assert response.headers["X-Request-ID"] == "abc-123"


def test_a_request_without_an_id_gets_one(client: TestClient) -> None:
    assert len(client.get("/health").headers["X-Request-ID"]) == 32


def test_an_unsafe_request_id_is_replaced(client: TestClient) -> None:
    assert client.get("/health", headers={"X-Request-ID": "a b\tc"}).headers["X-Request-ID"] != "a b\tc"


def test_a_refused_request_still_carries_its_id(client: TestClient) -> None:
    response = client.post("/events", json={"type": "Nonsense"}, headers={"X-Request-ID": "req-7"})

    assert response.status_code == 422
    assert response.headers["X-Request-ID"] == "req-7"


def test_each_request_is_logged_in_one_line(client: TestClient) -> None:
    with capture_logs() as logs:
        client.post("/events", json=vehicle("soyuz-ms-22"), headers={"X-Request-ID": "req-1"})

    lines = [line for line in logs if line["event"] == "http_request"]
    assert len(lines) == 1
    assert lines[0]["method"] == "POST"
    assert lines[0]["path"] == "/events"
    assert lines[0]["status"] == 201
    assert lines[0]["request_id"] == "req-1"
    assert lines[0]["duration_ms"] >= 0


def test_an_unexpected_error_is_a_500_problem_logged_with_its_request(
        make_client: MakeClient) -> None:
    client = make_client(raise_server_exceptions=False)
    client.app.dependency_overrides[get_application] = broken_application  # type: ignore[attr-defined]

    with capture_logs() as logs:
        response = client.get("/health", headers={"X-Request-ID": "req-500"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["X-Request-ID"] == "req-500"
    [line] = [line for line in logs if line["event"] == "http_request"]
    assert (line["status"], line["log_level"]) == (500, "error")
    assert isinstance(line["exc_info"], RuntimeError)


async def broken_application() -> None:
    raise RuntimeError("the store is on fire")
