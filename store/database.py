"""Tables of our own beside the events, on SQLite or PostgreSQL alike.

The read model keeps rows next to the event store's table, in the same
database and, for the rows derived from new events, in the same transaction
(`store.recorders`). This module hides the two dialects' differences that
matter here: where a table lives (a PostgreSQL schema), the placeholder
(statements are written with ``?``), and the names of a few column types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from eventsourcing.persistence import ApplicationRecorder

Row = tuple[Any, ...]
T = TypeVar("T")

# Column types written in DDL as {int}, {blob}; each dialect names them its own way.
_TYPES = {
    "sqlite": {"int": "INTEGER", "blob": "BLOB", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgres": {"int": "BIGINT", "blob": "BYTEA", "serial": "BIGSERIAL PRIMARY KEY"},
}


class Rows:
    """A cursor in an open transaction, taking statements written with ``?``.

    With `synced`, each statement is run in a block of its own within the
    connection's pipeline (PostgreSQL: the library inserts events in pipeline
    mode, and the read model's rows are written inside that): leaving it
    syncs, so every statement's results are in before the next one is sent.
    Without that, a query after `executemany` was sometimes answered with the
    status of an earlier insert ("the last operation didn't produce records").
    """

    def __init__(self, cursor: Any, dialect: str, synced: bool = False) -> None:
        self._cursor = cursor
        self.dialect = dialect
        self._synced = synced

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Rows:
        with self._statement():
            self._cursor.execute(self._native(statement), tuple(params))
        return self

    def executemany(self, statement: str, params: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(p) for p in params]
        if rows:
            with self._statement():
                self._cursor.executemany(self._native(statement), rows)

    def _statement(self) -> AbstractContextManager[Any]:
        return self._cursor.connection.pipeline() if self._synced else nullcontext()

    def all(self) -> list[Row]:
        return [tuple(row) for row in self._cursor.fetchall()]

    def one(self) -> Row | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)

    def _native(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement


class Database:
    """The event store's database, for the tables the read model adds."""

    def __init__(self, recorder: ApplicationRecorder, postgres: bool) -> None:
        self._recorder: Any = recorder  # the library's recorder of that store (typed by dialect below)
        # Told after every transaction that ends well: the store answers. A
        # server tells its store watch (`api.store_deadline`), so that a long
        # question, reading all the while, is known to be only slow.
        self.answered: Callable[[], None] | None = None
        self.dialect = "postgres" if postgres else "sqlite"
        if postgres:
            self._schema: str | None = recorder.datastore.schema  # type: ignore[attr-defined]
            self.events_table = f'"{self._schema}"."{recorder.events_table_name}"'  # type: ignore[attr-defined]
            self.position_column = "notification_id"
        else:
            self._schema = None
            self.events_table = recorder.events_table_name  # type: ignore[attr-defined]
            self.position_column = "rowid"

    def table(self, name: str) -> str:
        """The qualified name of one of our tables."""
        return f'"{self._schema}"."incidentlog_{name}"' if self._schema else f"incidentlog_{name}"

    def columns(self, rows: Rows, name: str) -> set[str]:
        """The columns one of our tables has (none: it does not exist)."""
        if self.dialect == "postgres":
            found = rows.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                                 "AND table_name = ?", (self._schema, f"incidentlog_{name}")).all()
            return {str(row[0]) for row in found}
        return {str(row[1]) for row in rows.execute(f"PRAGMA table_info(incidentlog_{name})").all()}

    def ddl(self, statement: str) -> str:
        """`statement` with {int}, {blob} and {serial} filled in for this dialect's column types."""
        return statement.format(**_TYPES[self.dialect])

    @contextmanager
    def reading(self) -> Iterator[Rows]:
        with self._session(commit=False) as rows:
            yield rows

    @contextmanager
    def writing(self) -> Iterator[Rows]:
        with self._session(commit=True) as rows:
            yield rows

    @contextmanager
    def _session(self, commit: bool) -> Iterator[Rows]:
        recorder = self._recorder
        if self.dialect == "postgres":
            from psycopg.rows import tuple_row  # here: only a PostgreSQL store loads the driver

            with recorder.datastore.get_connection() as conn, conn.transaction(force_rollback=not commit), \
                    conn.cursor(row_factory=tuple_row) as cursor:
                yield Rows(cursor, self.dialect)
        else:
            with recorder.datastore.transaction(commit=commit) as cursor:
                cursor.sqlite_cursor.row_factory = None  # plain tuples: the library's rows cost more to read
                yield Rows(cursor, self.dialect)
        if self.answered is not None:
            self.answered()

    def rows_for(self, cursor: Any) -> Rows:
        """Rows over a cursor the event store opened (inside its transaction;
        on PostgreSQL, inside its pipeline)."""
        if self.dialect == "postgres":
            from psycopg.rows import tuple_row

            return Rows(cursor.connection.cursor(row_factory=tuple_row), self.dialect, synced=True)
        return Rows(cursor, self.dialect)


def marks(values: Sequence[object]) -> str:
    """Placeholders for an `IN (...)` of these values."""
    return ", ".join("?" for _ in values)


def chunks(values: Sequence[T], size: int = 500) -> Iterator[list[T]]:
    """`values` a bounded number at a time: a statement takes only so many parameters."""
    for i in range(0, len(values), size):
        yield list(values[i:i + size])
