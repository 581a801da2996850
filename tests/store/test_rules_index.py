"""The write side reads the database, not a fold of the whole log: it decides
every batch as the fold in memory (`domain.log.IncidentLog`, the reference)
does, on SQLite and PostgreSQL, and a fresh process appends without decoding
the log."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, RuleViolation
from domain.log import Acceptance, IncidentLog, Proposal, accept_each
from store.application import IncidentLogApplication
from store.settings import Settings
from tests.domain.test_log import amendments_of_the_rules_inputs, drawn_batches
from tests.factories import NOW, FakeClock, draft, event
from tests.strategies import VEHICLES, day, logs

PROPERTY = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
MOVEMENTS = ("VehicleLaunched", "VehicleDocked", "VehicleUndocked", "VehicleLanded", "VehicleLost")


def opened(url: str) -> IncidentLogApplication:
    return IncidentLogApplication(Settings(store=url, group_commit_ms=0), clock=FakeClock())


@st.composite
def troubles(draw: st.DrawFn, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events that the rules may well refuse, or that change what they check:
    movements on any day (often back-dated into a timeline), corrections that
    move a movement to another vehicle or day (and corrections of those), and
    an id reused with other content."""
    found: list[dict[str, Any]] = []
    movements = [e for e in events if e["type"] in MOVEMENTS]

    def new_id() -> str:
        return str(uuid.UUID(int=2_000_000 + len(found)))

    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["move", "revehicle", "redate", "re-correct", "conflict"]))
        occurred = day(draw(st.integers(1, 60)))
        if kind == "move":
            type_ = draw(st.sampled_from(MOVEMENTS))
            found.append(event(type_, occurred, event_id=new_id(), source="generated",
                               vehicle=draw(st.sampled_from(VEHICLES)), **MOVEMENT_DATA[type_]))
        elif kind in ("revehicle", "redate") and movements:
            target = draw(st.sampled_from(movements))
            changes = ({"vehicle": draw(st.sampled_from(VEHICLES))} if kind == "revehicle"
                       else {"occurred_at": occurred, "reported_at": occurred})
            found.append(event("EntryCorrected", "2022-08-01", event_id=new_id(), target=target["id"],
                               reason="wrong", changes=changes))
        elif kind == "re-correct" and any(e["type"] == "EntryCorrected" for e in found):
            target = draw(st.sampled_from([e for e in found if e["type"] == "EntryCorrected"]))
            found.append(event("EntryCorrected", "2022-08-02", event_id=new_id(), target=target["id"],
                               reason="the correction was wrong",
                               changes={"changes": {"vehicle": draw(st.sampled_from(VEHICLES))}}))
        elif kind == "conflict" and events:
            original = draw(st.sampled_from(events))
            found.append({**original, "source": "another story"})
    return found


MOVEMENT_DATA: dict[str, dict[str, Any]] = {"VehicleLaunched": {"crew": []}, "VehicleDocked": {"station": "station"},
                 "VehicleUndocked": {"crew": []}, "VehicleLanded": {"crew": []},
                 "VehicleLost": {"circumstances": "burned up"}}


def outcome(result: Any) -> tuple[Any, ...]:
    if isinstance(result, DomainError):
        return type(result).__name__, result.field, result.rule
    return ("accepted", *result)


