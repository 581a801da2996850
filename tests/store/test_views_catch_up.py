"""The server's catch-up (`store.views_catch_up`): views a back-dated event
stopped are carried to the end of the log by a `prepare` of its own, in a
child process, on both stores; prepares take turns."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from projections.versions import VEHICLE
from store.locks import prepare_lock
from store.views_catch_up import RETRY_AT_MOST, ViewsCatchUp, behind
from tests.factories import draft, event
from tests.store.test_read_model import SCENARIO, append_all, horizon, opened

LATE = event("VehicleDamageAssessed", "2022-12-20", reported_at=None, vehicle="soyuz-ms-22",
             health="damaged", crewed_return="not_cleared")  # before the scenario's last facts


def test_a_back_dated_event_is_caught_up_in_a_child_process(store_url: str) -> None:
    app = opened(store_url)
    try:
        append_all(app, SCENARIO, 7)
        catch_up = ViewsCatchUp(app.settings, app.views_status, interval=60)
        assert catch_up.once()  # never prepared: behind
        assert not behind(app.views_status()) and not catch_up.once()  # current: nothing to do
        app.append([draft(LATE)], "test")
        assert behind(app.views_status())
        query = horizon(app, ("2022-12-25", None, None, None))
        assert app.read_model.view_at(VEHICLE, "soyuz-ms-22", query) is None  # the fold answers meanwhile
        assert catch_up.once()
        assert app.views_status()["versions"] == {"through": app.head, "fold_from": None}
        kept = app.read_model.view_at(VEHICLE, "soyuz-ms-22", query)
        assert kept is not None and kept.view.health == "damaged"
    finally:
        app.close()


def test_the_catch_up_runs_by_itself_and_stops(store_url: str) -> None:
    app = opened(store_url)
    catch_up = ViewsCatchUp(app.settings, app.views_status, interval=0.05)
    try:
        append_all(app, SCENARIO, 41)
        catch_up.start()
        deadline = time.monotonic() + 120
        while behind(app.views_status()):
            assert time.monotonic() < deadline, app.views_status()
            time.sleep(0.1)
    finally:
        catch_up.stop()
        app.close()
    assert not catch_up._thread.is_alive()


def test_prepares_take_turns(store_url: str) -> None:
    """While one process prepares, another's prepare waits for it."""
    app = opened(store_url)
    held = prepare_lock(app.settings)
    try:
        append_all(app, SCENARIO, 41)
        done = threading.Event()
        with held:
            worker = threading.Thread(target=lambda: (app.prepare_read_model(), done.set()))
            worker.start()
            assert not done.wait(1.0)  # waiting for the lock held here
            assert behind(app.views_status())
        worker.join(timeout=120)
        assert done.is_set() and not behind(app.views_status())
    finally:
        held.close()
        app.close()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_prepare_is_tried_again_later_at_the_same_head(store_url: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only after the next append: after a wait that doubles with each
    failure in a row (from twice the interval), then as before once it works."""
    app = opened(store_url)
    clock = _Clock()
    catch_up = ViewsCatchUp(app.settings, app.views_status, interval=5, clock=clock)
    tries: list[float] = []
    real = catch_up.command

    def failing() -> list[str]:
        tries.append(clock.now)
        return [sys.executable, "-c", "import sys; sys.exit(3)"]

    try:
        append_all(app, SCENARIO, 7)
        monkeypatch.setattr(catch_up, "command", failing)
        assert not catch_up.once() and len(tries) == 1
        clock.now += 9.9
        assert not catch_up.once() and len(tries) == 1  # not yet: 10 s after one failure
        clock.now += 0.1
        assert not catch_up.once() and len(tries) == 2
        clock.now += 19.9
        assert not catch_up.once() and len(tries) == 2  # 20 s after two
        clock.now += 0.1
        assert not catch_up.once() and len(tries) == 3
        app.append([draft(LATE)], "test")  # a head that moved is tried at once
        assert not catch_up.once() and len(tries) == 4
        monkeypatch.setattr(catch_up, "command", real)
        clock.now += 10
        assert catch_up.once() and not behind(app.views_status())
    finally:
        app.close()


def test_the_wait_between_failed_tries_has_a_ceiling(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = opened(store_url)
    clock = _Clock()
    catch_up = ViewsCatchUp(app.settings, app.views_status, interval=5, clock=clock)
    tries: list[float] = []
    monkeypatch.setattr(catch_up, "command",
                        lambda: tries.append(clock.now) or [sys.executable, "-c", "import sys; sys.exit(3)"])
    try:
        append_all(app, SCENARIO, 7)
        for failures in range(8):  # waits of 10, 20, 40 ... 320 s, then the ceiling
            wait = min(RETRY_AT_MOST, 5 * 2 ** (failures + 1))
            assert not catch_up.once() and len(tries) == failures + 1
            clock.now += wait - 0.1
            assert not catch_up.once() and len(tries) == failures + 1
            clock.now += 0.1
        assert wait == RETRY_AT_MOST
    finally:
        app.close()
