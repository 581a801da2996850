"""The write-side rules, given past events, when a batch, then entries or a refusal."""

import re
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.entry import Entry
from domain.errors import DomainError, IdConflict, InvalidValue, RuleViolation, UnknownReference
from domain.log import Acceptance, IncidentLog, PartsCheck, Proposal
from tests.factories import NOW, crew_member, docked_with_crew, draft, event, new_id, vehicle
from tests.strategies import logs


def log_of(*raws: dict[str, Any]) -> IncidentLog:
    log = IncidentLog()
    append(log, *raws)
    return log


def append(log: IncidentLog, *raws: dict[str, Any]) -> list[Entry]:
    acceptance = log.accept([draft(r) for r in raws], NOW, "tester")
    placed = [e.at_position(log.head + i + 1) for i, e in enumerate(acceptance.new)]
    log.extend(placed)
    return placed


def test_a_crew_member_cannot_be_assigned_to_an_unknown_vehicle() -> None:
    log = log_of(crew_member("frank-rubio"))
    with pytest.raises(UnknownReference) as refused:
        append(log, event("ReturnVehicleAssigned", crew_member="frank-rubio", vehicle="soyuz-ms-99",
                          planned_return="2023-03"))
    assert refused.value.field == "data.vehicle"


def test_based_on_must_name_events_in_the_log() -> None:
    with pytest.raises(UnknownReference) as refused:
        append(IncidentLog(), event("IncidentClosed", summary="s", based_on=[new_id()]))
    assert refused.value.field == "based_on[0]"


def test_an_event_may_rest_on_an_earlier_event_of_the_same_batch() -> None:
    first = new_id()
    log = log_of(vehicle("soyuz-ms-22", event_id=first),
                 event("SeatCapacityChanged", vehicle="soyuz-ms-22", seats=2, reason="r", based_on=[first]))
    assert log.head == 2


def test_events_of_an_incident_need_the_incident_opened() -> None:
    with pytest.raises(UnknownReference) as refused:
        append(log_of(vehicle("v")), event("LeakDetected", vehicle="v", system="s", description="d",
                                           incident="no-such-incident"))
    assert refused.value.field == "incidents[0]"


def test_an_id_cannot_be_registered_again_as_another_vehicle() -> None:
    with pytest.raises(RuleViolation) as refused:
        append(log_of(vehicle("v", seats=3)), vehicle("v", seats=4))
    assert refused.value.field == "data.id" and "name and kind and seats" in refused.value.rule


def test_the_same_vehicle_or_person_may_be_registered_again_by_another_story() -> None:
    log = log_of(vehicle("v"), crew_member("a", aliases=["Alpha"]))
    stored = append(log, vehicle("v", occurred_at="2018-06-06"), crew_member("a", aliases=["Alfa"]))
    assert len(stored) == 2


def test_an_incident_is_opened_once() -> None:
    with pytest.raises(RuleViolation):
        append(log_of(event("IncidentOpened", id="leak", title="t")), event("IncidentOpened", id="leak", title="t"))


def test_retracting_one_of_two_registrations_keeps_the_id_registered() -> None:
    first = new_id()
    log = log_of(vehicle("v", event_id=first), vehicle("v", occurred_at="2018-01-01"))
    append(log, event("EntryRetracted", "2022-12-14", target=first, reason="duplicate"))
    assert log.is_registered("vehicle", "v")


def test_docking_a_landed_vehicle_is_refused() -> None:
    log = log_of(*docked_with_crew("soyuz-ms-22", ["frank-rubio"]),
                 event("VehicleUndocked", "2023-03-28", vehicle="soyuz-ms-22"),
                 event("VehicleLanded", "2023-03-28", vehicle="soyuz-ms-22"))
    with pytest.raises(RuleViolation) as refused:
        append(log, event("VehicleDocked", "2023-04-01", vehicle="soyuz-ms-22", station="iss"))
    assert refused.value.field == "data.vehicle"
    assert "landed on 2023-03-28" in refused.value.rule


def test_a_back_dated_landing_cannot_slip_in_before_a_recorded_docking() -> None:
    log = log_of(*docked_with_crew("soyuz-ms-22", ["frank-rubio"], day="2022-09-21"))
    with pytest.raises(RuleViolation):
        append(log, event("VehicleLanded", "2022-09-21", vehicle="soyuz-ms-22"))


def test_a_landed_capsule_may_fly_again() -> None:
    log = log_of(*docked_with_crew("endurance", ["nicole-mann"], seats=4),
                 event("VehicleUndocked", "2023-03-11", vehicle="endurance", crew=["nicole-mann"]),
                 event("VehicleLanded", "2023-03-12", vehicle="endurance", crew=["nicole-mann"]),
                 event("VehicleLaunched", "2023-08-26", vehicle="endurance"),
                 event("VehicleDocked", "2023-08-27", vehicle="endurance", station="iss"))
    assert log.head == 8


