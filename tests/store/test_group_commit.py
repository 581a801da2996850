"""Concurrent appends are stored together, and each still gets its own answer.

`appended_together` makes a group on purpose: a first append holds the store
(its save waits) while the others queue one by one, in the order given; when
it lets go, the next leader takes them all and stores them in one transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from domain.errors import IdConflict, UnknownReference
from store.application import AppendResult, IncidentLogApplication
from store.settings import Settings, SettingsError
from tests.factories import FakeClock, draft, event, new_id, vehicle

Outcome = AppendResult | Exception
Raws = list[dict[str, Any]]


def appended_together(app: IncidentLogApplication, batches: list[Raws],
                      fault: Callable[[int], None] = lambda size: None) -> tuple[list[Outcome], list[int]]:
    """Each batch appended from a thread of its own while another append holds the
    store; returns each one's outcome and the events of each transaction after
    that first one. `fault` sees each later transaction's size first and may raise."""
    holding, release = threading.Event(), threading.Event()
    original, sizes = app.save, []

    def save(*records: Any, **options: Any) -> Any:
        sizes.append(len(records))
        if len(sizes) == 1:
            holding.set()
            release.wait(10)
        else:
            fault(len(records))
        return original(*records, **options)

    outcomes: dict[int, Outcome] = {}

    def append(index: int, raws: Raws) -> None:
        try:
            outcomes[index] = app.append([draft(r) for r in raws], f"writer-{index}")
        except Exception as error:
            outcomes[index] = error

    with mock.patch.object(app, "save", side_effect=save):
        threads = [threading.Thread(target=append, args=(-1, [event("ObservationRecorded", description="first")]))]
        threads[0].start()
        assert holding.wait(10)
        for index, raws in enumerate(batches):
            threads.append(threading.Thread(target=append, args=(index, raws)))
            threads[-1].start()
            _wait_until(lambda: app.appends_waiting == index + 1)  # noqa: B023 (called at once)
        release.set()
        for thread in threads:
            thread.join(10)
    assert isinstance(outcomes.pop(-1), AppendResult)
    return [outcomes[i] for i in range(len(batches))], sizes[1:]


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def stored(outcome: Outcome) -> AppendResult:
    assert isinstance(outcome, AppendResult), outcome
    return outcome


def ids(raws: Raws) -> list[str]:
    return [r["id"] for r in raws]


def observation(text: str) -> dict[str, Any]:
    return event("ObservationRecorded", event_id=new_id(), description=text)


def test_appends_waiting_together_are_stored_in_one_transaction_each_with_its_own_entries(
        app: IncidentLogApplication) -> None:
    batches = [[observation("a")], [observation("b"), observation("c")], [observation("d")]]
    outcomes, transactions = appended_together(app, batches)
    assert transactions == [4]
    for index, (outcome, raws) in enumerate(zip(outcomes, batches, strict=True)):
        result = stored(outcome)
        assert [str(e.id) for e in result.entries] == ids(raws) and result.stored == len(raws)
        assert {e.actor for e in result.entries} == {f"writer-{index}"}
    positions = [e.position for o in outcomes for e in stored(o).entries]
    assert positions == sorted(positions)
    assert app.entries()[1:] == [e for o in outcomes for e in stored(o).entries]
    assert [e.recorded_at for e in app.entries()] == sorted(e.recorded_at for e in app.entries())


