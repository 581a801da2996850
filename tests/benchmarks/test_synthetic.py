"""The realistic synthetic log: every event lawful, the same log for the same seed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from benchmarks.synthetic import describe, fleet_log, history
from domain.entry import Draft
from domain.log import IncidentLog


def test_every_event_is_accepted_by_the_rules_appended_one_at_a_time() -> None:
    log, now = IncidentLog(), datetime.now(UTC)
    for position, raw in enumerate(fleet_log(3_000), 1):
        [entry] = log.accept([Draft.from_json(raw, uuid.uuid4)], now, "bench").new
        log.apply(entry.at_position(position))
    assert log.head == 3_000


def test_the_same_seed_gives_the_same_log_and_another_seed_another() -> None:
    assert fleet_log(500, seed=7) == fleet_log(500, seed=7)
    assert fleet_log(500, seed=7) != fleet_log(500, seed=8)


def test_a_log_has_the_issues_proportions() -> None:
    shape = describe(fleet_log(20_000))
    assert shape["events"] == 20_000
    assert (shape["capsules"], shape["crew"], shape["stations"]) == (24, 120, 3)
    assert 0.045 <= shape["corrections"] / 20_000 <= 0.055
    assert 0.009 <= shape["retractions"] / 20_000 <= 0.011
    assert 10 <= shape["incidents"] <= 30
    assert shape["corrections_of_times"] > 0 and shape["late_reports"] > 2_000
    assert {"VehicleLost", "PlanWithdrawn", "AssignmentEnded", "LaunchScheduled", "ReturnVehicleAssigned",
            "DecisionTaken", "FindingIssued", "LeakDetected"} <= set(shape["types"])


def test_the_simple_history_still_gives_as_many_events_as_asked() -> None:
    assert len(list(history(250))) == 250
