"""A correction changes what is believed about the past, not the past."""

import uuid
from typing import Any

from domain.entry import Entry
from projections.horizon import Horizon
from projections.picture import VehicleStatus
from projections.state import project
from tests.factories import NOW, docked_with_crew, event, new_id
from tests.projections.test_station_state import entries_of, state

LEAK = new_id()
ISS = docked_with_crew("soyuz", ["a", "b", "c"])


def leak(**kw: Any) -> dict[str, Any]:
    return event("LeakDetected", "2022-12-14", event_id=LEAK, vehicle="soyuz", system="cooling",
                 description="d", **kw)


def soyuz(entries: list[Entry], as_of: str | None = None, known_at: str | None = None) -> VehicleStatus:
    return state(entries, as_of, known_at).picture.vehicles["soyuz"]


def test_a_correction_counts_from_when_it_was_reported_whatever_as_of_is() -> None:
    assigned = new_id()
    entries = entries_of(*ISS, *docked_with_crew("dragon", ["d"], seats=4),
                         event("ReturnVehicleAssigned", "2022-12-01", event_id=assigned, crew_member="a",
                               vehicle="soyuz", planned_return="2023-03"),
                         event("EntryCorrected", "2023-01-11", target=assigned, reason="wrong vehicle",
                               changes={"vehicle": "dragon"}))
    # As of 20 December (before the correction occurred), as known before and after it was reported:
    assert state(entries, "2022-12-20", "2023-01-10").picture.crew["a"].return_vehicle == "soyuz"
    assert state(entries, "2022-12-20", "2023-01-11").picture.crew["a"].return_vehicle == "dragon"
    assert state(entries, "2022-12-20").picture.crew["a"].set_by["return_vehicle"] == uuid.UUID(assigned)


def test_a_retraction_removes_the_event_only_as_known_after_it() -> None:
    entries = entries_of(*ISS, leak(), event("EntryRetracted", "2023-01-11", target=LEAK, reason="false alarm"))
    assert soyuz(entries, "2022-12-20", known_at="2023-01-10").health == "damaged"
    assert soyuz(entries, "2022-12-20").health == "nominal"


def test_a_correction_that_moves_occurred_at_moves_the_event_in_valid_time() -> None:
    entries = entries_of(*ISS, leak(), event("EntryCorrected", "2023-01-11", target=LEAK, reason="r",
                                             changes={"occurred_at": "2022-12-16", "reported_at": "2022-12-16"}))
    assert soyuz(entries, "2022-12-15").health == "nominal"
    assert soyuz(entries, "2022-12-15", known_at="2023-01-10").health == "damaged"
    assert soyuz(entries, "2022-12-17").health == "damaged"


def test_a_retracted_correction_no_longer_counts() -> None:
    fix = new_id()
    entries = entries_of(*ISS, leak(),
                         event("EntryCorrected", "2023-01-11", event_id=fix, target=LEAK, reason="r",
                               changes={"occurred_at": "2022-12-16", "reported_at": "2022-12-16"}),
                         event("EntryRetracted", "2023-01-12", target=fix, reason="the first report was right"))
    assert soyuz(entries, "2022-12-15").health == "damaged"
    assert soyuz(entries, "2022-12-15", known_at="2023-01-11").health == "nominal"


def test_the_log_as_it_stood_does_not_see_later_corrections() -> None:
    entries = entries_of(*ISS, leak(), event("EntryRetracted", "2023-01-11", target=LEAK, reason="r"))
    horizon = Horizon.parse("2022-12-20", None, str(len(ISS) + 1), NOW)
    assert project(entries, horizon).picture.vehicles["soyuz"].health == "damaged"
