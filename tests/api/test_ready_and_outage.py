"""`/ready`, and a store that stops answering: 503 problem+json within the
store timeout instead of a hang, and service again, without a restart, once
the store answers.

The outage that matters is PostgreSQL's (a server that refuses connections or
is gone), tested for real on a database of the test's own. A SQLite store is
a file this process already has open: it does not stop answering the same way
(the readiness probe still notices the file gone), so the deadline's logic is
also tested in-process, against a store that never answers.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import eventsourcing.persistence
import httpx2
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql

from api.errors import install_error_handlers
from api.store_deadline import StoreDeadline, StoreWatch
from domain.roles import Role
from store.availability import StoreUnavailable
from store.settings import Settings
from store.tokens import TokenStore
from tests.api.conftest import MakeClient
from tests.factories import new_id, vehicle
from tools.served import serve

TIMEOUT = 0.5  # the store timeout of the in-process tests


def unavailable(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == 503
    return problem


# --- /ready -------------------------------------------------------------------

def test_ready_when_the_store_answers(client: TestClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["timeout_seconds"] == 3.0


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_not_ready_when_the_store_file_is_gone(make_client: MakeClient, store_url: str) -> None:
    client = make_client(store_timeout_seconds=TIMEOUT)
    Path(store_url).rename(f"{store_url}.moved")

    problem = unavailable(client.get("/ready"))

    assert problem["type"].endswith("store_unavailable")
    assert client.get("/ready").headers["retry-after"] == "1"


# --- The deadline, against a store that never answers -------------------------

def answering(settings: Settings) -> None:
    """A store that answers every question at once."""


def silent(settings: Settings) -> None:
    raise StoreUnavailable("connection refused")


@contextmanager
def deadline_client(ask: Callable[[Settings], None]) -> Iterator[tuple[TestClient, threading.Event]]:
    """An app behind the deadline whose `/stuck` route waits (for a store) until
    the test lets it go, and whose store answers as `ask` says."""
    settings = Settings(store=":memory:", store_timeout_seconds=TIMEOUT)
    release = threading.Event()
    app = FastAPI()
    app.state.settings = settings
    install_error_handlers(app)

    @app.get("/stuck")
    def stuck() -> dict[str, bool]:
        release.wait(30)
        return {"done": True}

    @app.get("/refused")
    def refused() -> dict[str, bool]:
        raise eventsourcing.persistence.OperationalError("connection to server failed: Connection refused")

    app.add_middleware(StoreDeadline, watch=StoreWatch(settings, ask=ask))
    try:
        with TestClient(app) as client:
            yield client, release
    finally:
        release.set()  # the abandoned handler ends, and the client can close


def test_a_request_the_store_leaves_unanswered_is_503_within_the_timeout() -> None:
    with deadline_client(silent) as (client, release):
        started = time.monotonic()
        problem = unavailable(client.get("/stuck"))
        waited = time.monotonic() - started
        release.set()  # what the abandoned handler sends now is dropped

        assert TIMEOUT <= waited < TIMEOUT + 1.0
        assert problem["type"].endswith("store_unavailable")
        assert client.get("/refused").status_code == 503  # and the app goes on answering


def test_a_slow_request_goes_on_while_the_store_answers() -> None:
    with deadline_client(answering) as (client, release):
        threading.Timer(TIMEOUT * 3, release.set).start()

        response = client.get("/stuck")

        assert response.status_code == 200
        assert response.json() == {"done": True}


def test_a_long_request_that_keeps_hearing_from_the_store_goes_on_though_pings_go_unanswered() -> None:
    """A long fold reads from the store all the while: on a busy machine the
    ping's thread may be starved, but the application's own answers count."""
    settings = Settings(store=":memory:", store_timeout_seconds=TIMEOUT)
    watch = StoreWatch(settings, ask=silent)
    app = FastAPI()
    app.state.settings = settings
    install_error_handlers(app)

    @app.get("/reading")
    def reading() -> dict[str, bool]:
        ends = time.monotonic() + TIMEOUT * 3
        while time.monotonic() < ends:
            time.sleep(TIMEOUT / 10)
            watch.heard()  # as `Database.answered` says after each transaction
        return {"done": True}

    app.add_middleware(StoreDeadline, watch=watch)
    with TestClient(app) as client:
        response = client.get("/reading")
    assert response.status_code == 200 and response.json() == {"done": True}


def test_the_application_tells_the_store_watch_when_the_store_answers(client: TestClient) -> None:
    watch = client.app.state.store_watch  # type: ignore[attr-defined]
    before = time.monotonic()
    client.get("/vehicles/soyuz-ms-22")
    assert watch.answered_since(before)


def test_a_store_error_is_503_with_retry_after_not_500() -> None:
    with deadline_client(answering) as (client, _):
        response = client.get("/refused")

        problem = unavailable(response)
        assert response.headers["retry-after"] == "1"
        assert "Connection refused" not in problem["detail"]  # the cause is logged, not told


# --- A PostgreSQL database that refuses connections, then allows them --------

STORE_TIMEOUT = 2.0
SLACK = 2.0  # the machine is shared and small: time to spare beyond the timeout


def on_database(url: str, name: str) -> str:
    """The server of `url`, database `name`."""
    return urlsplit(url)._replace(path=f"/{name}", query="").geturl()


@pytest.fixture
def own_database(postgres_database: str) -> Iterator[str]:
    """A database of this test's own (it is about to refuse every connection), dropped after."""
    name = f"incidentlog_outage_{uuid.uuid4().hex[:10]}"
    admin = on_database(postgres_database, "postgres")
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def refuse_connections(admin: str, name: str, refuse: bool) -> None:
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
            sql.Identifier(name), sql.Literal(not refuse)))
        if refuse:  # and drop the connections it has: the pool's, the writer lock's
            server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def timed(call: Callable[[], httpx2.Response]) -> tuple[httpx2.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.postgres
def test_a_database_that_refuses_connections_gets_503_in_time_and_service_resumes_by_itself(
        own_database: str, postgres_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin, store = on_database(postgres_database, "postgres"), on_database(postgres_database, own_database)
    monkeypatch.setenv("INCIDENTLOG_STORE_TIMEOUT_SECONDS", str(STORE_TIMEOUT))
    tokens = TokenStore(Settings(store=store))
    writer = {"Authorization": f"Bearer {tokens.create('outage-writer', Role.REPORTER).secret}"}
    tokens.close()
    with serve(store, tmp_path / "server.log") as base, httpx2.Client(base_url=base, timeout=60) as http:
        assert http.post("/events", json=vehicle("capsule-1"), headers=writer).status_code == 201
        refuse_connections(admin, own_database, refuse=True)
        try:
            retried = vehicle("capsule-2", event_id=new_id())
            for call in (lambda: http.get("/state"), lambda: http.get("/health"), lambda: http.get("/ready"),
                         lambda: http.get("/events"), lambda: http.post("/events", json=retried, headers=writer),
                         lambda: http.post("/events/batch", json={"events": [vehicle("capsule-3")]},
                                           headers=writer)):
                response, waited = timed(call)
                unavailable(response)
                assert waited < STORE_TIMEOUT + SLACK, f"{response.request.url} took {waited:.1f} s"
            scrape = http.get("/metrics")  # watching needs no store, and shows the outage
            assert scrape.status_code == 200
            assert 'route="/state",status="503"' in scrape.text
        finally:
            refuse_connections(admin, own_database, refuse=False)

        deadline = time.monotonic() + 30
        while (state := http.get("/state")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert state.status_code == 200, state.text
        assert http.get("/ready").status_code == 200
        # The write answered 503 is sent again: stored once, whether or not it was stored then.
        assert http.post("/events", json=retried, headers=writer).status_code in (200, 201)
        events = http.get("/events").json()["events"]
        assert [e["data"]["id"] for e in events if e["type"] == "VehicleRegistered"].count("capsule-2") == 1