def test_a_story_may_start_with_a_vehicle_already_docked() -> None:
    assert log_of(vehicle("v"), event("VehicleDocked", "2022-12-01", vehicle="v", station="iss")).head == 2


def test_undocking_a_vehicle_that_never_docked_is_refused() -> None:
    with pytest.raises(RuleViolation):
        append(log_of(vehicle("v")), event("VehicleUndocked", "2022-12-01", vehicle="v"))


def test_a_retry_with_the_same_id_and_content_is_answered_with_the_original() -> None:
    raw = vehicle("v", event_id=new_id())
    log = IncidentLog()
    [original] = append(log, raw)
    acceptance = log.accept([draft(raw)], NOW, "tester")
    assert acceptance.new == [] and acceptance.already_stored == [original]


def test_the_same_id_with_different_content_is_refused() -> None:
    shared = new_id()
    log = log_of(vehicle("v", event_id=shared))
    with pytest.raises(IdConflict):
        append(log, vehicle("w", event_id=shared))


def test_an_error_in_a_batch_names_the_event_by_its_index() -> None:
    with pytest.raises(UnknownReference) as refused:
        append(IncidentLog(), vehicle("v"), event("VehicleDocked", vehicle="nope", station="iss"))
    assert refused.value.field == "events[1].data.vehicle"


def test_a_report_from_the_future_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        append(IncidentLog(), event("IncidentClosed", "2023-01-01", reported_at="2999-01-01", summary="s"))
    assert refused.value.field == "reported_at"


def test_a_plan_is_a_fact_about_a_decision_not_a_future_occurrence() -> None:
    with pytest.raises(InvalidValue) as refused:
        append(log_of(vehicle("v")), event("LaunchScheduled", "2030-02-20", reported_at=None, vehicle="v",
                                         target="2030-02-20"))
    assert refused.value.field == "occurred_at"


@given(bad_at=st.integers(min_value=0, max_value=5), size=st.integers(min_value=1, max_value=6))
def test_a_batch_with_one_bad_event_is_refused_whole(bad_at: int, size: int) -> None:
    bad_at %= size
    batch = [vehicle(f"v{i}") for i in range(size)]
    batch[bad_at] = event("VehicleDocked", vehicle="unknown", station="iss")
    log = IncidentLog()
    with pytest.raises(UnknownReference):
        append(log, *batch)
    assert log.head == 0 and not log.is_registered("vehicle", "v0")


# --- Causal order within a day -------------------------------------------------------


def test_a_date_only_docking_may_rest_on_a_timed_launch_of_the_same_day() -> None:
    launch = new_id()
    log = log_of(vehicle("capsule"), crew_member("a"))
    append(log, event("VehicleLaunched", "2022-09-21T13:54:00Z", event_id=launch, vehicle="capsule", crew=["a"]),
           event("VehicleDocked", "2022-09-21", based_on=[launch], vehicle="capsule", station="iss"))
    assert log.is_registered("vehicle", "capsule")


def test_a_date_only_docking_resting_on_nothing_still_cannot_precede_that_days_launch_of_a_docked_vehicle() -> None:
    log = log_of(*docked_with_crew("capsule", ["a"], day="2022-09-21"))
    with pytest.raises(RuleViolation):
        append(log, event("VehicleDocked", "2022-09-30", vehicle="capsule", station="iss"))


# --- A batch's lines in any order ------------------------------------------------------


def test_an_event_may_name_an_incident_opened_further_down_the_same_batch() -> None:
    log = log_of(vehicle("capsule"))
    stored = append(log, event("LeakDetected", "2022-12-14", incident="leak-1", vehicle="capsule",
                               system="coolant", description="a leak"),
                    event("IncidentOpened", "2022-12-14", id="leak-1", title="the leak"))
    assert [e.type for e in stored] == ["IncidentOpened", "LeakDetected"]


def test_an_event_may_rest_on_or_correct_an_event_further_down_the_same_batch() -> None:
    leak, photos = new_id(), new_id()
    log = log_of(vehicle("capsule"))
    stored = append(log,
                    event("EntryCorrected", "2022-12-16", target=photos, reason="wrong day",
                          changes={"description": "particles"}),
                    event("ObservationRecorded", "2022-12-15", event_id=photos, based_on=[leak],
                          description="snow"),
                    event("LeakDetected", "2022-12-14", event_id=leak, vehicle="capsule", system="coolant",
                          description="a leak"),
                    event("VehicleRegistered", "2022-12-01", id="other", name="Other", kind="cargo", seats=0))
    assert [e.type for e in stored] == ["LeakDetected", "ObservationRecorded", "EntryCorrected", "VehicleRegistered"]


