"""Rules that hold for every log, through the real stores (SQLite and PostgreSQL).

1. The past as recorded is frozen: an answer with `recorded_before=p` never
   changes, whatever is appended after.
2. Appending what was reported after K never changes answers at `known_at=K`.
3. The same events in any lawful order give the same answers.
4. The store's answers equal a naive reference fold.
5. Round trip: export, then import into an empty store, answers every query
   that does not use `recorded_before` the same way.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.entry import SYSTEM_FIELDS, Draft
from projections.horizon import Horizon
from projections.picture import fold
from store.application import IncidentLogApplication
from store.settings import Settings
from tests.factories import FakeClock
from tests.projections.test_properties import NOW, comparable, lawful_shuffle, reference_visible
from tests.strategies import QUERY_DAYS, day, logs

FLIGHT_AND_CAST = ("Registered", "Opened", "Launched", "Docked", "Undocked", "Landed", "Lost")
QUERIES = [(day(a), day(k)) for a in QUERY_DAYS[::2] for k in QUERY_DAYS[::2]]
PROPERTY = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def opened(url: str) -> IncidentLogApplication:
    return IncidentLogApplication(Settings(store=url), clock=FakeClock())


def append_one_by_one(app: IncidentLogApplication, events: list[dict[str, Any]]) -> None:
    for event in events:
        app.append([Draft.from_json(event, uuid.uuid4)], "generator")


def answers(app: IncidentLogApplication, recorded_before: int | None = None) -> list[dict[str, Any]]:
    return [comparable(app.state(Horizon.parse(a, k, None if recorded_before is None else str(recorded_before),
                                               NOW)).to_json())
            for a, k in QUERIES]


@PROPERTY
@given(logs(), logs(max_events=6), st.integers(0, 30))
def test_the_past_as_recorded_is_frozen(fresh_store: Callable[[], str], earlier: list[dict[str, Any]],
                                        later: list[dict[str, Any]], cut: int) -> None:
    app = opened(fresh_store())
    try:
        append_one_by_one(app, earlier)
        position = min(cut, app.head)
        frozen = answers(app, recorded_before=position)
        # More of the same world, appended afterwards: its own cast is dropped (ours is
        # there), and its flights (our vehicles may have flown already) with what rests on them.
        flights = {e["id"] for e in renumbered(later) if e["type"].endswith(FLIGHT_AND_CAST)}
        append_one_by_one(app, [e for e in renumbered(later) if not e["type"].endswith(FLIGHT_AND_CAST)
                                and not set(e.get("based_on", [])) & flights])
        assert answers(app, recorded_before=position) == frozen
    finally:
        app.close()


def renumbered(events: list[dict[str, Any]], offset: int = 10_000) -> list[dict[str, Any]]:
    """The same log under other event ids, so it can follow another."""
    def moved(event_id: str) -> str:
        return str(uuid.UUID(int=uuid.UUID(event_id).int + offset))

    copies = []
    for event in events:
        data = dict(event["data"])
        if event["type"] in ("EntryCorrected", "EntryRetracted"):
            data["target"] = moved(data["target"])
        based_on = [moved(b) for b in event.get("based_on", [])]
        copies.append({**event, "id": moved(event["id"]), "data": data} | ({"based_on": based_on} if based_on else {}))
    return copies


@PROPERTY
@given(logs())
def test_export_then_import_into_an_empty_store_answers_the_same(fresh_store: Callable[[], str],
                                                                 events: list[dict[str, Any]]) -> None:
    source, copy = opened(fresh_store()), opened(fresh_store())
    try:
        append_one_by_one(source, events)
        exported = [entry.to_json() for entry in source.entries()]
        copy.append([Draft.from_json({k: v for k, v in line.items() if k not in SYSTEM_FIELDS}, uuid.uuid4)
                     for line in exported], "importer")
        assert answers(copy) == answers(source)
    finally:
        source.close()
        copy.close()


# The projection-level properties (tests/projections/test_properties.py), asked
# again of the production path through each store.


@PROPERTY
@given(logs(max_events=8), st.integers(0, 120))
def test_through_the_store_what_is_reported_after_k_never_changes_answers_at_k(
        fresh_store: Callable[[], str], events: list[dict[str, Any]], k: int) -> None:
    app = opened(fresh_store())
    queries = [(day(a), day(k)) for a in QUERY_DAYS[::2]]
    try:
        before = [comparable(app.state(Horizon.parse(a, kk, None, NOW)).to_json()) for a, kk in queries]
        for event in events:
            [entry] = app.append([Draft.from_json(event, uuid.uuid4)], "generator").entries
            after = [comparable(app.state(Horizon.parse(a, kk, None, NOW)).to_json()) for a, kk in queries]
            if entry.reported_at.start > Horizon.parse(None, day(k), None, NOW).known_at:
                assert after == before
            before = after
    finally:
        app.close()


@PROPERTY
@given(logs(), st.randoms(use_true_random=False))
def test_through_the_store_any_lawful_order_gives_the_same_answers(
        fresh_store: Callable[[], str], events: list[dict[str, Any]], rng: random.Random) -> None:
    first, second = opened(fresh_store()), opened(fresh_store())
    try:
        append_one_by_one(first, events)
        append_one_by_one(second, lawful_shuffle(events, rng))
        assert answers(first) == answers(second)
    finally:
        first.close()
        second.close()


@PROPERTY
@given(logs())
def test_through_the_store_projections_equal_the_naive_reference(
        fresh_store: Callable[[], str], events: list[dict[str, Any]]) -> None:
    app = opened(fresh_store())
    try:
        append_one_by_one(app, events)
        for as_of, known_at in QUERIES:
            horizon = Horizon.parse(as_of, known_at, None, NOW)
            expected = fold(reference_visible(app.entries(), horizon))
            actual = app.state(horizon).picture
            assert (actual.vehicles, actual.crew) == (expected.vehicles, expected.crew)
    finally:
        app.close()
