"""Corrections and retractions: the rules for writing them, and what is believed."""

from typing import Any

import pytest

from domain.corrections import Amendments, believed
from domain.errors import InvalidValue, RuleViolation, UnknownReference
from domain.log import IncidentLog
from tests.domain.test_log import append, log_of
from tests.factories import docked_with_crew, event, new_id, vehicle


def correction(target: str, day: str = "2023-01-11", **kw: Any) -> dict[str, Any]:
    return event("EntryCorrected", day, target=target, reason="the source was wrong", **kw)


def retraction(target: str, day: str = "2023-01-11") -> dict[str, Any]:
    return event("EntryRetracted", day, target=target, reason="never happened")


@pytest.fixture
def seats() -> tuple[IncidentLog, str]:
    target = new_id()
    return log_of(vehicle("v", seats=3, event_id=target)), target


def test_a_correction_replaces_data_fields_of_its_target(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    append(log, correction(target, changes={"seats": 4}))
    [original, *_] = log._entries.values()
    current = believed(original, Amendments.among(log._entries.values()))
    assert current is not None and current.payload.to_json()["seats"] == 4


def test_correcting_an_event_that_does_not_exist_is_refused() -> None:
    with pytest.raises(UnknownReference) as refused:
        append(IncidentLog(), correction(new_id(), changes={"seats": 4}))
    assert refused.value.field == "data.target"


def test_a_correction_must_change_something(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    with pytest.raises(InvalidValue):
        append(log, correction(target, changes={}))


def test_corrected_values_obey_the_targets_rules(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    with pytest.raises(InvalidValue) as refused:
        append(log, correction(target, changes={"seats": "four"}))
    assert refused.value.field == "data.changes.seats"


def test_a_correction_cannot_name_a_vehicle_that_does_not_exist() -> None:
    target = new_id()
    log = log_of(*docked_with_crew("v", ["a"]), event("LifeboatAssigned", event_id=target,
                                                      crew_member="a", vehicle="v"))
    with pytest.raises(UnknownReference) as refused:
        append(log, correction(target, changes={"vehicle": "ghost"}))
    assert refused.value.field == "data.changes.vehicle"


def test_an_id_cannot_be_corrected(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    with pytest.raises(InvalidValue):
        append(log, correction(target, changes={"id": "w"}))


def test_a_retracted_event_can_be_neither_corrected_nor_retracted_again(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    append(log, retraction(target))
    with pytest.raises(RuleViolation):
        append(log, correction(target, changes={"seats": 4}))
    with pytest.raises(RuleViolation):
        append(log, retraction(target))


def test_retracting_a_registration_unregisters_it(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    append(log, retraction(target))
    assert not log.is_registered("vehicle", "v")


def test_retracting_the_retraction_restores_the_event(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    undo = new_id()
    append(log, event("EntryRetracted", "2023-01-11", event_id=undo, target=target, reason="r"))
    append(log, retraction(undo, day="2023-01-12"))
    assert log.is_registered("vehicle", "v")


def test_a_correction_of_a_correction_is_what_counts() -> None:
    target, first = new_id(), new_id()
    log = log_of(vehicle("v", seats=3, event_id=target),
                 correction(target, changes={"seats": 4}, event_id=first),
                 correction(first, day="2023-01-12", changes={"changes": {"seats": 2}}))
    entries = list(log._entries.values())
    current = believed(entries[0], Amendments.among(entries))
    assert current is not None and current.payload.to_json()["seats"] == 2


def test_moving_a_docking_before_its_launch_is_refused() -> None:
    docked = new_id()
    log = log_of(vehicle("v"), event("VehicleLaunched", "2022-09-21", vehicle="v"),
                 event("VehicleDocked", "2022-09-22", vehicle="v", station="iss", event_id=docked),
                 event("VehicleUndocked", "2022-10-01", vehicle="v"))
    with pytest.raises(RuleViolation):
        append(log, correction(docked, changes={"occurred_at": "2022-10-02", "reported_at": "2022-10-02"}))


def test_retracting_a_docking_that_an_undocking_needs_is_refused() -> None:
    docked = new_id()
    log = log_of(vehicle("v"), event("VehicleDocked", "2022-09-22", vehicle="v", station="iss", event_id=docked),
                 event("VehicleUndocked", "2022-10-01", vehicle="v"))
    with pytest.raises(RuleViolation):
        append(log, retraction(docked))


def test_a_correction_moves_an_event_in_valid_time_for_later_rules() -> None:
    landed = new_id()
    log = log_of(*docked_with_crew("v", ["a"], day="2022-09-21"),
                 event("VehicleUndocked", "2023-03-27", vehicle="v"),
                 event("VehicleLanded", "2023-03-28", vehicle="v", event_id=landed))
    append(log, correction(landed, day="2023-04-01",
                           changes={"occurred_at": "2023-03-30", "reported_at": "2023-03-30"}))
    with pytest.raises(RuleViolation):  # it was still in flight on the 29th, so it cannot launch then
        append(log, event("VehicleLaunched", "2023-03-29", vehicle="v"))


def test_a_correction_cannot_make_its_target_reported_before_it_occurred(seats: tuple[IncidentLog, str]) -> None:
    log, target = seats
    with pytest.raises(InvalidValue):
        append(log, correction(target, changes={"occurred_at": "2022-12-01", "reported_at": "2022-11-01"}))
