"""The live feed, GET /events/stream: server-sent events, resumable.

Starlette's TestClient cannot read an endless stream, so these tests serve
the app with uvicorn on 127.0.0.1 in a thread and read it with httpx, every
read bounded by a timeout. A second application on the same store plays
another process appending to the log.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import islice
from typing import Any

import httpx2
import pytest
import structlog
import uvicorn
from fastapi.testclient import TestClient
from sse_starlette.sse import AppStatus

from api.main import create_app
from store.application import IncidentLogApplication
from store.settings import Settings, SettingsError
from tests.api.support import refused
from tests.factories import FakeClock, draft, vehicle

Message = dict[str, str]


class Server:
    """The app served by uvicorn in a thread: its URL, and how to stop it."""

    def __init__(self, application: IncidentLogApplication, **settings: Any) -> None:
        # On 127.0.0.1, as `incidentlog serve` runs by default: reads need no token.
        app = create_app(replace(application.settings, **{"stream_poll_seconds": 0.05, "open_reads": True,
                                                          **settings}), application=application)
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, timeout_graceful_shutdown=5)
        self.uvicorn = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.uvicorn.run, daemon=True)
        self.thread.start()
        _wait_for(lambda: self.uvicorn.started, "uvicorn to start")
        port = self.uvicorn.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the server did not stop"


@pytest.fixture(autouse=True)
def quiet_server_logs() -> Iterator[None]:
    """The server thread logs a stream's request line when it notices the client
    has gone, which may fall between a test's phases, outside pytest's capture."""
    with structlog.testing.capture_logs():
        yield


@pytest.fixture
def server(app: IncidentLogApplication) -> Iterator[Server]:
    served = Server(app)
    yield served
    served.stop()


@pytest.fixture
def other_process(store_url: str, clock: FakeClock) -> Iterator[IncidentLogApplication]:
    """Another writer on the same store, as another process would be."""
    writer = IncidentLogApplication(Settings(store=store_url), clock=clock)
    yield writer
    writer.close()


@contextmanager
def stream(server: Server, *, headers: dict[str, str] | None = None,
           params: dict[str, int] | None = None) -> Iterator[Iterator[Message]]:
    """The stream's blocks as dictionaries of their fields (a comment under ":")."""
    timeout = httpx2.Timeout(5.0)
    with httpx2.stream("GET", f"{server.url}/events/stream", headers=headers, params=params,
                       timeout=timeout) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield _blocks(response.iter_lines())


def messages(blocks: Iterator[Message], count: int) -> list[Message]:
    """The next `count` messages, skipping keep-alive comments."""
    return list(islice((block for block in blocks if ":" not in block), count))


def append(writer: IncidentLogApplication, *ids: str) -> list[dict[str, Any]]:
    return [e.to_json() for e in writer.append([draft(vehicle(i)) for i in ids], "someone").entries]


def test_a_client_receives_events_appended_after_it_connected(
        server: Server, other_process: IncidentLogApplication) -> None:
    append(other_process, "before")

    with stream(server) as blocks:
        written = append(other_process, "first", "second")
        received = messages(blocks, 2)

    assert [m["event"] for m in received] == ["appended", "appended"]
    assert [m["id"] for m in received] == ["2", "3"]
    assert [json.loads(m["data"]) for m in received] == written


@pytest.mark.parametrize("resume", ["Last-Event-ID", "after"])
def test_a_client_that_reconnects_receives_exactly_the_events_it_missed(
        server: Server, other_process: IncidentLogApplication, resume: str) -> None:
    with stream(server) as blocks:
        append(other_process, "seen")
        [last] = messages(blocks, 1)
    append(other_process, "missed-1", "missed-2")

    position = int(last["id"])
    options = {"headers": {"Last-Event-ID": str(position)}} if resume == "Last-Event-ID" \
        else {"params": {"after": position}}
    with stream(server, **options) as blocks:  # type: ignore[arg-type]
        missed = messages(blocks, 2)
        append(other_process, "new")
        [new] = messages(blocks, 1)

    assert [json.loads(m["data"])["data"]["id"] for m in missed] == ["missed-1", "missed-2"]
    assert json.loads(new["data"])["data"]["id"] == "new"


def test_last_event_id_wins_over_after_as_a_browser_reconnects_to_the_same_url(
        server: Server, other_process: IncidentLogApplication) -> None:
    append(other_process, "one", "two", "three")

    with stream(server, headers={"Last-Event-ID": "2"}, params={"after": 0}) as blocks:
        [message] = messages(blocks, 1)

    assert message["id"] == "3"


def test_a_quiet_stream_carries_keep_alive_pings(app: IncidentLogApplication) -> None:
    served = Server(app, stream_ping_seconds=0.1)
    try:
        with stream(served) as blocks:
            assert next(blocks)[":"].startswith("ping")
    finally:
        served.stop()


def test_an_open_stream_ends_when_the_server_is_told_to_stop(server: Server) -> None:
    try:
        with stream(server) as blocks:
            # What uvicorn calls on SIGTERM or Ctrl-C (sse-starlette hooks it).
            server.uvicorn.handle_exit(signal.SIGTERM, None)
            started = time.monotonic()
            assert all(":" in block for block in blocks), "only pings before the end"
            assert time.monotonic() - started < 5
        server.thread.join(timeout=10)
        assert not server.thread.is_alive()
    finally:
        AppStatus.should_exit = False  # process-wide: later servers in this run must stream


def test_a_resume_position_is_a_whole_number(client: TestClient) -> None:
    refused(client.get("/events/stream", headers={"Last-Event-ID": "soon"}), 422, "Last-Event-ID")
    refused(client.get("/events/stream", params={"after": -1}), 422, "after")


def test_the_stream_is_documented_as_server_sent_events(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/events/stream"]["get"]

    assert "Last-Event-ID" in [p["name"] for p in operation["parameters"]]
    assert "event: appended" in operation["responses"]["200"]["content"]["text/event-stream"]["example"]


def test_the_poll_and_ping_intervals_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"INCIDENTLOG_STREAM_POLL_SECONDS": "0.25", "INCIDENTLOG_STREAM_PING_SECONDS": "5"})

    assert (settings.stream_poll_seconds, settings.stream_ping_seconds) == (0.25, 5.0)
    for bad in ("0", "-1", "nan", "soon"):
        with pytest.raises(SettingsError, match="INCIDENTLOG_STREAM_POLL_SECONDS"):
            Settings.from_env({"INCIDENTLOG_STREAM_POLL_SECONDS": bad})


def _blocks(lines: Iterator[str]) -> Iterator[Message]:
    block: Message = {}
    for line in lines:
        if not line:
            if block:
                yield block
            block = {}
            continue
        name, _, value = line.partition(":")
        block[name or ":"] = value.removeprefix(" ")


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
