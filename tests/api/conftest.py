"""A client for the HTTP API over the shared `app` fixture (SQLite and PostgreSQL).

Every request needs a token unless reads are open (`Settings.open_reads`), so
a client carries an admin's token unless told otherwise (`token=None`, or one
of another role from `issue_token`); the recorded writer is that token's name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from domain.roles import Role
from store.application import IncidentLogApplication
from store.tokens import TokenStore

MakeClient = Callable[..., TestClient]
IssueToken = Callable[..., str]
ADMIN = "test-admin"  # the name of the default client's token, recorded as the writer
DEFAULT = object()  # make_client's token when none is named: the admin's


@pytest.fixture
def tokens(app: IncidentLogApplication) -> Iterator[TokenStore]:
    store = TokenStore(app.settings)
    yield store
    store.close()


@pytest.fixture
def issue_token(tokens: TokenStore) -> IssueToken:
    """`issue_token(role, name=None)`: a new token's secret."""
    numbers = count(1)

    def issue(role: Role, name: str | None = None) -> str:
        return tokens.create(name or f"test-{role.label}-{next(numbers)}", role).secret

    return issue


@pytest.fixture
def admin_token(issue_token: IssueToken) -> str:
    return issue_token(Role.ADMIN, ADMIN)


@pytest.fixture
def make_client(app: IncidentLogApplication, admin_token: str) -> Iterator[MakeClient]:
    """A client over `app`, with the admin's token unless `token` says otherwise
    (None: no token); other keywords change the settings (e.g. limits)."""
    clients: list[TestClient] = []

    def make(*, raise_server_exceptions: bool = True, token: str | object | None = DEFAULT,
             **settings: Any) -> TestClient:
        client = TestClient(create_app(replace(app.settings, **settings), application=app),
                            raise_server_exceptions=raise_server_exceptions)
        secret = admin_token if token is DEFAULT else token
        if isinstance(secret, str):
            client.headers["Authorization"] = f"Bearer {secret}"
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()
