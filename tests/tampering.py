"""Changing a store behind the log's back, as someone with access to its
database could: straight SQL on the event store's table (SQLite's
`stored_events`, PostgreSQL's `"<schema>".incidentlog_events`) and on the
hash chain's. The tamper-evidence tests use it to check that `verify` names
each change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from store.application import IncidentLogApplication


def _state(app: IncidentLogApplication, position: int) -> bytes:
    db = app.database
    with db.reading() as rows:
        found = rows.execute(f"SELECT state FROM {db.events_table} WHERE {db.position_column} = ?",
                             (position,)).one()
    assert found is not None, f"no event at position {position}"
    return bytes(found[0])


def _set_state(app: IncidentLogApplication, position: int, state: bytes) -> None:
    db = app.database
    with db.writing() as rows:
        rows.execute(f"UPDATE {db.events_table} SET state = ? WHERE {db.position_column} = ?", (state, position))


def edit_event(app: IncidentLogApplication, position: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Decode the stored event (the library's JSON), let `change` edit it, store it back."""
    transcoder = app.mapper.transcoder
    fields = transcoder.decode(_state(app, position))
    change(fields)
    _set_state(app, position, transcoder.encode(fields))


def swap_events(app: IncidentLogApplication, first: int, second: int) -> None:
    """Swap two events' stored states (their ids and positions stay)."""
    one, other = _state(app, first), _state(app, second)
    _set_state(app, first, other)
    _set_state(app, second, one)


def delete_events(app: IncidentLogApplication, first: int, last: int | None = None) -> None:
    """Delete the events at positions first..last (to the end when last is None)."""
    db = app.database
    with db.writing() as rows:
        rows.execute(f"DELETE FROM {db.events_table} WHERE {db.position_column} >= ? AND {db.position_column} <= ?",
                     (first, last if last is not None else 2**62))


def delete_chain_rows(app: IncidentLogApplication, first: int = 0, last: int | None = None) -> None:
    with app.database.writing() as rows:
        rows.execute(f"DELETE FROM {app.chain.table} WHERE position >= ? AND position <= ?",
                     (first, last if last is not None else 2**62))
