"""The store seam, on SQLite and PostgreSQL: atomic batches, idempotent ids,
positions, and reopening or sharing a store."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import fleet_log
from domain.entry import Draft
from domain.errors import IdConflict, UnknownReference
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from store.records import RECORD_TOPIC, from_record, from_state
from store.settings import Settings
from tests.factories import FakeClock, docked_with_crew, draft, event, new_id, vehicle

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def append(app: IncidentLogApplication, *raws: dict[str, Any]) -> list[int]:
    return [e.position for e in app.append([draft(r) for r in raws], "tester").entries]


def test_a_batch_is_stored_in_order_with_contiguous_positions(app: IncidentLogApplication) -> None:
    assert append(app, *docked_with_crew("v", ["a"])) == [1, 2, 3, 4]
    assert [e.type for e in app.entries()] == ["VehicleRegistered", "CrewMemberRegistered",
                                               "VehicleLaunched", "VehicleDocked"]


def test_a_batch_with_one_bad_event_stores_nothing(app: IncidentLogApplication) -> None:
    with pytest.raises(UnknownReference):
        append(app, vehicle("v"), event("VehicleDocked", vehicle="ghost", station="iss"))
    assert app.entries() == [] and app.head == 0


def test_a_retry_returns_the_original_and_stores_nothing(app: IncidentLogApplication) -> None:
    raw = vehicle("v", event_id=new_id())
    first = app.append([draft(raw)], "tester")
    again = app.append([draft(raw)], "tester")
    assert (first.stored, again.stored) == (1, 0)
    assert again.entries == first.entries
    assert len(app.entries()) == 1


def test_reusing_an_id_for_different_content_is_refused(app: IncidentLogApplication) -> None:
    shared = new_id()
    append(app, vehicle("v", event_id=shared))
    with pytest.raises(IdConflict):
        append(app, vehicle("w", event_id=shared))


def test_recorded_at_is_the_stores_clock_and_defaults_reported_at(
        app: IncidentLogApplication, clock: FakeClock) -> None:
    clock.set("2024-05-01T10:00:00+00:00")
    [entry] = app.append([draft(vehicle("v", reported_at=None))], "tester").entries
    assert entry.recorded_at.isoformat().startswith("2024-05-01T10:00:00")
    assert entry.reported_at.start == entry.recorded_at
    assert entry.actor == "tester"


def test_system_time_never_runs_backwards_along_the_log(app: IncidentLogApplication, clock: FakeClock) -> None:
    clock.set("2024-05-01T10:00:00+00:00")
    append(app, vehicle("v"))
    clock.set("2024-04-01T10:00:00+00:00")  # the wall clock stepped back
    append(app, vehicle("w"))
    first, second = app.entries()
    assert first.recorded_at <= second.recorded_at


def test_reading_by_position_pages_through_the_log(app: IncidentLogApplication) -> None:
    append(app, *(vehicle(f"v{i}") for i in range(5)))
    assert [e.position for e in app.entries(after=2, limit=2)] == [3, 4]


def test_a_reopened_store_holds_everything_and_keeps_the_rules(store_url: str) -> None:
    first = IncidentLogApplication(Settings(store=store_url), clock=FakeClock())
    append(first, *docked_with_crew("v", ["a"]))
    first.close()
    reopened = IncidentLogApplication(Settings(store=store_url), clock=FakeClock())
    try:
        assert reopened.head == 4
        with pytest.raises(UnknownReference):
            append(reopened, event("VehicleDocked", vehicle="ghost", station="iss"))
        state = reopened.state(Horizon(LATER, LATER))
        assert state.picture.crew["a"].aboard
    finally:
        reopened.close()


def test_two_processes_on_one_store_see_each_others_events(store_url: str) -> None:
    writer = IncidentLogApplication(Settings(store=store_url), clock=FakeClock())
    reader = IncidentLogApplication(Settings(store=store_url), clock=FakeClock())
    try:
        append(writer, vehicle("v"))
        assert reader.state(Horizon(LATER, LATER)).picture.vehicles["v"].seats == 3
        # The reader's rules caught up too: it can refer to what the writer stored.
        append(reader, event("SeatCapacityChanged", vehicle="v", seats=4, reason="makeshift seat"))
        assert [e.position for e in writer.entries()] == [1, 2]
    finally:
        writer.close()
        reader.close()


def test_entries_read_straight_from_the_stored_json_equal_those_read_through_the_library(store_url: str) -> None:
    app = IncidentLogApplication(Settings(store=store_url))
    try:
        for scenario in sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.jsonl")):
            lines = [json.loads(line) for line in scenario.read_text().splitlines() if line.strip()]
            app.append([Draft.from_json(e, uuid.uuid4) for e in lines], "importer")
        fleet = fleet_log(1500)  # every kind of event, late reports, corrections of times
        for i in range(0, len(fleet), 500):
            app.append([Draft.from_json(e, uuid.uuid4) for e in fleet[i:i + 500]], "importer")
        stored = [n for page in app._pages() for n in page]
        assert stored and all(n.topic == RECORD_TOPIC for n in stored)
        for notification in stored:
            through_library = from_record(app._stored_record(notification), notification.id)
            assert from_state(notification.state, notification.originator_id, notification.id) == through_library
            assert app._decode(notification) == through_library
    finally:
        app.close()
