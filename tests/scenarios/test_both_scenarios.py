"""Both scenarios in one log, in either order: the people they share are
registered by each, and each story answers as it does alone."""

from __future__ import annotations

import uuid

import pytest

from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from tests.scenarios.conftest import scenario_events

FILES = ["soyuz-ms22.jsonl", "soyuz-ms09.jsonl"]


def iss_at(app: IncidentLogApplication, as_of: str) -> tuple[int, int, int]:
    iss = app.state(Horizon.parse(as_of, None, None, app.now())).capacity["iss"]
    return len(iss.crew_aboard), iss.cleared_seats, iss.shortfall


@pytest.mark.parametrize("order", [FILES, FILES[::-1]], ids=["ms22 first", "ms09 first"])
def test_both_stories_share_a_log_in_either_order(app: IncidentLogApplication, order: list[str]) -> None:
    for name in order:
        app.append([Draft.from_json(raw, uuid.uuid4) for raw in scenario_events(name)], "importer")
    assert iss_at(app, "2022-12-15") == (7, 4, 3)  # the day after the coolant leak
    assert iss_at(app, "2018-10-11") == (3, 3, 0)  # the day of the launch abort
    state = app.state(Horizon.parse("2023-01-12", None, None, app.now()))
    prokopyev = state.find_crew("Prokopjew")
    assert prokopyev is not None and state.find_crew("Sergei Prokopyev") is prokopyev
    assert (prokopyev.return_vehicle, prokopyev.arrived_on) == ("soyuz-ms-23", "soyuz-ms-22")
