"""The log's size as a number kept with each append (`store.entry_count`),
equal at every step to counting the entry index, on both stores: after
batches and retries, for a store from before the number, after a rebuild."""

from __future__ import annotations

import uuid

from domain.entry import Draft
from store.application import IncidentLogApplication
from store.entry_count import KEY
from tests.store.test_read_model import SCENARIO, append_all, opened


def kept(app: IncidentLogApplication) -> str | None:
    with app.database.reading() as rows:
        found = rows.execute(f"SELECT value FROM {app.read_model.index.meta} WHERE key = ?", (KEY,)).one()
    return None if found is None else str(found[0])


def counted(app: IncidentLogApplication) -> int:
    with app.database.reading() as rows:
        return app.read_model.index.count(rows)


def test_the_number_is_kept_with_each_append_and_a_retry_adds_nothing(store_url: str) -> None:
    app = opened(store_url)
    try:
        assert app.describe()["events"] == 0 and kept(app) is None  # nothing stored: nothing kept yet
        for start in range(0, len(SCENARIO), 7):
            append_all(app, SCENARIO[start:start + 7], 3)
            assert app.describe()["events"] == counted(app) == min(start + 7, len(SCENARIO))
            assert kept(app) == str(counted(app))
        again = Draft.from_json(SCENARIO[0], uuid.uuid4)  # its own id: an idempotent retry stores nothing
        app.append([again], "test")
        assert app.describe()["events"] == counted(app) == len(SCENARIO)
    finally:
        app.close()


def test_a_store_from_before_the_number_is_counted_until_an_append_keeps_it(store_url: str) -> None:
    app = opened(store_url)
    try:
        append_all(app, SCENARIO[:10], 5)
        with app.database.writing() as rows:  # as a store made before the number was kept
            rows.execute(f"DELETE FROM {app.read_model.index.meta} WHERE key = ?", (KEY,))
        assert app.describe()["events"] == 10 and kept(app) is None
        append_all(app, SCENARIO[10:13], 3)
        assert kept(app) == "13" and app.describe()["events"] == 13
    finally:
        app.close()


def test_a_rebuild_counts_again(store_url: str) -> None:
    app = opened(store_url)
    try:
        append_all(app, SCENARIO, 10)
        with app.database.writing() as rows:  # a number gone wrong, whatever the cause
            rows.execute(f"UPDATE {app.read_model.index.meta} SET value = '7' WHERE key = ?", (KEY,))
        app.rebuild_read_model()
        assert kept(app) == str(len(SCENARIO)) and app.describe()["events"] == len(SCENARIO)
    finally:
        app.close()
