"""Audits, decision lists, case files, event records, histories and pages of
entries read through the indexes answer exactly as the projections' functions
do over the whole log (the reference), on both stores; and answering them in
a fresh process decodes only part of the log."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import store.application
from benchmarks.synthetic import fleet_log
from domain import vocabulary as v
from domain.corrections import Amendments, believed
from domain.entry import Entry
from projections.audit import DecisionFilter, audit, decisions
from projections.case_file import case_file
from projections.history import history
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from store.settings import Settings
from tests.factories import FakeClock
from tests.store.test_read_model import PROPERTY, append_all, horizon, horizons, opened
from tests.strategies import CREW, VEHICLES, logs

FILTERS = st.builds(DecisionFilter.parse, st.sampled_from([None, "inc", "inc2", "none-such"]),
                    st.sampled_from([None, "agency", "Board"]),
                    st.sampled_from([None, "2022-01-20", "2022-02-15"]), st.sampled_from([None, "2022-03-01"]))


def whole_log(app: IncidentLogApplication) -> list[Entry]:
    """Every entry, as the write side holds them (the old readers' source)."""
    app.catch_up()
    return list(app._entries)


def record_by_reference(entries: list[Entry], event_id: uuid.UUID, query: Horizon) -> dict[str, Any] | None:
    """`event_record` as it was answered from the whole log."""
    entry = next((e for e in entries if e.id == event_id), None)
    if entry is None or not query.stored(entry):
        return None
    amendments = Amendments.among(e for e in entries if query.stored(e))
    visible = [a for a in amendments.of(event_id) if a.reported_at.start <= query.known_at]
    return store.application.EventRecord(entry, visible, believed(entry, amendments, query.known_at)).to_json()


def json_of(found: Any) -> Any:
    return None if found is None else found.to_json()


@PROPERTY
@given(logs(max_events=16, decisions=True), st.integers(1, 4), st.lists(horizons, min_size=1, max_size=3),
       st.lists(FILTERS, min_size=1, max_size=3), st.data())
def test_bounded_readers_answer_as_the_whole_log_does(fresh_store: Callable[[], str], events: list[dict[str, Any]],
                                                      batch: int, drawn: list[tuple[Any, ...]],
                                                      filters: list[DecisionFilter], data: st.DataObject) -> None:
    # Histories: read a slice at a time, or folded from the log held in memory.
    app = opened(fresh_store(), memory_events=data.draw(st.sampled_from([0, Settings.memory_events])))
    try:
        append_all(app, events, batch)
        entries = whole_log(app)
        taken = [e.id for e in entries if isinstance(e.payload, v.DecisionTaken)]
        others = [e.id for e in entries if not isinstance(e.payload, v.DecisionTaken)]
        for query in (horizon(app, d) for d in drawn):
            for decision_id in [*taken, data.draw(st.sampled_from(others)), uuid.uuid4()]:
                assert json_of(app.audit(decision_id, query)) == json_of(audit(entries, query, decision_id)), \
                    (query, decision_id)
            for where in [None, *filters]:
                assert [d.to_json() for d in app.decisions(query, where)] == \
                       [d.to_json() for d in decisions(entries, query, where)], (query, where)
            for incident in ("inc", "inc2", "none-such"):
                assert json_of(app.incident_file(incident, query)) == \
                       json_of(case_file(entries, query, incident)), (query, incident)
            for event_id in [*data.draw(st.lists(st.sampled_from([e.id for e in entries]), max_size=4)), uuid.uuid4()]:
                assert json_of(app.event_record(event_id, query)) == \
                       record_by_reference(entries, event_id, query), (query, event_id)
            kind, name = data.draw(st.sampled_from([*(("vehicle", n) for n in VEHICLES),
                                                   *(("crew", n) for n in CREW)]))
            assert app.history(kind, name, query) == history(entries, query, kind, name), (query, name)
    finally:
        app.close()


@PROPERTY
@given(logs(max_events=20), st.integers(0, 45), st.one_of(st.none(), st.integers(1, 50)))
def test_entries_are_paged_from_the_store(fresh_store: Callable[[], str], events: list[dict[str, Any]],
                                          after: int, limit: int | None) -> None:
    app = opened(fresh_store())
    try:
        append_all(app, events, 3)
        everything = whole_log(app)
        start = next((i for i, e in enumerate(everything) if e.position > after), len(everything))
        wanted = everything[start:] if limit is None else everything[start:start + limit]
        assert app.entries(after, limit) == wanted
        assert [e for page in app.pages(after) for e in page] == everything[start:]
    finally:
        app.close()


@pytest.fixture
def fleet_store(store_url: str) -> Iterator[str]:
    """A synthetic fleet's log, its read model asked once "as known now" (as a server would)."""
    app = IncidentLogApplication(Settings(store=store_url), clock=FakeClock())
    try:
        events = list(fleet_log(1500))
        append_all(app, events, 100)
        app.state(Horizon.parse(None, None, None, app.now()))
    finally:
        app.close()
    yield store_url


def test_a_fresh_process_decodes_only_what_the_answers_are_about(fleet_store: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[int] = []
    real = IncidentLogApplication._decode

    def counting(self: IncidentLogApplication, notification: Any) -> Entry:
        decoded.append(notification.id)
        return real(self, notification)

    monkeypatch.setattr(IncidentLogApplication, "_decode", counting)  # every reader's way to an entry
    app = IncidentLogApplication(Settings(store=fleet_store), clock=FakeClock())
    try:
        size = app.head
        now = Horizon.parse(None, None, None, app.now())
        with app.database.reading() as rows:
            decision = app.mentions.typed(rows, "DecisionTaken")[-1]
        [found] = app.entries(decision - 1, 1)
        incident = found.incidents[0] if found.incidents else "none"

        def cost(answer: Callable[[], Any]) -> tuple[int, Any]:
            app.read_model._cache.clear()  # each answer pays for what it decodes
            decoded.clear()
            answered = answer()
            assert answered is not None
            return len(decoded), answered

        audited, shown = cost(lambda: app.audit(found.id, now))
        body = shown.to_json()
        shown_entries = (len(body["known_when_taken"]) + len(body["learned_afterwards"])
                         + len(body["evidence"]["nodes"]) + len(body["consequences"]) + len(body["superseded_by"]))
        assert audited <= 2 * shown_entries + 50 < size // 4, (size, audited, shown_entries)
        costs = {
            "decisions": cost(lambda: app.decisions(now))[0],
            "case file": cost(lambda: app.incident_file(incident, now))[0],
            "event record": cost(lambda: app.event_record(found.id, now))[0],
            "page": cost(lambda: app.entries(size // 2, 100))[0],
        }
        assert all(count < size // 4 for count in costs.values()), (size, costs)
        assert costs["event record"] <= 5 and costs["page"] == 100, costs
    finally:
        app.close()


def mention_rows(app: IncidentLogApplication) -> list[tuple[Any, ...]]:
    with app.database.reading() as rows:
        return sorted(rows.execute(f"SELECT kind, name, root, position FROM {app.mentions.table}").all())


@PROPERTY
@given(logs(max_events=16, decisions=True), st.integers(1, 4))
def test_mentions_rebuilt_from_the_records_are_those_kept_with_the_entries(
        fresh_store: Callable[[], str], events: list[dict[str, Any]], batch: int) -> None:
    app = opened(fresh_store())
    try:
        append_all(app, events, batch)
        kept = mention_rows(app)
        assert app.rebuild_read_model() == app.head
        assert mention_rows(app) == kept
    finally:
        app.close()


def test_a_store_from_before_the_mentions_gets_them_when_opened(store_url: str) -> None:
    app = opened(store_url)
    append_all(app, list(fleet_log(300)), 50)
    kept = mention_rows(app)
    with app.database.writing() as rows:  # as if the table had come after these entries
        rows.execute(f"DELETE FROM {app.mentions.table}")
        rows.execute(f"DELETE FROM {app.read_model.index.meta} WHERE key = 'mentions'")
    app.close()
    reopened = opened(store_url)
    try:
        assert mention_rows(reopened) == kept
    finally:
        reopened.close()


def test_no_entries_after_a_position_beyond_any_store(store_url: str) -> None:
    app = opened(store_url)
    try:
        append_all(app, list(fleet_log(5)), 5)
        assert app.entries(2**70, 10) == [] and app.entries(2**63 - 1) == []
        assert [e.position for e in app.entries(app.head - 1)] == [app.head]
    finally:
        app.close()
