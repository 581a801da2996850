"""Each event type's effect is written once, in `projections.picture.evolve`; a
type without a case fails the type checker and, here, the fold."""

from __future__ import annotations

import pytest

from domain.vocabulary import EVENT_TYPES
from projections import picture_codec
from projections.picture import PICTURE_BLIND, Picture, VehicleStatus, evolve, seen_by_picture
from tests.factories import crew_member, docked_with_crew, event, new_id, vehicle
from tests.projections.test_station_state import entries_of

TARGET = new_id()
# One lawful example of every event type, after a small story it can name.
STORY = [*docked_with_crew("capsule", ["a"]), vehicle("cargo", seats=0), crew_member("b"),
         event("ObservationRecorded", "2022-10-01", event_id=TARGET, description="seen")]
EXAMPLES = {
    "VehicleRegistered": vehicle("spare"),
    "LaunchScheduled": event("LaunchScheduled", "2022-10-02", vehicle="cargo", target="2023-01"),
    "ReturnScheduled": event("ReturnScheduled", "2022-10-02", vehicle="capsule", target="2023-03"),
    "PlanWithdrawn": event("PlanWithdrawn", "2022-10-02", vehicle="capsule", plan="return", reason="r"),
    "VehicleLaunched": event("VehicleLaunched", "2022-10-02", vehicle="cargo"),
    "VehicleDocked": event("VehicleDocked", "2022-10-02", vehicle="cargo", station="iss"),
    "VehicleUndocked": event("VehicleUndocked", "2022-10-02", vehicle="capsule", crew=["a"]),
    "VehicleLanded": event("VehicleLanded", "2022-10-02", vehicle="cargo"),
    "VehicleLost": event("VehicleLost", "2022-10-02", vehicle="cargo", circumstances="c"),
    "SeatCapacityChanged": event("SeatCapacityChanged", "2022-10-02", vehicle="capsule", seats=4, reason="r"),
    "CrewMemberRegistered": crew_member("z"),
    "ReturnVehicleAssigned": event("ReturnVehicleAssigned", "2022-10-02", crew_member="a", vehicle="capsule",
                                   planned_return="2023-03"),
    "LifeboatAssigned": event("LifeboatAssigned", "2022-10-02", crew_member="a", vehicle="capsule"),
    "AssignmentEnded": event("AssignmentEnded", "2022-10-02", crew_member="a", assignment="lifeboat", reason="r"),
    "MissionExtended": event("MissionExtended", "2022-10-02", crew=["a"], planned_return="not announced"),
    "IncidentOpened": event("IncidentOpened", "2022-10-02", id="leak", title="t"),
    "LeakDetected": event("LeakDetected", "2022-10-02", vehicle="capsule", system="s", description="d"),
    "ObservationRecorded": event("ObservationRecorded", "2022-10-02", description="d"),
    "StatementIssued": event("StatementIssued", "2022-10-02", speaker="s", summary="d"),
    "CommissionConvened": event("CommissionConvened", "2022-10-02", commission="c", mandate="m"),
    "FindingIssued": event("FindingIssued", "2022-10-02", cause="c", method="m", summary="s"),
    "VehicleDamageAssessed": event("VehicleDamageAssessed", "2022-10-02", vehicle="capsule", health="damaged",
                                   crewed_return="not_cleared"),
    "DecisionTaken": event("DecisionTaken", "2022-10-02", summary="s", rationale="r"),
    "IncidentClosed": event("IncidentClosed", "2022-10-02", summary="s"),
    "EntryCorrected": event("EntryCorrected", "2022-10-02", target=TARGET, reason="r",
                            changes={"description": "seen again"}),
    "EntryRetracted": event("EntryRetracted", "2022-10-02", target=TARGET, reason="r"),
}


def test_every_event_type_has_an_example_here() -> None:
    assert sorted(EXAMPLES) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_every_event_type_folds(type_name: str) -> None:
    *story, example = entries_of(*STORY, EXAMPLES[type_name])
    picture = Picture()
    for entry in story:
        evolve(picture, entry)
    evolve(picture, example)  # a type without a case would reach assert_never


def test_a_view_refuses_a_field_it_does_not_have() -> None:
    vehicle: VehicleStatus = Picture().vehicle("capsule")
    with pytest.raises(AttributeError):
        vehicle.helth = "damaged"  # type: ignore[attr-defined]


@pytest.mark.parametrize("type_name", sorted(EXAMPLES))
def test_the_types_the_picture_is_blind_to_change_nothing_and_the_others_do(type_name: str) -> None:
    """`PICTURE_BLIND` says which cases of `evolve` do nothing: the read model
    tells knowledge levels apart only by the events the picture can see."""
    *story, example = entries_of(*STORY, {**EXAMPLES[type_name], "incidents": []})
    picture = Picture()
    for entry in story:
        evolve(picture, entry)
    before = picture_codec.encode(picture)
    evolve(picture, example)
    assert (picture_codec.encode(picture) == before) == (type_name in PICTURE_BLIND)
    assert seen_by_picture(type_name, []) == (type_name not in PICTURE_BLIND)
    assert seen_by_picture(type_name, ["an-incident"])