def test_many_threads_appending_at_once_each_get_their_own_results_and_the_log_holds_each_event_once(
        app: IncidentLogApplication) -> None:
    start, results = threading.Barrier(12), {}

    def writer(n: int) -> None:
        start.wait()
        for i in range(6):
            raws = [observation(f"{n}.{i}.{j}") for j in range(1 + i % 2)]
            results[(n, i)] = (raws, app.append([draft(r) for r in raws], f"writer-{n}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    log = {e.id: e for e in app.entries()}
    assert len(results) == 72 and len(log) == sum(len(raws) for raws, _ in results.values())
    for (n, _), (raws, result) in results.items():
        assert [str(e.id) for e in result.entries] == ids(raws) and result.stored == len(raws)
        assert all(log[e.id] == e and e.actor == f"writer-{n}" for e in result.entries)


def test_a_refused_append_in_a_group_gets_its_own_error_and_the_others_are_stored(
        app: IncidentLogApplication) -> None:
    outcomes, transactions = appended_together(app, [
        [vehicle("v")],
        [vehicle("w"), event("VehicleDocked", vehicle="nowhere", station="iss")],
        [event("VehicleLaunched", "2022-09-21", vehicle="v")]])
    refused = outcomes[1]
    assert isinstance(refused, UnknownReference) and refused.field == "events[1].data.vehicle"
    assert stored(outcomes[0]).stored == stored(outcomes[2]).stored == 1
    assert transactions == [2]
    assert [e.type for e in app.entries()][1:] == ["VehicleRegistered", "VehicleLaunched"]


def test_the_same_event_twice_in_one_group_is_stored_once_and_both_get_it(app: IncidentLogApplication) -> None:
    raw = observation("seen twice")
    outcomes, transactions = appended_together(app, [[raw], [raw]])
    first, retry = map(stored, outcomes)
    assert first.entries == retry.entries and (first.stored, retry.stored) == (1, 0)
    assert transactions == [1] and [str(e.id) for e in app.entries()].count(raw["id"]) == 1


def test_one_id_with_different_content_twice_in_one_group_refuses_the_second_as_a_conflict(
        app: IncidentLogApplication) -> None:
    shared = new_id()
    outcomes, _ = appended_together(app, [
        [event("ObservationRecorded", event_id=shared, description="one")],
        [event("ObservationRecorded", event_id=shared, description="another")]])
    assert stored(outcomes[0]).stored == 1
    assert isinstance(outcomes[1], IdConflict) and outcomes[1].field == "id"


def test_an_append_of_several_events_in_a_group_is_stored_whole_and_answered_in_its_own_order(
        app: IncidentLogApplication) -> None:
    batch = [event("VehicleLaunched", "2022-09-21", event_id=new_id(), vehicle="v"), observation("between"),
             vehicle("v", event_id=new_id())]
    outcomes, transactions = appended_together(app, [[observation("before")], batch, [observation("after")]])
    assert transactions == [5]
    result = stored(outcomes[1])
    assert [str(e.id) for e in result.entries] == ids(batch)
    log = app.entries()
    assert [str(e.id) for e in log[2:5]] == [batch[1]["id"], batch[2]["id"], batch[0]["id"]]  # registered first
    assert sorted(result.entries, key=lambda e: e.position) == log[2:5]


def test_an_append_after_a_retraction_in_its_group_is_checked_with_the_retraction_applied(
        app: IncidentLogApplication) -> None:
    registration = new_id()
    app.append([draft(vehicle("v", event_id=registration))], "registrar")
    outcomes, transactions = appended_together(app, [
        [event("EntryRetracted", target=registration, reason="never existed")],
        [event("VehicleLaunched", "2022-09-21", vehicle="v")],
        [observation("unrelated")]])
    assert stored(outcomes[0]).stored == 1 and stored(outcomes[2]).stored == 1
    assert isinstance(outcomes[1], UnknownReference)
    assert transactions == [1, 1]


def test_when_the_store_refuses_a_group_its_appends_are_stored_one_by_one(app: IncidentLogApplication) -> None:
    refusals = [IntegrityError("duplicate key value violates unique constraint")]

    def another_process_got_there_first(size: int) -> None:
        if refusals:
            raise refusals.pop()

    batches = [[observation("a")], [observation("b"), observation("c")], [vehicle("v", event_id=new_id())]]
    outcomes, transactions = appended_together(app, batches, fault=another_process_got_there_first)
    assert transactions == [4, 1, 2, 1]
    for outcome, raws in zip(outcomes, batches, strict=True):
        result = stored(outcome)
        assert [str(e.id) for e in result.entries] == ids(raws) and result.stored == len(raws)
    assert len(app.entries()) == 5


def test_when_the_store_fails_every_append_of_the_group_gets_an_error_and_none_is_stored(
        app: IncidentLogApplication) -> None:
    def connection_lost(size: int) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    outcomes, _ = appended_together(app, [[observation("a")], [observation("b")]], fault=connection_lost)
    assert all(isinstance(o, OperationalError) for o in outcomes)
    assert len(app.entries()) == 1  # the first append, stored before


def test_a_lone_writer_never_waits_for_company(store_url: str) -> None:
    app = IncidentLogApplication(Settings(store=store_url, group_commit_ms=200), clock=FakeClock())
    try:
        started = time.monotonic()
        for i in range(10):
            app.append([draft(observation(str(i)))], "alone")
        assert time.monotonic() - started < 1.5  # 10 waits would take 2 s
    finally:
        app.close()


def test_with_group_commit_off_concurrent_appends_are_each_stored_alone(store_url: str) -> None:
    app = IncidentLogApplication(Settings(store=store_url, group_commit_ms=0), clock=FakeClock())
    try:
        start, raw, results = threading.Barrier(6), observation("retried"), []

        def writer(raws: Raws) -> None:
            start.wait()
            results.append(app.append([draft(r) for r in raws], "w"))

        batches = [[raw], [raw], *([observation(str(i))] for i in range(4))]
        with mock.patch.object(app, "save", wraps=app.save) as save:
            threads = [threading.Thread(target=writer, args=(b,)) for b in batches]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        assert [len(c.args) for c in save.call_args_list] == [1] * 5
        assert sorted(r.stored for r in results) == [0, 1, 1, 1, 1, 1] and len(app.entries()) == 5
    finally:
        app.close()


def test_the_group_commit_wait_is_read_from_the_environment_and_zero_turns_it_off() -> None:
    assert Settings.from_env({}).group_commit_ms == 2
    assert Settings.from_env({"INCIDENTLOG_GROUP_COMMIT_MS": "0"}).group_commit_ms == 0
    assert Settings.from_env({"INCIDENTLOG_GROUP_COMMIT_MS": "0.5"}).group_commit_ms == 0.5
    for wrong in ("-1", "soon", "5000"):
        with pytest.raises(SettingsError, match="INCIDENTLOG_GROUP_COMMIT_MS"):
            Settings.from_env({"INCIDENTLOG_GROUP_COMMIT_MS": wrong})
