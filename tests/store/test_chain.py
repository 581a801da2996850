"""The hash chain: kept with every append, recomputed from the events as
stored, and broken by any change made behind the log's back, at the position
where it was made. On SQLite and PostgreSQL (the edits are SQL on each
store's own tables, `tests.tampering`)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import store.chain
from store.application import IncidentLogApplication
from store.chain import GENESIS, Link, canonical, link_hash, record_of
from store.settings import Settings
from tests.factories import FakeClock, draft, vehicle
from tests.store.test_properties import append_one_by_one
from tests.strategies import logs
from tests.tampering import delete_chain_rows, delete_events, edit_event, swap_events

COUNT = 10


@pytest.fixture
def logged(app: IncidentLogApplication) -> IncidentLogApplication:
    """Ten vehicles, appended one at a time and then some together, at positions 1..10."""
    for i in range(6):
        app.append([draft(vehicle(f"v{i}"))], "writer")
    app.append([draft(vehicle(f"v{i}")) for i in range(6, COUNT)], "writer")
    return app


def seats(count: int) -> Any:
    def change(fields: dict[str, Any]) -> None:
        fields["data"]["seats"] = count
    return change


def test_an_untouched_log_verifies_and_its_head_is_the_last_event(logged: IncidentLogApplication) -> None:
    verdict = logged.chain.verify()
    assert verdict.intact, verdict.broken
    assert verdict.checked == COUNT
    assert verdict.head == logged.chain.head()
    assert verdict.head.position == COUNT


def test_an_empty_log_verifies_with_the_genesis_head(app: IncidentLogApplication) -> None:
    verdict = app.chain.verify(expect=Link(0, GENESIS))
    assert (verdict.intact, verdict.head) == (True, Link(0, GENESIS))


def test_each_hash_is_sha256_of_the_canonical_record_with_the_previous_hash(logged: IncidentLogApplication) -> None:
    """The documented encoding, recomputed here without the chain's helpers."""
    previous = GENESIS
    for entry, (position, digest) in zip(logged.entries(), logged.chain.hashes(1, COUNT), strict=True):
        line = {**entry.to_json(), "reported_at_given": entry.draft.reported_at is not None, "previous": previous}
        text = json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert (position, digest) == (entry.position, hashlib.sha256(text).hexdigest())
        previous = digest


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(logs())
def test_any_log_as_appended_reads_back_as_it_was_chained(fresh_store: Callable[[], str],
                                                          events: list[dict[str, Any]]) -> None:
    """What an append hashes (the entries in memory) is what verify hashes (the
    entries decoded from the store), for every kind of event and correction."""
    app = IncidentLogApplication(Settings(store=fresh_store()), clock=FakeClock())
    try:
        append_one_by_one(app, events)
        verdict = app.chain.verify()
        assert verdict.intact, verdict.broken
        assert verdict.checked == len(events)
    finally:
        app.close()


def test_canonical_text_sorts_keys_and_keeps_non_ascii_text() -> None:
    assert canonical({"b": 1, "a": ["Ü", None]}) == '{"a":["Ü",null],"b":1}'.encode()


def test_a_payload_edited_in_the_database_breaks_the_chain_at_its_position(logged: IncidentLogApplication) -> None:
    edit_event(logged, 4, seats(7))
    verdict = logged.chain.verify()
    assert verdict.broken is not None
    assert (verdict.broken.position, verdict.broken.kind) == (4, "changed")
    assert verdict.head.position == 3 and verdict.checked == 3


def test_an_edited_envelope_field_breaks_the_chain_too(logged: IncidentLogApplication) -> None:
    def source(fields: dict[str, Any]) -> None:
        fields["source"] = "someone else"
    edit_event(logged, 9, source)
    broken = logged.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (9, "changed")


def test_an_event_that_no_longer_reads_is_reported_changed(logged: IncidentLogApplication) -> None:
    edit_event(logged, 2, seats(-1))  # refused by the vocabulary when read back
    broken = logged.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (2, "changed")
    assert "cannot be read" in broken.detail


def test_a_deleted_event_is_reported_missing(logged: IncidentLogApplication) -> None:
    delete_events(logged, 5, 5)
    broken = logged.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (5, "missing")


def test_two_swapped_events_are_reported_reordered_naming_both(logged: IncidentLogApplication) -> None:
    swap_events(logged, 3, 8)
    broken = logged.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (3, "reordered")
    assert "3 and 8" in broken.detail


def test_an_event_without_its_chain_row_is_reported_inserted(logged: IncidentLogApplication) -> None:
    delete_chain_rows(logged, 6, 6)
    broken = logged.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (6, "inserted")


def test_a_tail_deleted_without_its_chain_rows_is_reported_missing(logged: IncidentLogApplication) -> None:
    delete_events(logged, 8)
    broken = logged.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (8, "missing")


def test_a_tail_cut_off_with_its_chain_rows_is_caught_by_a_head_kept_elsewhere(
        logged: IncidentLogApplication) -> None:
    kept = logged.chain.head()
    delete_events(logged, 8)
    delete_chain_rows(logged, 8)
    assert logged.chain.verify().intact  # the chain alone cannot tell
    broken = logged.chain.verify(expect=kept).broken
    assert broken is not None and (broken.position, broken.kind) == (COUNT, "truncated")


