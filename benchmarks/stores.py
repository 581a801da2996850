"""Scratch stores for a benchmark run: a SQLite file in a temporary folder, or
a PostgreSQL schema of its own in the `incidentlog_bench` database, dropped
afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

POSTGRES = "postgresql://postgres@127.0.0.1:5432/incidentlog_bench"
KINDS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


class NoServer(RuntimeError):
    """PostgreSQL cannot be reached."""


def postgres_ready(url: str = POSTGRES) -> str | None:
    """Create the benchmark database if needed; None when ready, else why not."""
    admin = url.rsplit("/", 1)[0] + "/postgres"
    dbname = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.OperationalError as error:
        return f"no PostgreSQL at {url}: {error}".strip()
    return None


@contextmanager
def scratch(kind: str, folder: Path, postgres: str = POSTGRES) -> Iterator[str]:
    """A new, empty store of `kind`; yields its URL (a file path for SQLite)."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        path = folder / f"{name}.db"
        try:
            yield str(path)
        finally:
            for leftover in folder.glob(f"{name}.db*"):
                leftover.unlink()
        return
    if kind != "postgres":
        raise ValueError(f"unknown store {kind!r}: sqlite or postgres")
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield f"{postgres}?schema={name}"
    finally:
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
