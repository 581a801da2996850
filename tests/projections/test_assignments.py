"""Assignments end: a landing ends the return-vehicle and lifeboat assignments of
those who land, an explicit event ends one, and a lost vehicle ends what named it."""

import pytest

from tests.factories import crew_member, docked_with_crew, event, vehicle
from tests.projections.test_station_state import ISS_CREW, entries_of, state

# Three arrive on "capsule", are assigned to come home in it, and land in it.
FLOWN = [*docked_with_crew("capsule", ["a", "b", "c"]),
         *(event("ReturnVehicleAssigned", "2022-09-22", crew_member=m, vehicle="capsule", planned_return="2023-03")
           for m in ("a", "b", "c")),
         event("VehicleUndocked", "2023-03-28", vehicle="capsule", crew=["a", "b", "c"]),
         event("VehicleLanded", "2023-03-28", vehicle="capsule")]


def test_a_landing_ends_the_return_vehicle_and_lifeboat_of_those_inside() -> None:
    picture = state(entries_of(*FLOWN)).picture
    for member in ("a", "b", "c"):
        plan = picture.crew[member]
        assert (plan.aboard, plan.return_vehicle, plan.lifeboat, plan.planned_return) == (False, None, None, None)
    assert picture.vehicles["capsule"].return_crew == []


def test_a_capsule_that_flies_again_lists_only_its_new_crew_for_return() -> None:
    again = [*(crew_member(m) for m in ("d", "e", "f")),
             event("VehicleLaunched", "2023-09-15", vehicle="capsule", crew=["d", "e", "f"]),
             event("VehicleDocked", "2023-09-15T12:00:00Z", vehicle="capsule", station="iss"),
             *(event("ReturnVehicleAssigned", "2023-09-16", crew_member=m, vehicle="capsule",
                     planned_return="2024-03") for m in ("d", "e", "f"))]
    picture = state(entries_of(*FLOWN, *again)).picture
    assert sorted(picture.vehicles["capsule"].return_crew) == ["d", "e", "f"]
    seats = state(entries_of(*FLOWN, *again)).capacity["iss"].seats
    assert [(s.vehicle, s.assigned, s.over_assigned) for s in seats] == [("capsule", ["d", "e", "f"], 0)]


def test_a_landing_that_names_no_one_takes_whoever_launched_in_it() -> None:
    aborted = [vehicle("capsule"), crew_member("a"), crew_member("b"),
               event("ReturnVehicleAssigned", "2018-09-01", crew_member="a", vehicle="capsule",
                     planned_return="2019-04"),
               event("VehicleLaunched", "2018-10-11T08:40:00Z", vehicle="capsule", crew=["a", "b"]),
               event("VehicleLanded", "2018-10-11T09:14:00Z", vehicle="capsule")]
    picture = state(entries_of(*aborted)).picture
    assert picture.crew["a"].return_vehicle is None
    assert picture.vehicles["capsule"].occupants == []


def test_a_vehicle_returning_empty_takes_no_one_and_ends_no_assignment() -> None:
    empty = [*ISS_CREW, event("VehicleUndocked", "2023-03-28", vehicle="soyuz-ms-22"),
             event("VehicleLanded", "2023-03-28", vehicle="soyuz-ms-22")]
    picture = state(entries_of(*empty)).picture
    assert (picture.crew["a"].aboard, picture.crew["a"].lifeboat) == (True, "soyuz-ms-22")
    [check] = [c for c in state(entries_of(*empty)).capacity["iss"].lifeboats if c.crew_member == "a"]
    assert not check.docked


def test_a_port_relocation_ends_nothing() -> None:
    relocated = [*ISS_CREW,
                 event("VehicleUndocked", "2022-11-01T10:00:00Z", vehicle="soyuz-ms-22", crew=["a", "b", "c"]),
                 event("VehicleDocked", "2022-11-01T10:40:00Z", vehicle="soyuz-ms-22", station="iss", port="poisk")]
    picture = state(entries_of(*relocated)).picture
    plan = picture.crew["a"]
    assert (plan.aboard, plan.arrived_on, plan.lifeboat) == (True, "soyuz-ms-22", "soyuz-ms-22")
    assert picture.vehicles["soyuz-ms-22"].port == "poisk"


def test_an_assignment_can_be_ended_explicitly_with_its_reason() -> None:
    ended = state(entries_of(*ISS_CREW, event("AssignmentEnded", "2022-12-20", crew_member="a",
                                              assignment="lifeboat", reason="seat liner moved out")))
    assert ended.picture.crew["a"].lifeboat is None
    assert ended.explain(ended.picture.crew["a"], "lifeboat")["set_by"]["type"] == "AssignmentEnded"
    assert "a has no lifeboat" in ended.capacity["iss"].alerts


