"""Plans: withdrawn without a replacement, and their target dates in structured form."""

from tests.factories import crew_member, event, vehicle
from tests.projections.test_station_state import ISS_CREW, entries_of, state

PLANNED = [vehicle("next"), crew_member("k"), crew_member("o"),
           event("LaunchScheduled", "2022-07-15", vehicle="next", target="2023-03-16", crew=["k", "o"]),
           event("ReturnScheduled", "2022-07-15", vehicle="next", target="2023-09")]
DECISION = "7d9f3f5e-1c1e-4b8e-9d55-0d1c2f3e4a5b"
DECIDED = event("DecisionTaken", "2023-01-11", event_id=DECISION, summary="the flight is off",
                rationale="no vehicle to spare")


def test_a_withdrawn_launch_leaves_the_vehicle_and_its_crew_without_a_launch_plan() -> None:
    withdrawn = entries_of(*PLANNED, DECIDED, event("PlanWithdrawn", "2023-01-11", based_on=[DECISION],
                                                    vehicle="next", plan="launch", reason="flight cancelled"))
    picture = state(withdrawn).picture
    assert (picture.vehicles["next"].planned_launch, picture.vehicles["next"].launch_crew) == (None, [])
    assert picture.vehicles["next"].location == "on_ground"
    assert (picture.crew["k"].launch_vehicle, picture.crew["k"].planned_launch) == (None, None)


def test_a_withdrawal_counts_from_its_valid_time_on() -> None:
    withdrawn = entries_of(*PLANNED, event("PlanWithdrawn", "2023-01-11", vehicle="next", plan="return",
                                           reason="no date any more"))
    assert str(state(withdrawn, as_of="2023-01-10").picture.vehicles["next"].planned_return) == "2023-09"
    assert state(withdrawn, as_of="2023-01-11").picture.vehicles["next"].planned_return is None


def test_explain_and_history_show_the_withdrawal_and_the_decision_behind_it() -> None:
    entries = entries_of(*PLANNED, DECIDED, event("PlanWithdrawn", "2023-01-11", based_on=[DECISION],
                                                  vehicle="next", plan="launch", reason="flight cancelled"))
    answer = state(entries)
    why = answer.explain(answer.picture.vehicles["next"], "planned_launch")
    assert why["set_by"]["type"] == "PlanWithdrawn"
    assert [e["id"] for e in why["evidence"]] == [DECISION]

    from projections.history import history
    from projections.horizon import Horizon
    from tests.factories import NOW
    changes = history(entries, Horizon.parse(None, None, None, NOW), "vehicle", "next")
    assert changes is not None
    assert changes[-1]["event"]["type"] == "PlanWithdrawn"
    assert changes[-1]["changes"]["planned_launch"] == {"from": "2023-03-16", "to": None}


def test_one_crew_member_can_be_taken_off_a_flight() -> None:
    picture = state(entries_of(*PLANNED, event("PlanWithdrawn", "2022-12-01", crew_member="o", plan="launch",
                                               reason="medical"))).picture
    assert picture.crew["o"].launch_vehicle is None
    assert (picture.vehicles["next"].launch_crew, picture.crew["k"].launch_vehicle) == (["k"], "next")


def test_a_crew_members_return_date_can_be_withdrawn_keeping_the_vehicle() -> None:
    entries = entries_of(*ISS_CREW, event("ReturnVehicleAssigned", "2022-10-01", crew_member="a",
                                          vehicle="soyuz-ms-22", planned_return="2023-03"),
                         event("PlanWithdrawn", "2023-01-11", crew_member="a", plan="return", reason="open-ended"))
    plan = state(entries).picture.crew["a"]
    assert (plan.return_vehicle, plan.planned_return) == ("soyuz-ms-22", None)


def test_answers_give_a_target_date_as_text_and_as_a_window() -> None:
    entries = entries_of(vehicle("next"),
                         event("LaunchScheduled", "2023-01-11", vehicle="next", target="late 2023-03"))
    body = state(entries).to_json()["vehicles"]["next"]
    assert body["planned_launch"] == "late 2023-03"
    window = body["planned_launch_window"]
    assert (window["kind"], window["qualifier"]) == ("month", "late")
    assert (window["earliest"], window["latest"][:10]) == ("2023-03-21T00:00:00.000000Z", "2023-03-31")


def test_a_target_may_carry_a_time_of_day_or_be_still_to_be_set() -> None:
    entries = entries_of(vehicle("next"), vehicle("other"),
                         event("LaunchScheduled", "2023-01-11", vehicle="next", target="2023-02-24T00:24Z"),
                         event("LaunchScheduled", "2023-01-11", vehicle="other", target="to be set"))
    vehicles = state(entries).to_json()["vehicles"]
    assert vehicles["next"]["planned_launch_window"]["kind"] == "instant"
    assert vehicles["next"]["planned_launch_window"]["earliest"] == "2023-02-24T00:24:00.000000Z"
    assert (vehicles["other"]["planned_launch"], vehicles["other"]["planned_launch_window"]["kind"]) == (
        "to be set", "to_be_set")


def test_a_plan_carried_out_is_no_longer_pending() -> None:
    entries = entries_of(*PLANNED, event("VehicleLaunched", "2023-03-16", vehicle="next", crew=["k", "o"]),
                         event("VehicleLanded", "2023-09-20", vehicle="next"))
    at_launch, after_landing = state(entries, as_of="2023-03-16").picture, state(entries).picture
    assert (at_launch.vehicles["next"].planned_launch, at_launch.crew["k"].planned_launch) == (None, None)
    assert str(at_launch.vehicles["next"].planned_return) == "2023-09"
    assert after_landing.vehicles["next"].planned_return is None