def test_a_batch_whose_events_rest_on_each_other_is_refused() -> None:
    first, second = new_id(), new_id()
    with pytest.raises(RuleViolation) as refused:
        append(IncidentLog(), event("IncidentClosed", event_id=first, based_on=[second], summary="s"),
               event("IncidentClosed", event_id=second, based_on=[first], summary="s"))
    assert refused.value.field == "events[0]"


def test_a_refusal_in_a_reordered_batch_names_the_line_as_given() -> None:
    with pytest.raises(UnknownReference) as refused:
        append(IncidentLog(), event("LeakDetected", incident="leak-1", vehicle="nowhere", system="s",
                                    description="d"),
               event("IncidentOpened", id="leak-1", title="the leak"))
    assert refused.value.field == "events[0].data.vehicle"


# --- A vehicle's end ----------------------------------------------------------------------


def test_a_lost_vehicle_can_never_fly_again() -> None:
    log = log_of(vehicle("cargo", seats=0), event("VehicleLaunched", "2023-01-01", vehicle="cargo"),
                 event("VehicleLost", "2023-01-01T00:09:00Z", vehicle="cargo", circumstances="launch failure"))
    with pytest.raises(RuleViolation) as refused:
        append(log, event("VehicleLaunched", "2023-06-01", vehicle="cargo"))
    assert "lost" in refused.value.rule


def test_a_docked_vehicle_may_be_lost_but_not_land_afterwards() -> None:
    log = log_of(*docked_with_crew("capsule", ["a"]), event("VehicleLost", "2022-10-01", vehicle="capsule",
                                                             circumstances="destroyed at the station"))
    with pytest.raises(RuleViolation):
        append(log, event("VehicleLanded", "2022-10-02", vehicle="capsule"))


# --- Several writers' batches checked in turn (stored together) --------------------------


def proposal(*raws: dict[str, Any], actor: str = "tester") -> Proposal:
    return Proposal([draft(r) for r in raws], NOW, actor)


def test_a_batch_is_checked_against_the_batches_accepted_before_it() -> None:
    outcomes = IncidentLog().accept_each([
        proposal(vehicle("v"), actor="a"),
        proposal(event("VehicleLaunched", "2022-09-21", vehicle="v"), actor="b")])
    assert all(isinstance(o, Acceptance) for o in outcomes)
    assert [[(e.type, e.actor) for e in o.new] for o in outcomes if isinstance(o, Acceptance)] == [
        [("VehicleRegistered", "a")], [("VehicleLaunched", "b")]]


def test_a_refused_batch_gets_its_own_error_and_leaves_no_trace_for_the_batches_after_it() -> None:
    first, second, third = IncidentLog().accept_each([
        proposal(vehicle("v"), event("VehicleDocked", vehicle="nowhere", station="iss")),
        proposal(event("VehicleLaunched", "2022-09-21", vehicle="v")),
        proposal(vehicle("v", seats=4))])
    assert isinstance(first, UnknownReference) and first.field == "events[1].data.vehicle"
    assert isinstance(second, UnknownReference) and second.field == "data.vehicle"
    assert isinstance(third, Acceptance) and len(third.new) == 1


def test_an_id_an_earlier_batch_brings_is_a_retry_with_the_same_content_and_a_conflict_with_other() -> None:
    shared = new_id()
    first, retry, conflict = IncidentLog().accept_each([
        proposal(vehicle("v", event_id=shared)), proposal(vehicle("v", event_id=shared)),
        proposal(vehicle("w", event_id=shared))])
    assert isinstance(first, Acceptance) and isinstance(retry, Acceptance)
    assert retry.new == [] and retry.already_stored == first.new
    assert isinstance(conflict, IdConflict) and conflict.field == "id"


def test_checking_stops_after_a_batch_that_amends_an_event_so_the_rest_see_it_applied() -> None:
    registration = new_id()
    log = log_of(vehicle("v", event_id=registration))
    retract = proposal(event("EntryRetracted", target=registration, reason="never existed"))
    launch = proposal(event("VehicleLaunched", "2022-09-21", vehicle="v"))
    outcomes = log.accept_each([retract, launch])
    assert len(outcomes) == 1 and isinstance(outcomes[0], Acceptance)
    log.extend(e.at_position(log.head + 1) for e in outcomes[0].new)
    [refused] = log.accept_each([launch])
    assert isinstance(refused, UnknownReference)


RULES_INPUTS = {"VehicleRegistered", "CrewMemberRegistered", "VehicleLaunched", "VehicleDocked", "VehicleUndocked",
                "VehicleLanded", "VehicleLost"}


