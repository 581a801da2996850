"""The station picture, folded at query time on two time axes."""

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.entry import Entry
from domain.log import IncidentLog
from projections.horizon import Horizon
from projections.state import StationState, find_crew, project
from tests.factories import NOW, crew_member, docked_with_crew, draft, event, vehicle


def entries_of(*raws: dict[str, Any]) -> list[Entry]:
    log = IncidentLog()
    entries = []
    for raw in raws:
        [entry] = log.accept([draft(raw)], NOW + timedelta(seconds=log.head), "tester").new
        entry = entry.at_position(log.head + 1)
        log.apply(entry)
        entries.append(entry)
    return entries


def state(entries: list[Entry], as_of: str | None = None, known_at: str | None = None) -> StationState:
    return project(entries, Horizon.parse(as_of, known_at, None, NOW + timedelta(days=1)))


ISS_CREW = [*docked_with_crew("soyuz-ms-22", ["a", "b", "c"]),
            *docked_with_crew("endurance", ["d", "e", "f", "g"], seats=4, day="2022-10-06")]


def test_a_docking_brings_the_people_inside_aboard_with_their_seat() -> None:
    member = state(entries_of(*ISS_CREW)).picture.crew["a"]
    assert member.aboard and member.station == "iss"
    assert member.arrived_on == member.lifeboat == "soyuz-ms-22"


def test_seats_are_counted_against_crew_per_station() -> None:
    capacity = state(entries_of(*ISS_CREW)).capacity["iss"]
    assert (len(capacity.crew_aboard), capacity.cleared_seats, capacity.shortfall) == (7, 7, 0)


def test_a_leak_damages_the_vehicle_and_puts_its_crewed_return_under_review() -> None:
    entries = entries_of(*ISS_CREW, event("LeakDetected", "2022-12-14", vehicle="soyuz-ms-22",
                                          system="cooling", description="coolant leak"))
    after = state(entries, as_of="2022-12-15")
    vehicle_ = after.picture.vehicles["soyuz-ms-22"]
    assert (vehicle_.health, vehicle_.crewed_return) == ("damaged", "under_review")
    assert after.capacity["iss"].shortfall == 3
    assert after.capacity["iss"].alerts[0] == "7 aboard, 4 cleared seats"
    assert state(entries, as_of="2022-12-13").picture.vehicles["soyuz-ms-22"].health == "nominal"


def test_an_event_counts_only_once_it_was_reported() -> None:
    entries = entries_of(*ISS_CREW, event("LeakDetected", "2022-12-14", reported_at="2022-12-20",
                                          vehicle="soyuz-ms-22", system="s", description="d"))
    assert state(entries, as_of="2022-12-15", known_at="2022-12-19").picture.vehicles[
        "soyuz-ms-22"].health == "nominal"
    assert state(entries, as_of="2022-12-15", known_at="2022-12-20").picture.vehicles[
        "soyuz-ms-22"].health == "damaged"


def test_a_back_dated_event_changes_the_past_as_known_now_not_as_known_before() -> None:
    entries = entries_of(*ISS_CREW, event("LeakDetected", "2022-12-14", vehicle="soyuz-ms-22",
                                          system="s", description="d"))
    # Learned later, about earlier: the damage was assessed on the 14th too.
    late = entries_of(*ISS_CREW, event("LeakDetected", "2022-12-14", vehicle="soyuz-ms-22", system="s",
                                       description="d"),
                      event("VehicleDamageAssessed", "2022-12-14", reported_at="2023-02-01",
                            vehicle="soyuz-ms-22", health="damaged", crewed_return="not_cleared"))
    assert state(entries, as_of="2022-12-20").picture.vehicles["soyuz-ms-22"].crewed_return == "under_review"
    assert state(late, as_of="2022-12-20").picture.vehicles["soyuz-ms-22"].crewed_return == "not_cleared"
    assert state(late, as_of="2022-12-20", known_at="2023-01-31").picture.vehicles[
        "soyuz-ms-22"].crewed_return == "under_review"


def test_events_fold_in_valid_time_whatever_order_they_were_appended_in() -> None:
    entries = entries_of(*ISS_CREW,
                         event("ReturnVehicleAssigned", "2023-01-11", crew_member="a", vehicle="endurance",
                               planned_return="2023-03"),
                         event("ReturnVehicleAssigned", "2022-09-21", crew_member="a", vehicle="soyuz-ms-22",
                               planned_return="2023-03"))
    assert state(entries).picture.crew["a"].return_vehicle == "endurance"


def test_a_rescheduled_launch_takes_its_former_crew_off_the_flight() -> None:
    entries = entries_of(vehicle("ms-23"), crew_member("k"),
                         event("LaunchScheduled", "2022-07-15", vehicle="ms-23", target="2023-03-16", crew=["k"]),
                         event("LaunchScheduled", "2023-01-11", vehicle="ms-23", target="2023-02-20", crew=[]))
    picture = state(entries).picture
    assert picture.crew["k"].launch_vehicle is None
    assert (str(picture.vehicles["ms-23"].planned_launch), picture.vehicles["ms-23"].launch_crew) == ("2023-02-20", [])


def test_a_vehicles_return_crew_is_whoever_plans_to_come_home_in_it() -> None:
    entries = entries_of(*ISS_CREW, vehicle("ms-23"),
                         event("ReturnVehicleAssigned", "2023-01-11", crew_member="a", vehicle="ms-23",
                               planned_return="not announced"))
    assert state(entries).picture.vehicles["ms-23"].return_crew == ["a"]


