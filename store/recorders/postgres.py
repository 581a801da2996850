"""The PostgreSQL recorder, writing the read model's rows in the events' transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

from store.recorders import write_inline


class InlinePostgresRecorder(PostgresApplicationRecorder):
    # The library learns the new ids here, still inside its transaction (and
    # after its table lock, so positions are final and in commit order).
    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        write_inline(kwargs, curs, positions)
        return positions
