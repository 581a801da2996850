"""A client for the HTTP API over the shared `app` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from store.application import IncidentLogApplication

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(app: IncidentLogApplication) -> Iterator[MakeClient]:
    """A client over `app`; keywords change the settings (e.g. limits)."""
    clients: list[TestClient] = []

    def make(*, raise_server_exceptions: bool = True, **settings: Any) -> TestClient:
        client = TestClient(create_app(replace(app.settings, **settings), application=app),
                            raise_server_exceptions=raise_server_exceptions)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()