@PROPERTY
@given(logs(), st.data())
def test_every_batch_is_decided_as_the_fold_in_memory_decides_it(
        fresh_store: Callable[[], str], events: list[dict[str, Any]], data: st.DataObject) -> None:
    extra = data.draw(amendments_of_the_rules_inputs(events)) + data.draw(troubles(events))
    rest = data.draw(st.permutations(events + extra), label="in any order")
    batches = drawn_batches(data, rest)
    url = fresh_store()
    # Two writers on one store: each must see what the other stored (its caches refreshed).
    writers = [opened(url), opened(url)]
    reference = IncidentLog()
    try:
        for batch in batches:
            drafts = [draft(raw) for raw in batch]
            writer = writers[data.draw(st.integers(0, 1), label="writer")]
            try:
                acceptance = reference.accept(drafts, writer.now(), "generator")
                expected = outcome((sorted(e.id for e in acceptance.new),
                                    sorted(e.id for e in acceptance.already_stored)))
                retries: int | tuple[Any, ...] = len(acceptance.already_stored)
            except DomainError as error:
                expected = retries = outcome(error)
            if data.draw(st.booleans(), label="check first"):
                try:
                    checked: int | tuple[Any, ...] = writer.check(drafts, "generator")
                except DomainError as error:
                    checked = outcome(error)
                assert checked == retries
            head = writer.head
            try:
                result = writer.append(drafts, "generator")
            except DomainError as error:
                assert outcome(error) == expected
                continue
            new = [e for e in result.entries if e.position > head]
            assert expected == outcome((sorted(e.id for e in new),
                                        sorted(e.id for e in result.entries if e.position <= head)))
            reference.extend(sorted({e.id: e for e in new}.values(), key=lambda e: e.position))
            if data.draw(st.booleans(), label="look"):  # and keep timelines in the writers' caches
                for reader in writers:
                    reads_as(reader, reference)
        # A group commit checks the batches in turn, each as if those before were stored.
        proposals = [Proposal([draft(raw) for raw in batch], NOW, "generator") for batch in batches]
        with writers[0].database.reading() as rows:
            grouped = accept_each(writers[0].rules_index.view(rows), proposals)
        assert [group_outcome(o) for o in grouped] == [group_outcome(o) for o in reference.accept_each(proposals)]
    finally:
        for writer in writers:
            writer.close()


def group_outcome(result: Acceptance | DomainError) -> tuple[Any, ...]:
    if isinstance(result, DomainError):
        return outcome(result)
    return [e.id for e in result.new], [e.id for e in result.already_stored]


def reads_as(writer: IncidentLogApplication, reference: IncidentLog) -> None:
    """What the rules read, asked directly: the same as the fold's."""
    with writer.database.reading() as rows:
        view = writer.rules_index.view(rows)
        for vehicle in VEHICLES:
            assert [(m.key, m.movement, m.event) for m in view.timeline(vehicle)] == \
                   [(m.key, m.movement, m.event) for m in reference.timeline(vehicle)]
            assert view.registration("vehicle", vehicle) == reference.registration("vehicle", vehicle)


def test_a_fresh_process_appends_to_a_long_log_without_decoding_it(store_url: str) -> None:
    first = opened(store_url)
    try:
        first.append([draft(event("VehicleRegistered", "2022-01-01", id=f"v{n}", name=f"V {n}", kind="k", seats=3))
                      for n in range(200)], "importer")
        for n in range(0, 200, 20):
            first.append([draft(event("VehicleLaunched", "2022-02-01", vehicle=f"v{n}", crew=[]))], "importer")
    finally:
        first.close()
    fresh = opened(store_url)
    decoded: list[int] = []
    decode = fresh._decode

    def counting(notification: Any) -> Any:
        decoded.append(notification.id)
        return decode(notification)

    fresh._decode = counting  # type: ignore[method-assign]
    fresh.rules_index._decode = counting
    try:
        fresh.append([draft(event("VehicleDocked", "2022-02-02", vehicle="v40", station="iss"))], "writer")
        # The docking's vehicle: its registration and its launch, not the 210 entries.
        assert 0 < len(decoded) <= 2
        assert fresh.head == 211
    finally:
        fresh.close()


def test_a_store_from_before_the_rules_tables_gets_them_built_when_opened(store_url: str) -> None:
    old = opened(store_url)
    try:
        old.append([draft(event("VehicleRegistered", "2022-01-01", id="v", name="V", kind="k", seats=3)),
                    draft(event("VehicleLaunched", "2022-02-01", vehicle="v", crew=[]))], "importer")
        with old.database.writing() as rows:  # as a store written before them would be
            rows.execute(f"DROP TABLE {old.rules_index.registrations}")
            rows.execute(f"DROP TABLE {old.rules_index.vehicle_moves}")
            rows.execute(f"DELETE FROM {old.read_model.index.meta} WHERE key = 'rules_index'")
    finally:
        old.close()
    reopened = opened(store_url)
    try:
        with pytest.raises(RuleViolation):  # the launch is found: a second one cannot follow it
            reopened.append([draft(event("VehicleLaunched", "2022-02-02", vehicle="v", crew=[]))], "writer")
        reopened.append([draft(event("VehicleDocked", "2022-02-02", vehicle="v", station="iss"))], "writer")
    finally:
        reopened.close()
