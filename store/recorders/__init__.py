"""Event store recorders that let rows derived from new events be written in
the same transaction as the events (an inline projection).

`IncidentLogApplication.save(..., inline=write)` passes `write` down to the
recorder, which calls it with a cursor inside the insert's transaction and
the positions (notification ids) the events were given. If `write` fails,
nothing is stored; if the events are refused, none of its rows are kept. So
the read model can never be behind or ahead of the log.

The settings name these classes to the library (`APPLICATION_RECORDER_TOPIC`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow

Inline = Callable[[Any, Sequence[int]], None]  # (the transaction's cursor, the new events' positions)


class InlineSQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        _write_inline(kwargs, c, positions)
        return positions


class InlinePostgresRecorder(PostgresApplicationRecorder):
    # The library learns the new ids here, still inside its transaction (and
    # after its table lock, so positions are final and in commit order).
    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        _write_inline(kwargs, curs, positions)
        return positions


def _write_inline(kwargs: dict[str, Any], cursor: Any, positions: Sequence[int] | None) -> None:
    write: Inline | None = kwargs.get("inline")
    if write is not None and positions:
        write(cursor, positions)
