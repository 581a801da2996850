"""Fixtures shared by every test: the stores, and a fresh log on each.

Every behavioural test that takes `app` (or `store_url`) runs twice, on a
SQLite file and on PostgreSQL. PostgreSQL is found at
`INCIDENTLOG_TEST_POSTGRES` (default: the local server); when it cannot be
reached the PostgreSQL half is skipped, except under `CI=true`, where a
missing server fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from store.application import IncidentLogApplication
from store.settings import Settings
from tests.factories import FakeClock

POSTGRES_URL = os.environ.get(
    "INCIDENTLOG_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/incidentlog_test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/postgres", query="").geturl()


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """Make sure the test database exists; skip (or fail in CI) without a server."""
    dbname = urlsplit(POSTGRES_URL).path.lstrip("/")
    try:
        with psycopg.connect(_admin_url(POSTGRES_URL), autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"CI=true needs PostgreSQL at {POSTGRES_URL}: {error}")
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: {error}")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A store URL with a schema of its own, dropped after the test."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield f"{postgres_database}?schema={schema}"
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "incidentlog.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty store of each kind."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(store_url: str, clock: FakeClock) -> Iterator[IncidentLogApplication]:
    application = IncidentLogApplication(Settings(store=store_url), clock=clock)
    yield application
    application.close()


@pytest.fixture
def fresh_store(store_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes another empty store of the same kind as `store_url`, as often as
    asked (for property tests, which need one per example)."""
    schemas: list[str] = []

    def make() -> str:
        if not store_url.startswith("postgresql://"):
            return str(tmp_path / f"{uuid.uuid4().hex}.db")
        schema = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        schemas.append(schema)
        return f"{POSTGRES_URL}?schema={schema}"

    yield make
    if schemas:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