def test_more_lifeboat_assignments_than_seats_is_a_finding_of_the_capacity_answer() -> None:
    crowded = entries_of(*ISS_CREW, event("LifeboatAssigned", "2022-12-20", crew_member="d", vehicle="soyuz-ms-22"))
    iss = state(crowded).capacity["iss"]
    [ms22] = [s for s in iss.seats if s.vehicle == "soyuz-ms-22"]
    assert (ms22.assigned, ms22.over_assigned) == (["a", "b", "c", "d"], 1)
    assert "soyuz-ms-22: 4 lifeboat assignments for 3 seats" in iss.alerts
    assert {s["vehicle"]: s["over_assigned"] for s in iss.to_json()["seats"]} == {"soyuz-ms-22": 1, "endurance": 0}


@pytest.mark.parametrize("assigned_at", ["2022-09-21T13:00:00Z", "2022-09-21"], ids=["same instant", "same day"])
def test_an_explicit_lifeboat_at_the_time_of_docking_wins_over_the_dockings_default(assigned_at: str) -> None:
    arrival = [vehicle("capsule"), vehicle("other", seats=4), crew_member("a"),
               event("VehicleDocked", "2022-09-01", vehicle="other", station="iss"),
               event("VehicleLaunched", "2022-09-21T10:00:00Z", vehicle="capsule", crew=["a"]),
               event("LifeboatAssigned", assigned_at, crew_member="a", vehicle="other"),
               event("VehicleDocked", "2022-09-21T13:00:00Z", vehicle="capsule", station="iss")]
    assert state(entries_of(*arrival)).picture.crew["a"].lifeboat == "other"


# --- A vehicle's end ------------------------------------------------------------

CARGO_LOST = [*ISS_CREW, vehicle("cargo-1", seats=0, kind="cargo"), crew_member("h"),
              event("VehicleDocked", "2022-10-26", vehicle="cargo-1", station="iss"),
              event("VehicleUndocked", "2023-02-07", vehicle="cargo-1"),
              event("VehicleLost", "2023-02-07T18:00:00Z", vehicle="cargo-1", planned=True,
                    circumstances="deorbited; burned up on re-entry over the Pacific")]


def test_a_lost_vehicle_is_neither_landed_nor_in_flight() -> None:
    assert state(entries_of(*CARGO_LOST)).picture.vehicles["cargo-1"].location == "lost"


def test_a_vehicle_lost_with_crew_ends_their_stay_and_the_plans_that_named_it() -> None:
    lost = [vehicle("capsule"), vehicle("later"), crew_member("a"), crew_member("b"), crew_member("c"),
            event("LaunchScheduled", "2018-09-01", vehicle="later", target="2019-02-28", crew=["c"]),
            event("ReturnVehicleAssigned", "2018-09-01", crew_member="a", vehicle="capsule",
                  planned_return="2019-04"),
            event("LifeboatAssigned", "2018-09-01", crew_member="b", vehicle="later"),
            event("VehicleLaunched", "2018-10-11T08:40:00Z", vehicle="capsule", crew=["a"]),
            event("VehicleLost", "2018-10-11T08:42:00Z", vehicle="capsule", circumstances="launch failure"),
            event("VehicleLost", "2018-10-12", vehicle="later", circumstances="destroyed on the pad")]
    picture = state(entries_of(*lost)).picture
    assert (picture.crew["a"].aboard, picture.crew["a"].return_vehicle) == (False, None)
    assert (picture.crew["c"].launch_vehicle, picture.crew["c"].planned_launch) == (None, None)
    assert picture.crew["b"].lifeboat is None
    assert (picture.vehicles["later"].planned_launch, picture.vehicles["later"].launch_crew) == (None, [])


# --- Stations ------------------------------------------------------------------


def test_a_station_left_uncrewed_stays_in_the_capacity_answer_with_nothing_aboard() -> None:
    evacuated = [*docked_with_crew("capsule", ["a", "b", "c"]),
                 event("VehicleUndocked", "2023-03-28", vehicle="capsule", crew=["a", "b", "c"]),
                 event("VehicleLanded", "2023-03-28", vehicle="capsule")]
    iss = state(entries_of(*evacuated)).capacity["iss"]
    assert (iss.crew_aboard, iss.docked_vehicles, iss.cleared_seats, iss.shortfall) == ([], [], 0, 0)


def test_a_station_appears_only_once_it_has_been_named() -> None:
    assert state(entries_of(*ISS_CREW), as_of="2022-09-01").capacity == {}