@st.composite
def amendments_of_the_rules_inputs(draw: st.DrawFn, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Retractions and corrections of registrations and movements (which the
    generated logs leave alone): what later batches are checked against changes."""
    targets = [e for e in events if e["type"] in RULES_INPUTS]
    amendments = []
    for n, target in enumerate(draw(st.lists(st.sampled_from(targets), max_size=3)) if targets else []):
        amendment_id = str(uuid.UUID(int=1_000_000 + n))
        if draw(st.booleans()):
            amendments.append(event("EntryRetracted", "2022-08-01", event_id=amendment_id, target=target["id"],
                                    reason="wrong"))
        else:
            moved = f"2022-{draw(st.integers(1, 3)):02d}-{draw(st.integers(1, 28)):02d}"
            amendments.append(event("EntryCorrected", "2022-08-01", event_id=amendment_id, target=target["id"],
                                    reason="wrong day", changes={"occurred_at": moved, "reported_at": moved}))
    return amendments


def drawn_batches(data: st.DataObject, events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """`events` cut into batches of one to three, in order, now and then with
    a retry of a batch drawn before."""
    batches: list[list[dict[str, Any]]] = []
    rest = list(events)
    while rest:
        size = data.draw(st.integers(1, 3))
        batches.append(rest[:size])
        rest = rest[size:]
        if data.draw(st.booleans()):  # a retry of any batch so far
            batches.append(data.draw(st.sampled_from(batches)))
    return batches


def outcome_of(outcome: Acceptance | DomainError) -> tuple[Any, ...]:
    if isinstance(outcome, DomainError):
        return type(outcome).__name__, outcome.field, outcome.rule
    return [e.id for e in outcome.new], [e.id for e in outcome.already_stored]


@settings(max_examples=150, deadline=None)
@given(logs(), st.data())
def test_batches_checked_in_turn_get_the_outcomes_they_would_get_appended_one_after_another(
        events: list[dict[str, Any]], data: st.DataObject) -> None:
    split = data.draw(st.integers(0, len(events)), label="stored before")
    rest = data.draw(st.permutations(events[split:] + data.draw(amendments_of_the_rules_inputs(events))),
                     label="the rest, in any order")
    proposals = [proposal(*batch) for batch in drawn_batches(data, rest)]

    one_by_one, expected = log_of(*events[:split]), []
    for p in proposals:
        try:
            acceptance = one_by_one.accept(p.drafts, p.recorded_at, p.actor)
        except DomainError as error:
            expected.append(outcome_of(error))
            continue
        one_by_one.extend(e.at_position(one_by_one.head + i + 1) for i, e in enumerate(acceptance.new))
        expected.append(outcome_of(acceptance))

    together, got = log_of(*events[:split]), []
    while len(got) < len(proposals):
        outcomes = together.accept_each(proposals[len(got):])
        new = [e for o in outcomes if isinstance(o, Acceptance) for e in o.new]
        together.extend(e.at_position(together.head + i + 1) for i, e in enumerate(new))
        got += [outcome_of(o) for o in outcomes]
    assert got == expected


@settings(max_examples=150, deadline=None)
@given(logs(), st.data())
def test_a_batch_checked_a_part_at_a_time_gets_the_outcome_it_gets_checked_whole(
        events: list[dict[str, Any]], data: st.DataObject) -> None:
    """An import checks its file in parts (`PartsCheck`): when every event comes
    after what it names, as a file is stored, the parts get the whole's outcome
    (the same refusal of the same event, or the same retries counted)."""
    split = data.draw(st.integers(0, len(events)), label="stored before")
    retried = data.draw(st.integers(0, split), label="retried")
    rest = events[split - retried:] + data.draw(amendments_of_the_rules_inputs(events))
    drafts = [draft(raw) for raw in rest]
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, len(drafts) - 1)), max_size=4), label="cuts")))
    parts = [drafts[a:b] for a, b in zip([0, *cuts], [*cuts, len(drafts)], strict=True) if a < b]

    def outcome(error: DomainError, first: int, size: int) -> tuple[Any, ...]:
        """The refusal, with the event it names counted in the whole batch."""
        match = re.match(r"^events\[(\d+)\]\.?(.*)$", error.field) if size > 1 else None
        index, field = (first + int(match[1]), match[2]) if match else (first, error.field)
        return type(error).__name__, index, field, error.rule

    try:
        expected: tuple[Any, ...] = ("accepted", len(log_of(*events[:split]).accept(drafts, NOW, "tester")
                                                     .already_stored))
    except DomainError as error:
        expected = outcome(error, 0, len(drafts))

    checking, first = PartsCheck(log_of(*events[:split]), NOW, "tester"), 0
    try:
        for part in parts:
            checking.check(part)
            first += len(part)
        got: tuple[Any, ...] = ("accepted", checking.already_stored)
    except DomainError as error:
        got = outcome(error, first, len(part))
    assert got == expected
