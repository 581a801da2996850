"""Rows written beside the events, in the events' transaction."""

from __future__ import annotations

from typing import Any

from domain.entry import Entry
from store.application import IncidentLogApplication
from store.records import to_record
from store.settings import Settings
from tests.factories import draft, vehicle


def test_a_query_after_many_writes_in_the_events_transaction_reads_its_own_answer(store_url: str) -> None:
    """On PostgreSQL the library inserts events in pipeline mode, and the rows
    beside them are written inside it: a query sent after an `executemany`
    was now and then (about one time in a hundred) answered with the status
    of an earlier insert. Every statement's results must be in before the next."""
    app = IncidentLogApplication(Settings(store=store_url))
    table = app.database.table("scratch")
    try:
        with app.database.writing() as rows:
            rows.execute(f"CREATE TABLE {table} (n {{int}})".format(int="BIGINT"))
        counted: list[int] = []
        for i in range(200):
            def write(cursor: Any, positions: Any) -> None:
                rows = app.database.rows_for(cursor)
                rows.executemany(f"INSERT INTO {table} (n) VALUES (?)", [(n,) for n in range(500)])
                rows.executemany(f"UPDATE {table} SET n = ? WHERE n = ?", [(n, n) for n in range(50)])
                rows.executemany(f"INSERT INTO {table} (n) VALUES (?)", [(-1,)])
                found = rows.execute(f"SELECT COUNT(*) FROM {table}").one()
                assert found is not None
                counted.append(int(found[0]))
                rows.execute(f"DELETE FROM {table}")

            app.save(to_record(Entry.record(draft(vehicle(f"v-{i}")), app.now(), "test", position=0)), inline=write)
        assert counted == [501] * 200
    finally:
        app.close()