def test_a_tail_rewritten_with_its_chain_is_caught_by_a_head_kept_elsewhere(logged: IncidentLogApplication) -> None:
    kept = logged.chain.head()
    edit_event(logged, 9, seats(9))
    delete_chain_rows(logged, 9)
    logged.chain.seal(logged._writer)  # the chain recomputed over the edit, as one with the code could
    assert logged.chain.verify().intact
    broken = logged.chain.verify(expect=kept).broken
    assert broken is not None and (broken.position, broken.kind) == (COUNT, "rewritten")


def test_a_head_kept_earlier_still_holds_after_later_appends(logged: IncidentLogApplication) -> None:
    kept = logged.chain.head()
    logged.append([draft(vehicle("later"))], "writer")
    assert logged.chain.verify(expect=kept).intact


def test_verify_reads_the_store_not_the_processs_memory(logged: IncidentLogApplication, store_url: str) -> None:
    logged.entries()  # this process holds every entry, unchanged
    edit_event(logged, 1, seats(1))
    other = IncidentLogApplication(Settings(store=store_url), clock=FakeClock())
    try:
        for application in (logged, other):
            broken = application.chain.verify().broken
            assert broken is not None and broken.position == 1
    finally:
        other.close()


# --- A store from before the chain ------------------------------------------


@pytest.fixture
def unsealed(logged: IncidentLogApplication) -> Iterator[tuple[IncidentLogApplication, Link]]:
    """The logged store as a version without the chain left it; and the head it had."""
    head = logged.chain.head()
    delete_chain_rows(logged)
    yield logged, head


def test_a_store_without_a_chain_is_reported_unsealed_and_is_not_sealed_by_opening_it(
        unsealed: tuple[IncidentLogApplication, Link], store_url: str) -> None:
    app, _ = unsealed
    IncidentLogApplication(Settings(store=store_url)).close()
    broken = app.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (1, "unsealed")


def test_sealing_chains_every_event_as_the_appends_would_have(unsealed: tuple[IncidentLogApplication, Link]) -> None:
    app, head = unsealed
    assert app.chain.seal(app._writer) == COUNT
    assert app.chain.verify(expect=head).intact
    assert app.chain.seal(app._writer) == 0


def test_appends_to_an_unsealed_store_are_chained_by_the_seal(unsealed: tuple[IncidentLogApplication, Link]) -> None:
    app, _ = unsealed
    app.append([draft(vehicle("later"))], "writer")
    assert app.chain.head() == Link(0, GENESIS)  # not chained onto a log the chain does not reach
    app.chain.seal(app._writer)
    verdict = app.chain.verify()
    assert verdict.intact and verdict.checked == COUNT + 1


def test_an_interrupted_seal_is_reported_unchained_and_resumes(
        unsealed: tuple[IncidentLogApplication, Link], monkeypatch: pytest.MonkeyPatch) -> None:
    app, head = unsealed
    monkeypatch.setattr(store.chain, "PAGE", 3)

    def stop(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        app.chain.seal(app._writer, stop)
    broken = app.chain.verify().broken
    assert broken is not None and (broken.position, broken.kind) == (4, "unchained")
    assert app.chain.seal(app._writer) == COUNT - 3
    assert app.chain.verify(expect=head).intact


# --- Writers at once -----------------------------------------------------------


def test_two_writers_appending_at_once_keep_one_unforked_chain(store_url: str) -> None:
    writers = [IncidentLogApplication(Settings(store=store_url), clock=FakeClock()) for _ in range(2)]
    start = threading.Barrier(2)

    def write(writer: IncidentLogApplication, name: str) -> None:
        start.wait()
        for i in range(15):
            writer.append([draft(vehicle(f"{name}-{i}"))], name)

    try:
        threads = [threading.Thread(target=write, args=(w, n)) for w, n in zip(writers, "ab", strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        verdict = writers[0].chain.verify()
        assert verdict.intact, verdict.broken
        assert verdict.checked == 30
        links = list(writers[1].chain.hashes(1, verdict.head.position))
        previous = GENESIS
        for entry, (_, digest) in zip(writers[1].entries(), links, strict=True):
            assert link_hash(record_of(entry), previous) == digest
            previous = digest
    finally:
        for writer in writers:
            writer.close()


@pytest.mark.postgres
def test_a_gap_in_positions_left_by_a_rollback_is_no_break(postgres_url: str) -> None:
    """PostgreSQL's positions come from a sequence that a rolled-back transaction
    still advances (SQLite leaves no gaps)."""
    app = IncidentLogApplication(Settings(store=postgres_url), clock=FakeClock())
    try:
        app.append([draft(vehicle("before-the-gap"))], "writer")
        with app.database.writing() as rows:
            rows.execute("SELECT nextval(pg_get_serial_sequence(?, 'notification_id'))", (app.database.events_table,))
        [entry] = app.append([draft(vehicle("after-the-gap"))], "writer").entries
        assert entry.position == 3
        verdict = app.chain.verify()
        assert verdict.intact, verdict.broken
        assert (verdict.checked, verdict.head.position) == (2, 3)
    finally:
        app.close()
