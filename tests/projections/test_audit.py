"""The decision audit: evidence, what was known then and learned since, what changed, what followed."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.entry import Entry
from domain.errors import InvalidValue
from projections.audit import DecisionAudit, DecisionFilter, audit, decisions
from projections.horizon import Horizon
from tests.factories import NOW, docked_with_crew, event, new_id, vehicle
from tests.projections.test_station_state import entries_of

LATER = datetime(2030, 1, 1, tzinfo=UTC)
LEAK, PHOTOS, FINDING, DECISION, REASSIGNED = new_id(), new_id(), new_id(), new_id(), new_id()


def in_incident(type_: str, occurred_at: str, **kw: Any) -> dict[str, Any]:
    return event(type_, occurred_at, incident="leak-1", **kw)


STORY = [
    *docked_with_crew("capsule", ["a", "b", "c"]),
    vehicle("rescue"),
    vehicle("other"),
    in_incident("IncidentOpened", "2022-12-14", id="leak-1", title="Coolant leak", vehicles=["capsule"]),
    in_incident("LeakDetected", "2022-12-14", event_id=LEAK, vehicle="capsule", system="cooling",
                description="coolant leak"),
    in_incident("ObservationRecorded", "2022-12-14", reported_at="2022-12-15", event_id=PHOTOS, based_on=[LEAK],
                observer="agency", description="images of coolant escaping", vehicle="capsule"),
    in_incident("FindingIssued", "2023-01-11", event_id=FINDING, based_on=[LEAK, PHOTOS], authority="commission",
                cause="micrometeoroid", method="proven experimentally", summary="a hole under 1 mm"),
    in_incident("DecisionTaken", "2023-01-11", event_id=DECISION, based_on=[FINDING], authority="Agency",
                summary="the capsule returns uncrewed", rationale="it is damaged", alternatives=["return crewed"]),
    in_incident("ReturnVehicleAssigned", "2023-01-11", event_id=REASSIGNED, based_on=[DECISION], crew_member="a",
                vehicle="rescue", planned_return="not announced"),
]


def audit_of(*later: dict[str, Any], decision: str = DECISION, known_at: str | None = None,
             recorded_before: int | None = None) -> DecisionAudit:
    found = audit(entries_of(*STORY, *later), Horizon.parse(None, known_at, recorded_before, LATER), UUID(decision))
    assert found is not None
    return found


def ids(entries: list[Entry]) -> list[str]:
    return [str(e.id) for e in entries]


def correction(target: str, reported: str = "2023-02-01", **changes: Any) -> dict[str, Any]:
    return event("EntryCorrected", reported, target=target, reason="new analysis", changes=changes)


def test_the_evidence_chain_is_every_event_the_decision_rests_on_transitively() -> None:
    found = audit_of()
    assert [str(n.id) for n in found.evidence] == [FINDING, LEAK, PHOTOS]
    assert [n.depth for n in found.evidence] == [1, 2, 2]
    assert {(str(a), str(b)) for a, b in found.edges} == {
        (DECISION, FINDING), (FINDING, LEAK), (FINDING, PHOTOS), (PHOTOS, LEAK)}
    assert found.to_json()["evidence"]["nodes"][0]["source"] == "test"


def test_what_the_incident_had_reported_by_the_decision_was_known_when_it_was_taken() -> None:
    known = ids(audit_of().known_when_taken)
    assert {LEAK, PHOTOS, FINDING} <= set(known) and DECISION not in known


def test_a_fact_reported_after_the_decision_is_learned_afterwards_and_never_known_when_taken() -> None:
    late = new_id()
    found = audit_of(in_incident("ObservationRecorded", "2023-01-05", reported_at="2023-01-20", event_id=late,
                                 observer="crew", description="a second drip"))
    assert late in ids(found.learned_afterwards)
    assert late not in ids(found.known_when_taken)


def test_what_rests_on_the_decision_follows_it_even_when_reported_the_same_day() -> None:
    found = audit_of()
    assert REASSIGNED in ids(found.learned_afterwards) and REASSIGNED not in ids(found.known_when_taken)
    assert found.to_json()["learned_afterwards"][0]["follows_from_decision"] is True


def test_later_news_about_the_same_vehicles_or_crew_counts_even_outside_the_incident() -> None:
    about_rescue, about_other = new_id(), new_id()
    found = audit_of(event("LaunchScheduled", "2023-01-20", event_id=about_rescue, vehicle="rescue",
                           target="2023-02-20"),
                     event("LaunchScheduled", "2023-01-20", event_id=about_other, vehicle="other",
                           target="2023-03-01"))
    learned = ids(found.learned_afterwards)
    assert about_rescue in learned and about_other not in learned + ids(found.known_when_taken)


def test_a_later_correction_of_the_evidence_changes_the_basis() -> None:
    [change] = audit_of(correction(FINDING, cause="a manufacturing defect")).basis_changed
    assert (change.change, str(change.evidence.id)) == ("corrected", FINDING)
    assert change.evidence.payload.to_json()["cause"] == "micrometeoroid"
    assert change.now is not None and change.now.payload.to_json()["cause"] == "a manufacturing defect"


def test_a_correction_not_yet_reported_at_known_at_is_not_in_the_audit() -> None:
    found = audit_of(correction(FINDING, cause="a manufacturing defect"), known_at="2023-01-31")
    finding = found.evidence[0].entry
    assert found.basis_changed == []
    assert finding is not None and finding.payload.to_json()["cause"] == "micrometeoroid"


def test_a_correction_reported_before_the_decision_did_not_change_its_basis() -> None:
    assert audit_of(correction(LEAK, reported="2023-01-05", description="a larger leak")).basis_changed == []


def test_retracted_evidence_is_still_listed_as_written() -> None:
    retraction = new_id()
    found = audit_of(event("EntryRetracted", "2023-02-01", event_id=retraction, target=PHOTOS,
                           reason="the images showed another module"))
    photos = next(n for n in found.evidence if str(n.id) == PHOTOS)
    assert (photos.status, [str(i) for i in photos.retracted_by]) == ("retracted", [retraction])
    [change] = found.basis_changed
    assert (change.change, str(change.evidence.id), change.now) == ("retracted", PHOTOS, None)
    assert PHOTOS not in ids(found.known_when_taken)


def test_supersession_is_seen_from_both_sides() -> None:
    newer = new_id()
    later = in_incident("DecisionTaken", "2023-02-01", event_id=newer, authority="Agency", summary="crewed after all",
                        rationale="repaired", supersedes=[DECISION])
    assert ids(audit_of(later).superseded_by) == [newer]
    assert [str(r.id) for r in audit_of(later, decision=newer).supersedes] == [DECISION]
    assert audit_of(later, known_at="2023-01-31").superseded_by == []


def test_a_consequence_names_the_fields_it_set_and_whether_they_still_hold() -> None:
    [consequence] = audit_of().consequences
    assert str(consequence.event.id) == REASSIGNED
    changed = {(c.subject, c.id, c.field): c for c in consequence.changed}
    assert changed["crew", "a", "return_vehicle"].value == "rescue" and changed["crew", "a", "return_vehicle"].current
    reassigned_again = event("ReturnVehicleAssigned", "2023-02-01", crew_member="a", vehicle="capsule",
                             planned_return="2023-03")
    [consequence] = audit_of(reassigned_again).consequences
    now = next(c for c in consequence.changed if c.field == "return_vehicle")
    assert (now.value, now.now, now.current) == ("rescue", "capsule", False)


def test_an_audit_needs_a_decision_known_at_the_horizon() -> None:
    entries = entries_of(*STORY)
    assert audit(entries, Horizon.parse(None, "2023-01-10", None, LATER), UUID(DECISION)) is None
    assert audit(entries, Horizon(LATER, LATER), UUID(LEAK)) is None
    assert audit(entries, Horizon(LATER, LATER), UUID(new_id())) is None


def test_recorded_before_gives_the_audit_as_the_log_stood_then() -> None:
    fixed = audit_of(correction(FINDING, cause="a manufacturing defect"), recorded_before=len(STORY))
    assert fixed.basis_changed == [] and fixed.position == len(STORY)


def test_as_of_does_not_restrict_an_audit() -> None:
    entries = entries_of(*STORY)
    early, late = (audit(entries, Horizon(as_of, NOW), UUID(DECISION)) for as_of in (datetime(2022, 1, 1, tzinfo=UTC),
                                                                                   LATER))
    assert early is not None and late is not None and early.to_json() == late.to_json()
    assert "as_of" not in early.to_json()


# --- The list of decisions ---------------------------------------------------------

OTHER = in_incident("DecisionTaken", "2023-02-01", authority="State Commission", summary="emergency use only",
                    rationale="r")


def listed(where: DecisionFilter | None = None, as_of: str | None = None) -> list[str]:
    found = decisions(entries_of(*STORY, OTHER), Horizon.parse(as_of, None, None, LATER), where)
    return [d.decision.payload.to_json()["summary"] for d in found]


def test_decisions_are_listed_in_the_order_they_were_taken() -> None:
    assert listed() == ["the capsule returns uncrewed", "emergency use only"]
    assert listed(as_of="2023-01-31") == ["the capsule returns uncrewed"]


def test_decisions_can_be_filtered_by_authority_incident_and_dates() -> None:
    assert listed(DecisionFilter.parse(authority="state commission")) == ["emergency use only"]
    assert listed(DecisionFilter.parse(incident="another-incident")) == []
    assert listed(DecisionFilter.parse(occurred_from="2023-01-11", occurred_to="2023-01-11")) == [
        "the capsule returns uncrewed"]


@pytest.mark.parametrize(("bounds", "field"), [(("yesterday", None), "occurred_from"),
                                               (("2023-02-01", "2023-01-01"), "occurred_to")])
def test_a_bad_date_range_names_the_bound(bounds: tuple[str | None, str | None], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        DecisionFilter.parse(occurred_from=bounds[0], occurred_to=bounds[1])
    assert refused.value.field == field


def test_evidence_not_yet_reported_at_known_at_is_named_not_hidden() -> None:
    backfilled = [{**e, "reported_at": "2023-02-01"} if e.get("id") == LEAK else e for e in STORY]
    found = audit(entries_of(*backfilled), Horizon.parse(None, "2023-01-20", None, LATER), UUID(DECISION))
    assert found is not None
    assert [(str(n.id), n.status) for n in found.evidence] == [(FINDING, "believed"), (LEAK, "unknown"),
                                                               (PHOTOS, "believed")]
    assert found.to_json()["evidence"]["nodes"][1] == {"id": LEAK, "status": "unknown", "depth": 2}
