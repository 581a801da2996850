"""Two writers on one store (as two API workers would be) cannot together
store what neither would have been allowed to."""

from __future__ import annotations

import threading
from typing import Any

from domain.errors import DomainError
from store.application import IncidentLogApplication
from store.settings import Settings
from tests.factories import FakeClock, draft, event, vehicle


def test_two_processes_cannot_both_dock_the_same_vehicle(store_url: str) -> None:
    writers = [IncidentLogApplication(Settings(store=store_url), clock=FakeClock()) for _ in range(2)]
    try:
        writers[0].append([draft(vehicle("v")), draft(event("VehicleLaunched", "2022-09-21", vehicle="v"))], "a")
        for writer in writers:
            writer.catch_up()  # both have seen the launch; neither has seen a docking
        outcomes: list[Any] = []
        start = threading.Barrier(2)

        def dock(writer: IncidentLogApplication, port: str) -> None:
            start.wait()
            try:
                writer.append([draft(event("VehicleDocked", "2022-09-21", vehicle="v", station="iss", port=port))],
                              "controller")
                outcomes.append("stored")
            except DomainError as error:
                outcomes.append(error)

        threads = [threading.Thread(target=dock, args=(w, port)) for w, port in zip(writers, ("a", "b"), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(map(str, outcomes)).count("stored") == 1
        assert [e.type for e in writers[1].entries()].count("VehicleDocked") == 1
    finally:
        for writer in writers:
            writer.close()
