"""Versions at every knowledge level answer every (as_of, known_at) as the fold does.

The rows are read here the way the read model reads them (`store.read_model`):
the highest level at or below `known_at` at which the view differs at or
before `as_of`, then that level's latest row at or before `as_of`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from projections import picture_codec
from projections.capacity import aboard_at, docked_at
from projections.history import changes_from_versions, history
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.knowledge_levels import KnowledgeLevels, LevelRow, RewindableFold, as_known_at
from projections.picture import CrewPlan, Picture, Tracked, VehicleStatus, evolve
from projections.state import project
from projections.versions import CREW, KINDS, STATION, VEHICLE
from tests.projections.test_properties import NOW, QUERIES, accepted
from tests.strategies import QUERY_DAYS, day, logs

EVERYTHING = Horizon(datetime.max.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def read(rows: list[LevelRow], kind: str, view: str, as_of: datetime, known_at: datetime) -> str | None:
    mine = [r for r in rows if (r.kind, r.view) == (kind, view) and r.level <= known_at]
    starts: dict[datetime, datetime] = {}
    for row in mine:
        starts[row.level] = min(starts.get(row.level, row.valid_from), row.valid_from)
    levels = [level for level, start in starts.items() if start <= as_of]
    if not levels:
        return None
    top = max(levels)
    return max((r for r in mine if r.level == top and r.valid_from <= as_of), key=lambda r: (r.valid_from, r.seq)).body


def held_at(picture: Picture, station: str) -> dict[str, list[str]]:
    """A station's view: who is aboard and what is docked there, in the picture's order."""
    return {"aboard": [c.id for c in picture.crew.values() if aboard_at(c) == station],
            "docked": [v.id for v in picture.vehicles.values() if docked_at(v) == station]}


def as_stored(view: Tracked) -> str:
    derived = None
    if isinstance(view, VehicleStatus):
        derived = {"return_crew": (view.return_crew, view.set_by.get("return_crew"))}
    return picture_codec.view_text(view, derived)


@settings(max_examples=80, deadline=None)
@given(logs(decisions=True))
def test_every_view_at_every_horizon_is_the_folds(events: list[dict[str, Any]]) -> None:
    entries = accepted(events)
    rows = list(KnowledgeLevels(entries).rows())
    for as_of, known_at in QUERIES:
        horizon = Horizon.parse(as_of, known_at, None, NOW)
        state = project(entries, horizon)
        picture = state.picture
        everyone = {(VEHICLE, v) for v in picture.vehicles} | {(CREW, c) for c in picture.crew} | \
            {(STATION, s) for s in state.capacity} | {(r.kind, r.view) for r in rows}
        for kind, view_id in everyone:
            if kind == STATION:
                kept = read(rows, kind, view_id, horizon.as_of, horizon.known_at)
                expected_here = held_at(picture, view_id) if view_id in state.capacity else None
                assert (json.loads(kept) if kept else None) == expected_here, (view_id, as_of, known_at)
                continue
            views: dict[str, Any] = picture.vehicles if kind == VEHICLE else picture.crew
            kept = read(rows, kind, view_id, horizon.as_of, horizon.known_at)
            expected = views.get(view_id)
            if expected is None:
                assert kept is None, (kind, view_id, as_of, known_at)
                continue
            assert kept is not None, (kind, view_id, as_of, known_at)
            restored = picture_codec.restore_view(VehicleStatus if kind == VEHICLE else CrewPlan, kept)
            assert restored.to_json() == expected.to_json(), (kind, view_id, as_of, known_at)
            assert restored.set_by == expected.set_by, (kind, view_id, as_of, known_at)


def _held(picture: Picture) -> dict[str, Any]:
    """What a picture holds, but incident timelines (never taken back: no view reads them)."""
    held = json.loads(picture_codec.encode(picture))
    for incident in held["incidents"]:
        del incident["fields"]["timeline"]
    return held


@settings(max_examples=60, deadline=None)
@given(logs(decisions=True), st.data())
def test_a_fold_taken_back_is_the_fold_of_the_facts_before(events: list[dict[str, Any]], data: st.DataObject) -> None:
    facts = in_valid_time(beliefs(accepted(events), EVERYTHING), EVERYTHING)
    rewindable = RewindableFold()
    for fact in facts:
        rewindable.fold(fact)
    for count in data.draw(st.lists(st.integers(0, len(facts)), max_size=3).map(lambda c: sorted(c, reverse=True))):
        rewindable.back_to(count)
        assert rewindable.folded == count
        reference = Picture()
        for fact in facts[:count]:
            evolve(reference, fact)
        assert _held(rewindable.picture) == _held(reference)


@settings(max_examples=80, deadline=None)
@given(logs(decisions=True))
def test_a_vehicles_or_crew_members_history_at_every_level_is_the_folds(events: list[dict[str, Any]]) -> None:
    entries = accepted(events)
    rows = sorted(KnowledgeLevels(entries).rows(), key=lambda r: (-r.level.timestamp(), r.valid_from, r.seq))
    views = {(r.kind, r.view) for r in rows if r.kind in (VEHICLE, CREW)}
    for known_at in QUERY_DAYS:
        horizon = Horizon.parse(None, day(known_at), None, NOW)
        known = beliefs(entries, horizon)
        for kind, view_id in views:
            mine = [(r.level, r.valid_from, r.event, r.body) for r in rows
                    if (r.kind, r.view) == (kind, view_id) and r.level <= horizon.known_at]
            made = [(event, picture_codec.restore_view(KINDS[kind], body))
                    for event, body in as_known_at(mine) if event is not None and body is not None]
            kept = changes_from_versions(made, {event: known.get(event) for event, _ in made}) if made else None
            assert kept == history(entries, horizon, kind, view_id), (kind, view_id, known_at)


@settings(max_examples=80, deadline=None)
@given(logs(decisions=True), st.data())
def test_the_levels_after_a_moment_come_out_as_they_do_going_through_them_all(
        events: list[dict[str, Any]], data: st.DataObject) -> None:
    """The levels up to a moment gone through as one (the fold made once at
    the last of them), those after it give the same rows as when each level
    is gone through in turn: what lets `prepare` keep the rows it has."""
    entries = accepted(events)
    every = list(KnowledgeLevels(entries).rows())
    moments = sorted({row.level for row in every})
    if not moments:
        return
    event(f"levels with rows: {len(moments) // 5 * 5}+")
    after = data.draw(st.sampled_from(moments)) + timedelta(microseconds=data.draw(st.sampled_from([-1, 0, 1])))
    assert list(KnowledgeLevels(entries).rows(after=after)) == [row for row in every if row.level > after]
