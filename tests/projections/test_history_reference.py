"""A history watches the fold for the fields each fact sets, instead of
working out every derived field and reading the subject after every fact. The
plain way is kept here as the reference: both must give the same changes,
for every subject of every log, at every knowledge time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.entry import Entry
from projections.explain import describe
from projections.history import Subject, history
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import Picture, derive_return_crews, evolve
from projections.state import find_crew
from tests.projections.test_properties import accepted
from tests.strategies import QUERY_DAYS, day, logs

END = datetime(2100, 1, 1, tzinfo=UTC)
SCENARIOS = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.jsonl"))


def reference(entries: list[Entry], horizon: Horizon, kind: Subject, name: str) -> list[dict[str, Any]] | None:
    """Every fact folded, every derived field worked out, the subject read
    after each. A crew member is the one with that id if one ever appears
    (a first fold of everything says), else the first to answer to it."""
    facts = list(in_valid_time(beliefs(entries, horizon), Horizon(END, horizon.known_at, horizon.recorded_before)))
    picture = Picture()
    for entry in facts:
        evolve(picture, entry)
    subject_id: str | None = name if kind == "vehicle" or name in picture.crew else None
    picture = Picture()
    before: dict[str, Any] = {}
    changes = []
    for entry in facts:
        evolve(picture, entry)
        derive_return_crews(picture)
        if kind == "crew" and subject_id is None:
            member = find_crew(picture, name)
            subject_id = member.id if member else None
        views = picture.vehicles if kind == "vehicle" else picture.crew
        view = views.get(subject_id) if subject_id else None
        after = view.to_json() if view else {}
        diff = {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v and k != "id"}
        if diff:
            changes.append({"occurred_at": entry.occurred_at.isoformat(), "event": describe(entry), "changes": diff})
        before = after
    return changes if before else None


def subjects(entries: list[Entry]) -> list[tuple[Subject, str]]:
    named: list[tuple[Subject, str]] = [("vehicle", "nobody"), ("crew", "nobody")]
    for entry in entries:
        data = entry.payload.to_json()
        if entry.type == "VehicleRegistered":
            named.append(("vehicle", data["id"]))
        elif entry.type == "CrewMemberRegistered":
            named += [("crew", data["id"]), ("crew", data["name"]), *(("crew", a) for a in data.get("aliases", []))]
    return named


def assert_same_histories(entries: list[Entry], known_days: list[int | None]) -> None:
    for known in known_days:
        horizon = Horizon.parse(None, day(known) if known is not None else "2100-01-01", None, END)
        for kind, name in subjects(entries):
            assert history(entries, horizon, kind, name) == reference(entries, horizon, kind, name), (kind, name)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_history_is_the_reference(scenario: Path) -> None:
    events = [json.loads(line) for line in scenario.read_text().splitlines() if line.strip()]
    entries = accepted(events)
    first = min(e.reported_at.start for e in entries).date().isoformat()
    for known in (None, first, "2022-12-20", "2023-03-01"):
        horizon = Horizon.parse(None, known or "2100-01-01", None, END)
        for kind, name in subjects(entries):
            assert history(entries, horizon, kind, name) == reference(entries, horizon, kind, name), (kind, name)


@given(logs(), st.lists(st.sampled_from([None, *QUERY_DAYS]), min_size=1, max_size=3))
def test_any_history_is_the_reference(events: list[dict[str, Any]], known_days: list[int | None]) -> None:
    assert_same_histories(accepted(events), known_days)
