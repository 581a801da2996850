"""The one valid-time order: by time, rank, report and id, and each event after
what it rests on when their valid times overlap."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from domain.entry import Entry
from domain.order import ValidTimeOrder
from tests.factories import NOW, draft, event, new_id


def entry(raw: dict[str, object], position: int = 1) -> Entry:
    return Entry.record(draft(raw), NOW, "tester", position)  # type: ignore[arg-type]


def order_of(*entries: Entry) -> list[str]:
    by_id = {e.id: e for e in entries}
    return [e.type for e in ValidTimeOrder(by_id.get).sorted(entries)]


def test_a_date_only_event_comes_after_the_timed_event_of_its_day_it_rests_on() -> None:
    test = entry(event("ObservationRecorded", "2022-12-20T14:30:00Z", event_id=new_id(), description="leak test"))
    cleared = entry(event("VehicleDamageAssessed", "2022-12-20", based_on=[str(test.id)], vehicle="capsule",
                          health="nominal", crewed_return="cleared"))
    assert order_of(cleared, test) == ["ObservationRecorded", "VehicleDamageAssessed"]


def test_an_event_resting_on_an_earlier_day_keeps_its_own_place() -> None:
    earlier = entry(event("ObservationRecorded", "2022-12-19T23:00:00Z", event_id=new_id(), description="x"))
    other = entry(event("ObservationRecorded", "2022-12-20T01:00:00Z", description="y"))
    resting = entry(event("StatementIssued", "2022-12-20", based_on=[str(earlier.id)], speaker="s", summary="z"))
    assert order_of(other, resting, earlier) == ["ObservationRecorded", "StatementIssued", "ObservationRecorded"]


def test_evidence_that_happened_later_than_the_event_does_not_move_it() -> None:
    later = entry(event("ObservationRecorded", "2022-12-20T18:00:00Z", event_id=new_id(), description="x"))
    early = entry(event("StatementIssued", "2022-12-20T09:00:00Z", based_on=[str(later.id)], speaker="s",
                        summary="z"))
    assert order_of(later, early) == ["StatementIssued", "ObservationRecorded"]


def test_an_event_counts_in_valid_time_from_the_evidence_it_must_follow() -> None:
    test = entry(event("ObservationRecorded", "2022-12-20T14:30:00Z", event_id=new_id(), description="leak test"))
    cleared = entry(event("StatementIssued", "2022-12-20", based_on=[str(test.id)], speaker="s", summary="ok"))
    lookup = {e.id: e for e in (test, cleared)}.get
    assert ValidTimeOrder(lookup).start(cleared) == test.occurred_at.start


@given(st.lists(st.sampled_from(["2022-12-20", "2022-12-20T08:00:00Z", "2022-12-20T20:00:00Z", "2022-12-21"]),
                min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_every_event_comes_after_the_overlapping_evidence_it_rests_on(times: list[str], rng: object) -> None:
    entries: list[Entry] = []
    for i, moment in enumerate(times):
        earlier = [str(e.id) for e in entries if rng.random() < 0.5]  # type: ignore[attr-defined]
        entries.append(entry(event("StatementIssued", moment, based_on=earlier, speaker="s", summary=str(i))))
    by_id = {e.id: e for e in entries}
    ordered = ValidTimeOrder(by_id.get).sorted(reversed(entries))
    place = {e.id: i for i, e in enumerate(ordered)}
    for e in entries:
        for evidence_id in e.based_on:
            evidence = by_id[UUID(str(evidence_id))]
            if evidence.occurred_at.not_after(e.occurred_at):
                assert place[evidence.id] < place[e.id]
