"""The views `prepare` kept are carried on by each append that is news,
inside its own transaction (`store.view_upkeep`), and still answer as the
fold of the whole log does, on both stores."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import event as note
from hypothesis import given
from hypothesis import strategies as st

from domain.entry import Draft
from domain.errors import DomainError
from projections.history import history
from projections.state import project
from projections.versions import CREW, VEHICLE
from tests.factories import draft, event, vehicle
from tests.store.test_read_model import PROPERTY, SCENARIO, agree, agree_on_views, append_all, horizon, horizons, opened
from tests.strategies import CREW as CAST
from tests.strategies import VEHICLES, logs

LATER = 130  # days a second story is moved on by, past the first
SECOND_STORY = 10_000  # added to a second story's ids (the generator numbers them from 1)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def test_news_keeps_the_views_current_in_the_transaction_that_stores_it(store_url: str) -> None:
    """After `prepare`, appends of facts counting after every fact the views
    were made from, reported after everything stored, carry them on in their
    own transactions: every view answers at once, as the fold does, as known
    now, at a past `known_at` and recorded before them (until they count).
    A back-dated event stops that until the next `prepare`."""
    app = opened(store_url)
    try:
        append_all(app, SCENARIO, 7)
        app.prepare_read_model()
        prepared = app.head

        def everyone_at(as_of: str, known_at: str | None = None, bound: tuple[str, int] | None = None) -> bool:
            """Do all the views and the stations answer, as the fold does?"""
            query = horizon(app, (as_of, None, known_at, bound))
            reference = project(app.entries(), query)
            answered = agree_on_views(app, query, reference)
            return answered == len(reference.picture.vehicles) + len(reference.picture.crew) + 1

        news = [
            [event("VehicleDamageAssessed", "2023-02-01", reported_at=None, vehicle="soyuz-ms-22",
                   health="damaged", crewed_return="not_cleared")],
            [event("ReturnVehicleAssigned", "2023-02-01T06:00:00Z", reported_at=None,  # later the same day
                   crew_member="frank-rubio", vehicle="crew-dragon-endurance", planned_return="2023-03"),
             vehicle("soyuz-ms-24", occurred_at="2023-02-02", reported_at=None)],
        ]
        for batch in news:
            app.append([draft(e) for e in batch], "test")
        with app.database.reading() as rows:
            through = rows.execute(f"SELECT MAX(through) FROM {app.read_model.version_series}").one()
        assert through is not None and through[0] == app.head  # carried on in the appends' transactions
        for as_of in ("2023-01-31", "2023-02-01", "2023-02-01T07:00:00Z", "2023-02-03"):
            assert everyone_at(as_of), as_of
            assert everyone_at(as_of, "2023-12-31"), as_of  # known before the news was reported
        assert everyone_at("2023-01-31", None, ("position", prepared))  # recorded before the news ...
        assert not everyone_at("2023-02-01", None, ("position", prepared))  # ... which counts from here on
        rubio = app.read_model.view_at(CREW, "frank-rubio", horizon(app, ("2023-02-02", None, None, None)))
        assert rubio is not None and rubio.view.to_json()["return_vehicle"] == "crew-dragon-endurance"
        now = horizon(app, ("2023-03-01", None, None, None))
        kept = app.read_model.history_of(VEHICLE, "soyuz-ms-22", now)
        assert kept is not None and kept == history(app.entries(), now, VEHICLE, "soyuz-ms-22")

        app.append([draft(event("VehicleDamageAssessed", "2023-01-05", reported_at=None, vehicle="soyuz-ms-22",
                                health="damaged", crewed_return="not_cleared"))], "test")
        app.append([draft(event("VehicleDamageAssessed", "2023-02-05", reported_at=None, vehicle="soyuz-ms-24",
                                health="nominal", crewed_return="cleared"))], "test")
        assert everyone_at("2023-01-04") and not everyone_at("2023-01-05") and not everyone_at("2023-02-05")
        app.prepare_read_model()
        assert everyone_at("2023-02-05")
    finally:
        app.close()




def _moved_on(value: Any, days: int) -> Any:
    """An event of a second story: every date in it `days` later, and its ids
    (and those it names) out of the first story's way."""
    if isinstance(value, dict):
        return {k: _moved_on(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved_on(v, days) for v in value]
    if isinstance(value, str) and ISO_DAY.match(value) and len(value) in (10, 20):
        moved = (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()
        return moved + value[10:]
    if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
        return str(uuid.UUID(int=uuid.UUID(value).int + SECOND_STORY))
    return value


@PROPERTY
@given(logs(), logs(), st.integers(1, 3), st.lists(horizons, min_size=1, max_size=4),
       st.lists(horizons, min_size=1, max_size=4))
def test_views_carried_on_by_appends_answer_as_the_fold_does(fresh_store: Callable[[], str],
                                                            first: list[dict[str, Any]], then: list[dict[str, Any]],
                                                            batch: int, between: list[tuple[Any, ...]],
                                                            after: list[tuple[Any, ...]]) -> None:
    """A story, prepared; then a second one, later, appended a few events at a
    time: mostly news, with its own corrections and retractions (which are
    not). Wherever the views answer, they answer as the fold does."""
    app = opened(fresh_store())
    try:
        append_all(app, first, 3)
        app.prepare_read_model()
        prepared = app.head
        cast = len(VEHICLES) + len(CAST) + 1  # registered by the first story already
        story = [_moved_on(e, LATER) for e in then[cast:]]
        for at in range(0, len(story), batch):
            with contextlib.suppress(DomainError):  # it clashes with the first story: nothing is stored
                app.append([Draft.from_json(e, uuid.uuid4) for e in story[at:at + batch]], "generator")
            if at == 0:
                for drawn in between:
                    agree(app, drawn)
        with app.database.reading() as rows:
            through = rows.execute(f"SELECT MAX(through) FROM {app.read_model.version_series}").one()
        note("carried on" if through and through[0] and through[0] > prepared else "not carried on")
        for drawn in [*after, ("2022-09-01", None, None, None), ("2022-12-31", None, None, None)]:
            agree(app, drawn)
    finally:
        app.close()


def test_two_writers_carry_the_same_views_on_each_from_where_the_other_left_them(store_url: str) -> None:
    """Two processes' applications on one store: each append that is news is
    read by the other at once, from the views, and the writer whose end
    picture the other moved on makes it again before it carries them on."""
    first, second = opened(store_url), opened(store_url)
    try:
        append_all(first, SCENARIO, 7)
        first.prepare_read_model()
        moves = [(first, "2023-02-01", "damaged"), (second, "2023-02-02", "nominal"),
                 (first, "2023-02-03", "degraded"), (first, "2023-02-04", "damaged")]
        for writer, day, health in moves:
            writer.append([draft(event("VehicleDamageAssessed", day, reported_at=None, vehicle="soyuz-ms-22",
                                       health=health, crewed_return="not_cleared"))], "test")
            for reader in (first, second):
                query = horizon(reader, (day, None, None, None))
                kept = reader.read_model.view_at(VEHICLE, "soyuz-ms-22", query)
                assert kept is not None and kept.view.to_json()["health"] == health, (day, reader is first)
                assert kept.view.to_json() == project(reader.entries(), query).picture.vehicles[
                    "soyuz-ms-22"].to_json()
    finally:
        first.close()
        second.close()