def test_a_cargo_ship_has_no_crewed_return_to_clear() -> None:
    entries = entries_of(vehicle("progress-ms-21", seats=0, kind="progress"),
                         event("VehicleDocked", "2022-10-28", vehicle="progress-ms-21", station="iss"),
                         event("LeakDetected", "2023-02-11", vehicle="progress-ms-21", system="s", description="d"))
    cargo = state(entries).picture.vehicles["progress-ms-21"]
    assert (cargo.health, cargo.crewed_return) == ("damaged", "not_applicable")


def test_an_emergency_only_vehicle_offers_emergency_seats_not_cleared_ones() -> None:
    entries = entries_of(*ISS_CREW, event("VehicleDamageAssessed", "2023-01-11", vehicle="soyuz-ms-22",
                                          health="damaged", crewed_return="emergency_only"))
    capacity = state(entries).capacity["iss"]
    assert (capacity.cleared_seats, capacity.emergency_seats) == (4, 3)


def test_each_field_remembers_the_event_that_set_it() -> None:
    entries = entries_of(*ISS_CREW, event("LeakDetected", "2022-12-14", vehicle="soyuz-ms-22",
                                          system="s", description="d"))
    vehicle_ = state(entries).picture.vehicles["soyuz-ms-22"]
    assert vehicle_.set_by["health"] == entries[-1].id


def test_crew_are_found_by_any_alias_whatever_the_spelling() -> None:
    entries = entries_of(crew_member("nikolai-chub", aliases=["Nikolai Tschub", "Tschub"]))
    found = state(entries).find_crew("tschub")
    assert found is not None and found.id == "nikolai-chub"
    assert found == state(entries).find_crew("Nikolai Chub")


def test_the_log_as_it_stood_at_a_position_ignores_what_came_after() -> None:
    entries = entries_of(*ISS_CREW, event("LeakDetected", "2022-12-14", vehicle="soyuz-ms-22",
                                          system="s", description="d"))
    horizon = Horizon(datetime(2023, 1, 1, tzinfo=UTC), NOW, recorded_before=len(ISS_CREW))
    assert project(entries, horizon).picture.vehicles["soyuz-ms-22"].health == "nominal"


def test_a_date_only_event_resting_on_a_timed_event_of_its_day_folds_after_it() -> None:
    launch, test = "3f2a1c7e-8d4b-4e6a-9b1c-2d3e4f5a6b7c", "4a3b2c1d-9e8f-4a7b-8c6d-5e4f3a2b1c0d"
    entries = entries_of(vehicle("capsule"), crew_member("a"),
                         event("VehicleLaunched", "2022-09-21T13:54:00Z", event_id=launch, vehicle="capsule",
                               crew=["a"]),
                         event("VehicleDocked", "2022-09-21", based_on=[launch], vehicle="capsule", station="iss"),
                         event("LeakDetected", "2022-12-14T23:45:00Z", vehicle="capsule", system="coolant",
                               description="leak"),
                         event("ObservationRecorded", "2022-12-20T14:30:00Z", event_id=test,
                               description="pressure held"),
                         event("VehicleDamageAssessed", "2022-12-20", based_on=[test], vehicle="capsule",
                               health="degraded", crewed_return="cleared"))
    picture = state(entries).picture
    assert (picture.crew["a"].aboard, picture.vehicles["capsule"].location) == (True, "docked")
    assert picture.vehicles["capsule"].crewed_return == "cleared"
    assert state(entries, as_of="2022-12-20T12:00:00Z").picture.vehicles["capsule"].crewed_return == "under_review"


def test_a_leak_judged_acceptable_leaves_health_and_clearance_as_they_were() -> None:
    entries = entries_of(*ISS_CREW,
                         event("VehicleDamageAssessed", "2023-01-11", vehicle="soyuz-ms-22", health="degraded",
                               crewed_return="cleared"),
                         event("LeakDetected", "2023-01-11", vehicle="soyuz-ms-22", system="cabin air",
                               description="a further slow leak", assessment="acceptable"))
    ms22 = state(entries).picture.vehicles["soyuz-ms-22"]
    assert (ms22.health, ms22.crewed_return) == ("degraded", "cleared")


def test_a_leak_may_state_the_health_it_leaves() -> None:
    entries = entries_of(*ISS_CREW, event("LeakDetected", "2023-01-11", vehicle="soyuz-ms-22", system="cabin air",
                                          description="slow leak", assessment="acceptable", health="degraded"))
    ms22 = state(entries).picture.vehicles["soyuz-ms-22"]
    assert (ms22.health, ms22.crewed_return) == ("degraded", "cleared")


def test_a_person_registered_by_two_stories_is_found_by_every_spelling_without_resetting_anything() -> None:
    entries = entries_of(*ISS_CREW,
                         event("LeakDetected", "2022-12-14", vehicle="soyuz-ms-22", system="coolant", description="l"),
                         crew_member("a", aliases=["Alpha"], occurred_at="2018-06-06"),
                         vehicle("soyuz-ms-22", occurred_at="2023-01-01"))
    picture = state(entries).picture
    assert picture.crew["a"].aliases == ["Alpha"] and find_crew(picture, "alpha") is picture.crew["a"]
    assert picture.vehicles["soyuz-ms-22"].crewed_return == "under_review"
