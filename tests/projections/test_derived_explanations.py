"""A derived value explains through its parts: a return crew through each
member's assignment, a station's seats and shortfall through the people,
vehicles, seats and clearances it counts."""

from datetime import UTC, datetime
from typing import Any

from projections.explain import Explanation
from projections.horizon import Horizon
from projections.state import StationState, project
from tests.factories import docked_with_crew, event, new_id, vehicle
from tests.projections.test_station_state import entries_of

LATER = datetime(2030, 1, 1, tzinfo=UTC)
ASSIGNED = {member: new_id() for member in ("a", "b", "c")}
LEAK = new_id()
STORY = [
    *docked_with_crew("soyuz", ["a", "b", "c"]),
    *docked_with_crew("dragon", ["d", "e", "f", "g"], seats=4, day="2022-10-06"),
    event("LeakDetected", "2022-12-14", event_id=LEAK, vehicle="soyuz", system="cooling", description="d"),
    vehicle("relief"),
    *(event("ReturnVehicleAssigned", "2023-01-11", event_id=ASSIGNED[m], based_on=[LEAK], crew_member=m,
            vehicle="relief", planned_return="2023-09") for m in ("a", "b", "c")),
    event("VehicleLaunched", "2023-02-24", vehicle="relief", crew=[]),
    event("VehicleDocked", "2023-02-26", vehicle="relief", station="iss"),
]


def at(as_of: datetime = LATER) -> StationState:
    return project(entries_of(*STORY), Horizon(as_of, LATER))


def parts(why: Explanation) -> list[tuple[str, str, str, bool, Any]]:
    assert why.parts is not None, "a derived value has parts"
    return [(p.id, p.field, p.counted, p.explanation.value,
             p.explanation.set_by.entry.type if p.explanation.set_by and p.explanation.set_by.entry else None)
            for p in why.parts]


def test_a_return_crew_names_every_members_assignment() -> None:
    state = at()
    why = state.explanation(state.picture.vehicles["relief"], "return_crew")
    assert why.parts is not None and sorted(why.value) == ["a", "b", "c"]
    assert [(p.subject, p.id, p.field) for p in why.parts] == [("crew", m, "return_vehicle") for m in why.value]
    assert [str(p.explanation.set_by.id) for p in why.parts if p.explanation.set_by] == [
        ASSIGNED[m] for m in why.value]


def test_each_assignment_in_a_return_crew_carries_its_own_evidence() -> None:
    state = at()
    body = state.view_json(state.picture.vehicles["relief"], explain=True)["explain"]["return_crew"]
    assert sorted(body["value"]) == ["a", "b", "c"]
    assert {e["id"] for part in body["parts"] for e in part["evidence"]} == {LEAK}


def test_a_field_set_by_one_event_explains_as_before_without_parts() -> None:
    state = at()
    body = state.view_json(state.picture.vehicles["soyuz"], explain=True)["explain"]
    assert set(body["health"]) == {"value", "set_by", "evidence"}
    assert body["health"]["set_by"]["id"] == LEAK


def test_crew_aboard_counts_each_person_through_the_docking_that_brought_them() -> None:
    why = at().station_explanations("iss")["crew_aboard"]
    assert why.value == 7 and why.set_by is None
    assert {(i, f, counted, value, setter) for i, f, counted, value, setter in parts(why)} == {
        (m, "aboard", True, True, "VehicleDocked") for m in "abcdefg"}


def test_cleared_seats_count_each_docked_cleared_vehicle_and_name_those_left_out() -> None:
    why = at(datetime(2022, 12, 20, tzinfo=UTC)).station_explanations("iss")["cleared_seats"]
    assert why.value == 4
    assert sorted(parts(why)) == [
        ("dragon", "crewed_return", True, "cleared", "VehicleRegistered"),
        ("dragon", "location", True, "docked", "VehicleDocked"),
        ("dragon", "seats", True, 4, "VehicleRegistered"),
        ("soyuz", "crewed_return", False, "under_review", "LeakDetected"),
        ("soyuz", "location", False, "docked", "VehicleDocked"),
        ("soyuz", "seats", False, 3, "VehicleRegistered"),
    ]


def test_a_shortfall_counts_the_people_aboard_and_the_cleared_seats() -> None:
    state = at(datetime(2022, 12, 20, tzinfo=UTC))
    why = state.station_explanations("iss")["shortfall"]
    assert why.value == 3
    counted = {(i, f) for i, f, counted, *_ in parts(why) if counted}
    assert counted == {(m, "aboard") for m in "abcdefg"} | {("dragon", f) for f in ("location", "seats",
                                                                                      "crewed_return")}


def test_emergency_seats_count_vehicles_cleared_only_for_an_emergency() -> None:
    assessed = [*STORY[:-6], event("VehicleDamageAssessed", "2023-01-11", based_on=[LEAK], vehicle="soyuz",
                                   health="damaged", crewed_return="emergency_only")]
    state = project(entries_of(*assessed), Horizon(LATER, LATER))
    why = state.station_explanations("iss")["emergency_seats"]
    assert why.value == 3
    assert {(i, f) for i, f, counted, *_ in parts(why) if counted} == {
        ("soyuz", "location"), ("soyuz", "seats"), ("soyuz", "crewed_return")}


def test_state_json_explains_each_station_on_request_only() -> None:
    state = at()
    assert "explain" not in state.to_json()["stations"]["iss"]
    explained = state.to_json(explain=True)["stations"]["iss"]["explain"]
    assert sorted(explained) == ["cleared_seats", "crew_aboard", "emergency_seats", "shortfall"]
    assert explained["crew_aboard"]["parts"][0]["subject"] == "crew"
