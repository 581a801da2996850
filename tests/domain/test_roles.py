"""Who may write what: each event type's role, and amendments worth what they amend."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain import vocabulary as v
from domain.roles import Role, role_to_write
from domain.vocabulary import EVENT_TYPES, Payload, parse_payload
from tests.factories import new_id

# The issue's table, written out again here so that a change to a declaration is a change to this test too.
WRITERS = {
    Role.REPORTER: {
        "VehicleRegistered", "CrewMemberRegistered", "VehicleLaunched", "VehicleDocked", "VehicleUndocked",
        "VehicleLanded", "VehicleLost", "SeatCapacityChanged", "LaunchScheduled", "ReturnScheduled",
        "PlanWithdrawn", "ReturnVehicleAssigned", "LifeboatAssigned", "AssignmentEnded", "MissionExtended",
        "ObservationRecorded", "LeakDetected", "IncidentOpened", "EntryCorrected", "EntryRetracted"},
    Role.INVESTIGATOR: {"FindingIssued", "VehicleDamageAssessed", "StatementIssued", "CommissionConvened"},
    Role.AUTHORITY: {"DecisionTaken", "IncidentClosed"},
}


def test_each_role_includes_the_ones_before_it() -> None:
    ordered = [Role.READER, Role.REPORTER, Role.INVESTIGATOR, Role.AUTHORITY, Role.ADMIN]
    assert sorted(Role) == ordered
    for i, role in enumerate(ordered):
        assert all(role.covers(lower) for lower in ordered[:i + 1])
        assert not any(role.covers(higher) for higher in ordered[i + 1:])


def test_every_event_type_declares_the_role_the_issue_gives_it() -> None:
    declared = {name: cls.role for name, cls in EVENT_TYPES.items()}
    assert declared == {name: role for role, names in WRITERS.items() for name in names}


def test_no_one_without_a_writing_role_may_write_anything_and_no_type_needs_admin() -> None:
    assert {cls.role for cls in EVENT_TYPES.values()} <= {Role.REPORTER, Role.INVESTIGATOR, Role.AUTHORITY}


def test_roles_are_parsed_by_their_lowercase_names() -> None:
    assert Role.parse(" Investigator ") is Role.INVESTIGATOR
    assert Role.REPORTER.label == "reporter"
    with pytest.raises(ValueError, match="the roles are reader, reporter, investigator, authority, admin"):
        Role.parse("commander")


def _correction(target: UUID) -> Payload:
    return parse_payload("EntryCorrected", {"target": str(target), "reason": "r", "changes": {"summary": "s"}})


def _retraction(target: UUID) -> Payload:
    return parse_payload("EntryRetracted", {"target": str(target), "reason": "r"})


def test_correcting_a_decision_needs_the_authority_that_may_take_one() -> None:
    decision_id = uuid4()
    decision = v.DecisionTaken(summary="s", rationale="r")
    assert role_to_write(_correction(decision_id), {decision_id: decision}.get) is Role.AUTHORITY


def test_retracting_a_retraction_of_a_finding_needs_an_investigator() -> None:
    finding_id, retraction_id = uuid4(), uuid4()
    known: dict[UUID, Payload] = {finding_id: v.FindingIssued(cause="c", method="m", summary="s"),
                                  retraction_id: _retraction(finding_id)}
    assert role_to_write(_retraction(retraction_id), known.get) is Role.INVESTIGATOR


def test_amending_an_event_the_log_does_not_hold_needs_a_reporter_and_is_left_to_the_rules() -> None:
    assert role_to_write(_retraction(UUID(new_id())), lambda _: None) is Role.REPORTER


def test_a_cycle_of_amendments_ends() -> None:
    first, second = uuid4(), uuid4()
    known: dict[UUID, Payload] = {first: _retraction(second), second: _retraction(first)}
    assert role_to_write(_retraction(first), known.get) is Role.REPORTER


def test_an_event_that_amends_nothing_needs_its_own_role() -> None:
    assert role_to_write(v.StatementIssued(speaker="s", summary="s"), lambda _: None) is Role.INVESTIGATOR
