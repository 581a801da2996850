"""Whether the store answers, and which failures mean that it does not.

When PostgreSQL refuses connections or has gone, the `eventsourcing` library
retries: ten attempts, each waiting for a pooled connection. A caller of the
application then waits half a minute or more with no answer. The HTTP API
does not make its callers wait for that: it asks `ping` whether the store
answers a trivial query, on a connection of its own and within a bound, and
answers 503 when it does not (`api.store_deadline`). `ping` goes around the
application on purpose: its locks and its pool may be held by the very calls
that are stuck.

An error in `UNREACHABLE` raised by the store means the same: the store could
not be reached or went away mid-call, which says nothing about the request.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import eventsourcing.persistence
import psycopg
from psycopg.conninfo import make_conninfo

from store.settings import Settings

# psycopg's OperationalError includes the pool's PoolTimeout; the library turns
# psycopg's and sqlite3's errors into its own of the same names.
UNREACHABLE: tuple[type[Exception], ...] = (
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


class StoreUnavailable(Exception):
    """The store did not answer: refused, gone, or silent past the deadline."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def postgres_conninfo(settings: Settings) -> str:
    """A libpq connection string for the store's database, connecting within the store timeout."""
    env = settings.eventsourcing_env()
    return make_conninfo(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
                         user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
                         connect_timeout=settings.connect_timeout_seconds)


def ping(settings: Settings) -> None:
    """Return if the store answers a trivial query within the store timeout, else
    raise `StoreUnavailable` saying why.

    A store in this process's memory always answers. A SQLite file is opened
    read-only (a missing or unreadable file is unavailable, not created).
    """
    timeout = settings.store_timeout_seconds
    try:
        if settings.is_postgres:
            statement_timeout = f"-c statement_timeout={int(timeout * 1000)}"
            with psycopg.connect(postgres_conninfo(settings), autocommit=True, options=statement_timeout) as server:
                server.execute("SELECT 1")
        elif settings.store != ":memory:" and not settings.store.startswith("file:"):
            uri = Path(settings.store).absolute().as_uri() + "?mode=ro"
            database = sqlite3.connect(uri, uri=True, timeout=timeout)
            try:
                database.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                database.close()
    except (psycopg.Error, sqlite3.Error) as error:
        raise StoreUnavailable(_first_line(error)) from error


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
