"""Several processes opening a new store at the same moment (the workers of
`incidentlog serve --workers N` on a fresh database) all open it: creating
the tables is one process's job at a time, not a race that stops a worker."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from store.application import IncidentLogApplication
from store.settings import Settings

TRIALS = 8  # the collision is a race: one try in three collided before the fix
OPENERS = 4


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes a new, empty store of one kind each time it is called."""
    made: list[str] = []

    def make() -> str:
        name = f"open_{uuid.uuid4().hex[:12]}"
        if request.param == "sqlite":
            return str(tmp_path / f"{name}.db")
        database: str = request.getfixturevalue("postgres_database")
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        made.append(name)
        return f"{database}?schema={name}"

    yield make
    if made:
        with psycopg.connect(request.getfixturevalue("postgres_database"), autocommit=True) as conn:
            for name in made:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def test_several_openers_of_a_new_store_all_open_it(new_store: Callable[[], str]) -> None:
    for _ in range(TRIALS):
        assert _open_at_once(new_store()) == []


def _open_at_once(store: str) -> list[BaseException]:
    """Open `store` from OPENERS threads released together; what they raised."""
    start = threading.Barrier(OPENERS)
    failures: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            IncidentLogApplication(Settings(store=store)).close()
        except BaseException as error:  # collected, and shown by the assertion
            failures.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures
