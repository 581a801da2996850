"""An incident's case file: its status and timeline, as of a day, as known then."""

from datetime import UTC, datetime

from projections.case_file import case_file
from projections.horizon import Horizon
from tests.factories import event
from tests.projections.test_audit import DECISION, FINDING, LEAK, PHOTOS, STORY
from tests.projections.test_station_state import entries_of

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def test_a_case_file_groups_the_timeline_and_says_the_status() -> None:
    found = case_file(entries_of(*STORY), Horizon(LATER, LATER), "leak-1")
    assert found is not None
    body = found.to_json()
    assert (body["title"], body["status"], body["status_set_by"]["id"]) == ("Coolant leak", "cause_determined",
                                                                            FINDING)
    assert [e["id"] for e in body["observations"]] == [LEAK, PHOTOS]
    assert [e["id"] for e in body["findings"]] == [FINDING]
    assert [e["id"] for e in body["decisions"]] == [DECISION]
    assert body["timeline"][0]["type"] == "IncidentOpened"


def test_a_case_file_as_of_a_past_day_holds_only_what_had_happened() -> None:
    found = case_file(entries_of(*STORY), Horizon.parse("2022-12-20", None, None, LATER), "leak-1")
    assert found is not None
    assert (found.incident.status, found.section("decisions")) == ("open", [])


def test_a_case_file_as_known_before_a_report_leaves_it_out() -> None:
    found = case_file(entries_of(*STORY), Horizon.parse(None, "2022-12-14", None, LATER), "leak-1")
    assert found is not None and PHOTOS not in [str(e.id) for e in found.timeline]


def test_an_unknown_incident_has_no_case_file() -> None:
    assert case_file(entries_of(*STORY), Horizon(LATER, LATER), "no-such-incident") is None


def test_the_timeline_puts_evidence_before_what_rests_on_it_the_same_day() -> None:
    first, second = "00000000-0000-4000-8000-000000000001", "ffffffff-0000-4000-8000-000000000001"
    story = [*STORY,
             event("FindingIssued", "2023-02-01", event_id=second, incident="leak-1", authority="commission",
                   cause="c", method="m", summary="a second finding"),
             event("DecisionTaken", "2023-02-01", event_id=first, based_on=[second], incident="leak-1",
                   authority="Agency", summary="s", rationale="r")]
    found = case_file(entries_of(*story), Horizon(LATER, LATER), "leak-1")
    assert found is not None and [str(e.id) for e in found.timeline][-2:] == [second, first]
