"""Rules that hold for every log: knowledge, order and a reference fold.

Logs are random but lawful (tests/strategies.py); the projection is asked
about many (as_of, known_at) pairs.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.corrections import corrected
from domain.entry import Draft, Entry
from domain.log import IncidentLog
from domain.vocabulary import EntryRetracted
from projections.horizon import Horizon
from projections.picture import fold
from projections.state import project
from tests.strategies import DAY0, QUERY_DAYS, day, dependencies, logs

RECORDED = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 1, 1, tzinfo=UTC)
QUERIES = [(day(a), day(k)) for a in QUERY_DAYS for k in QUERY_DAYS]


def accepted(events: list[dict[str, Any]]) -> list[Entry]:
    """Append one by one through the rules, as the store would; positions from 1."""
    log = IncidentLog()
    for event in events:
        [entry] = log.accept([Draft.from_json(event, uuid.uuid4)], RECORDED, "generator").new
        log.apply(entry.at_position(log.head + 1))
    return [log.get(uuid.UUID(e["id"])) for e in events]  # type: ignore[misc]


def answers(entries: list[Entry], queries: list[tuple[str, str]] = QUERIES) -> list[dict[str, Any]]:
    return [comparable(project(entries, Horizon.parse(a, k, None, NOW)).to_json()) for a, k in queries]


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """What a query answers about the world, without where in the log it stood."""
    return {k: v for k, v in state.items() if k != "position"}


@settings(max_examples=60, deadline=None)
@given(logs(), st.integers(0, 120))
def test_appending_what_was_reported_after_k_never_changes_answers_at_k(events: list[dict[str, Any]],
                                                                     k: int) -> None:
    known_at = day(k)
    queries = [(day(a), known_at) for a in QUERY_DAYS]
    entries = accepted(events)
    before = answers([], queries)
    for i, entry in enumerate(entries):
        after = answers(entries[:i + 1], queries)
        if entry.reported_at.start > DAY0_AT(k):
            assert after == before, f"event {i} ({entry.type}) reported after {known_at} changed the answer"
        before = after


def DAY0_AT(k: int) -> datetime:  # noqa: N802 - a constant-like helper: the end of day k
    return datetime.combine(DAY0 + timedelta(days=k), datetime.max.time(), tzinfo=UTC)


@settings(max_examples=40, deadline=None)
@given(logs(), st.randoms(use_true_random=False))
def test_the_same_events_in_any_lawful_order_give_the_same_answers(events: list[dict[str, Any]],
                                                                  rng: random.Random) -> None:
    shuffled = lawful_shuffle(events, rng)
    assert answers(accepted(shuffled)) == answers(accepted(events))


def lawful_shuffle(events: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """A random order in which every event still follows what it rests on or amends
    (registrations stay first: everything else names them)."""
    registrations = [e for e in events if e["type"].endswith(("Registered", "Opened"))]
    pending = [e for e in events if e not in registrations]
    placed = {e["id"] for e in registrations}
    order = list(registrations)
    flights: dict[str, list[dict[str, Any]]] = {}
    for event in pending:  # a vehicle's movements keep their order: the rules need it
        if event["type"].startswith("Vehicle") and event["type"] != "VehicleDamageAssessed":
            flights.setdefault(event["data"]["vehicle"], []).append(event)
    # Amendments keep their order among themselves: whether one is allowed can
    # depend on every earlier one (a correction after a retraction of a retraction).
    amendments = [e for e in pending if e["type"] in ("EntryCorrected", "EntryRetracted")]
    while pending:
        ready = [e for e in pending if dependencies(e) <= placed and _next_move(e, flights)
                 and _next_amendment(e, amendments)]
        chosen = rng.choice(ready)
        pending.remove(chosen)
        placed.add(chosen["id"])
        order.append(chosen)
        if chosen["type"].startswith("Vehicle") and chosen["type"] != "VehicleDamageAssessed":
            flights[chosen["data"]["vehicle"]].pop(0)
        if chosen["type"] in ("EntryCorrected", "EntryRetracted"):
            amendments.pop(0)
    return order


def _next_amendment(event: dict[str, Any], amendments: list[dict[str, Any]]) -> bool:
    return event["type"] not in ("EntryCorrected", "EntryRetracted") or amendments[0] is event


def _next_move(event: dict[str, Any], flights: dict[str, list[dict[str, Any]]]) -> bool:
    moves = flights.get(event["data"].get("vehicle", ""), [])
    return event not in moves or moves[0] is event


@settings(max_examples=60, deadline=None)
@given(logs())
def test_projections_equal_a_naive_reference_fold(events: list[dict[str, Any]]) -> None:
    entries = accepted(events)
    for as_of, known_at in QUERIES:
        horizon = Horizon.parse(as_of, known_at, None, NOW)
        expected = fold(reference_visible(entries, horizon))
        actual = project(entries, horizon).picture
        assert actual.vehicles == expected.vehicles and actual.crew == expected.crew, (as_of, known_at)


def reference_visible(entries: list[Entry], horizon: Horizon) -> list[Entry]:
    """Deliberately naive: for each event, look through the whole log for what
    amends it, apply what was reported by known_at, and sort what remains."""
    def current(entry: Entry) -> Entry | None:
        amendments = [a for a in entries if a.payload.amended_event == entry.id]
        amendments.sort(key=lambda a: (a.reported_at.start, str(a.id)))
        result: Entry | None = entry
        for amendment in amendments:
            believed_amendment = current(amendment)
            if believed_amendment is None or believed_amendment.reported_at.start > horizon.known_at:
                continue
            if isinstance(believed_amendment.payload, EntryRetracted):
                return None
            assert result is not None
            result = corrected(result, believed_amendment)
        return result

    visible = []
    for entry in entries:
        if entry.payload.amends:
            continue
        believed = current(entry)
        if believed and believed.reported_at.start <= horizon.known_at and believed.occurred_at.start <= horizon.as_of:
            visible.append(believed)
    return causally(sorted(visible, key=lambda e: e.valid_time_key))


def causally(pending: list[Entry]) -> list[Entry]:
    """Deliberately naive: again and again, take the first event in valid-time
    order whose evidence of no later time has all been taken already."""
    ordered: list[Entry] = []
    while pending:
        waiting = {e.id: e for e in pending}
        chosen = next(e for e in pending if not any(
            b in waiting and waiting[b].occurred_at.not_after(e.occurred_at) for b in e.based_on))
        ordered.append(chosen)
        pending = [e for e in pending if e is not chosen]
    return ordered

