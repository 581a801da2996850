"""The read model answers as the fold of the whole log does, on both stores.

The fold (`projections.state.project` over every entry) is the reference.
The read model answers from its index and its checkpoints; here checkpoints
are kept after every fact and entries are loaded two at a time, so that each
answer starts from a checkpoint made at another horizon, and crosses slices.
Appends between questions leave old checkpoints behind, which must then be
used only where they still hold.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answers import CrewAnswer, VehicleAnswer
from domain.entry import Draft
from projections.checkpoints import day_end
from projections.history import history
from projections.horizon import Horizon
from projections.picture import VehicleStatus
from projections.state import StationState, project
from projections.versions import CREW, VEHICLE
from store import read_model
from store.application import IncidentLogApplication
from store.entry_index import from_micros, micros
from store.read_model import ReadModel
from store.settings import Settings
from tests.factories import NOW as CLOCK_START
from tests.factories import FakeClock, docked_with_crew, draft, event, vehicle
from tests.projections.test_properties import NOW, comparable
from tests.strategies import day, logs

LATEST = datetime(2200, 1, 1, tzinfo=UTC)
SCENARIO = [json.loads(line) for line in
            (Path(__file__).parents[2] / "scenarios" / "soyuz-ms22.jsonl").read_text().splitlines() if line.strip()]
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# A horizon: as_of (a day, and an hour into it or its end), known_at (a day or
# now), recorded_before (none, a position or a moment of the fake clock).
horizons = st.tuples(st.integers(-1, 210), st.sampled_from([None, 0, 7, 13, 23]),
                     st.one_of(st.none(), st.integers(-1, 210)),
                     st.one_of(st.none(), st.integers(0, 40).map(lambda p: ("position", p)),
                               st.integers(0, 80).map(lambda s: ("millisecond", s))))


def opened(url: str, reach: int = 10**9, memory_events: int = Settings.memory_events) -> IncidentLogApplication:
    app = IncidentLogApplication(Settings(store=url, memory_events=memory_events), clock=FakeClock())
    tiny(app.read_model, reach)
    return app


def tiny(model: ReadModel, reach: int) -> None:
    """A checkpoint after every fact, entries loaded two at a time, and the
    whole log folded instead when more than `reach` facts are left."""
    model.every, model.slice, model.reach = 1, 2, reach


def horizon(app: IncidentLogApplication, drawn: tuple[Any, ...]) -> Horizon:
    as_of_day, hour, known_day, bound = drawn
    as_of_day = as_of_day if isinstance(as_of_day, str) else day(as_of_day)
    as_of = as_of_day if hour is None else f"{as_of_day}T{hour:02d}:00:00Z"
    known_at = known_day if known_day is None or isinstance(known_day, str) else day(known_day)
    recorded_before: str | None = None
    if bound is not None:
        kind, value = bound
        recorded_before = str(value) if kind == "position" else _clock_text(value)
    return Horizon.parse(as_of, known_at, recorded_before, NOW)


def _clock_text(milliseconds: int) -> str:
    """A recording time: the fake clock moves a millisecond a reading."""
    return (CLOCK_START + timedelta(milliseconds=milliseconds)).isoformat()


def agree(app: IncidentLogApplication, drawn: tuple[Any, ...]) -> None:
    query = horizon(app, drawn)
    reference = project(app.entries(), query)
    assert comparable(app.state(query).to_json(explain=True)) == comparable(reference.to_json(explain=True)), query
    agree_on_views(app, query, reference)


def agree_on_views(app: IncidentLogApplication, query: Horizon, reference: StationState) -> int:
    """Where the versions answer for one vehicle or crew member, they answer
    as the fold does, fields and the events that set them, and explain every
    field as it does; for a view the fold does not have at the horizon they
    do not answer; nor does a vehicle's history differ from the fold's.
    Returns how many views answered."""
    everyone = project(app.entries(), Horizon(LATEST, LATEST)).picture
    answered = 0
    for kind, ids, views in ((VEHICLE, everyone.vehicles, reference.picture.vehicles),
                             (CREW, everyone.crew, reference.picture.crew)):
        for view_id in ids:
            version = app.read_model.view_at(kind, view_id, query)
            if version is None:
                continue
            answered += 1
            assert view_id in views, (kind, view_id, query)
            assert version.view.to_json() == views[view_id].to_json(), (kind, view_id, query)
            assert version.view.set_by == views[view_id].set_by, (kind, view_id, query)
            assert version.position == reference.position or query.recorded_before is not None
            explained = app.read_model.view_at(kind, view_id, query, explained=True)
            answer = VehicleAnswer if kind == VEHICLE else CrewAnswer
            assert explained is not None
            assert answer.of(explained, explained.view, explain=True).model_dump() == \
                answer.of(reference, views[view_id], explain=True).model_dump(), (kind, view_id, query)
    stations = app.read_model.stations_at(query)
    if stations is not None:
        assert {name: s.to_json() for name, s in stations.capacity.items()} == \
            {name: s.to_json() for name, s in reference.capacity.items()}, query
        assert list(stations.capacity) == list(reference.capacity)
        answered += 1
    for kind, ids in ((VEHICLE, everyone.vehicles), (CREW, everyone.crew)):  # `as_of` does not count
        for view_id in ids:
            kept = app.read_model.history_of(kind, view_id, query)
            if kept is not None:
                assert kept == history(app.entries(), query, kind, view_id), (kind, view_id, query)
    return answered


def append_all(app: IncidentLogApplication, events: list[dict[str, Any]], batch: int) -> None:
    for i in range(0, len(events), batch):
        app.append([Draft.from_json(e, uuid.uuid4) for e in events[i:i + batch]], "generator")


@PROPERTY
@given(logs(), st.integers(1, 4), st.sampled_from([3, 10**9]), st.lists(horizons, min_size=1, max_size=6),
       st.lists(horizons, min_size=1, max_size=6), st.tuples(st.booleans(), st.booleans()))
def test_the_read_model_answers_as_the_fold_does(fresh_store: Callable[[], str], events: list[dict[str, Any]],
                                                 batch: int, reach: int, early: list[tuple[Any, ...]],
                                                 late: list[tuple[Any, ...]], prepared: tuple[bool, bool]) -> None:
    app = opened(fresh_store(), reach)
    try:
        half = len(events) // 2
        append_all(app, events[:half], batch)
        if prepared[0]:  # as an import does: checkpoints along the log as known now
            app.prepare_read_model()
        for drawn in early:  # leaves checkpoints at these horizons
            agree(app, drawn)
        append_all(app, events[half:], batch)
        if prepared[1]:
            app.prepare_read_model()
        for drawn in [*late, *early]:  # some old checkpoints still hold, some must not be used
            agree(app, drawn)
    finally:
        app.close()


@PROPERTY
@given(logs(), st.lists(horizons, min_size=1, max_size=5))
def test_a_rebuilt_read_model_answers_as_the_kept_one(fresh_store: Callable[[], str],
                                                     events: list[dict[str, Any]],
                                                     asked: list[tuple[Any, ...]]) -> None:
    app = opened(fresh_store())
    try:
        append_all(app, events, 3)
        kept = [comparable(app.state(horizon(app, d)).to_json(explain=True)) for d in asked]
        indexed = app.rebuild_read_model()
        assert indexed == app.head
        assert [comparable(app.state(horizon(app, d)).to_json(explain=True)) for d in asked] == kept
    finally:
        app.close()


def test_prepared_checkpoints_reach_the_end_of_the_log_and_are_carried_on_from_there(store_url: str) -> None:
    app = opened(store_url)
    app.read_model.every = 5
    try:
        append_all(app, SCENARIO[:-5], 7)
        folded = app.prepare_read_model()
        assert folded > 0
        with app.database.reading() as rows:
            ends = rows.execute(f"SELECT MAX(valid_through), COUNT(*) FROM {app.read_model.checkpoints}").one()
            last = app.read_model.index.last_start(rows, app.head)
        assert ends is not None and last is not None
        assert ends[1] > 1  # along the log, not only at its end
        assert ends[0] == micros(day_end(from_micros(last)))  # every fact is in the last one
        assert app.prepare_read_model() == 0  # it still holds: nothing to fold again
        append_all(app, SCENARIO[-5:], 5)
        assert 0 < app.prepare_read_model() < folded  # carried on from the latest that holds
        query = horizon(app, ("2023-06-01", None, None, None))
        assert comparable(app.state(query).to_json(explain=True)) == comparable(
            project(app.entries(), query).to_json(explain=True))
    finally:
        app.close()


def test_one_view_is_read_from_its_versions_until_the_log_changes_at_its_time(store_url: str) -> None:
    """After `prepare`, every vehicle and crew member and the stations, "as
    known now" or at a past `known_at`, are read from their versions, as the
    fold has them, at any instant. A back-dated event stops them answering
    from its time on (the fold answers), never before; preparing again
    brings them back."""
    app = opened(store_url)
    try:
        append_all(app, SCENARIO, 7)

        def everyone_at(as_of: str, known_at: str | None = None) -> tuple[int, int]:
            query = horizon(app, (as_of, None, known_at, None))
            reference = project(app.entries(), query)
            return agree_on_views(app, query, reference), len(reference.picture.vehicles) + len(
                reference.picture.crew) + 1  # and the stations, all at once

        assert everyone_at("2022-12-20")[0] == 0  # nothing prepared: the fold answers
        app.prepare_read_model()
        now = horizon(app, ("2023-01-01", None, None, None))
        kept = app.read_model.history_of(VEHICLE, "soyuz-ms-22", now)
        assert kept is not None and len(kept) > 3 and kept == history(app.entries(), now, VEHICLE, "soyuz-ms-22")
        # A crew member's by id too, and `history` takes it from there rather than from a fold of the log.
        kept = app.read_model.history_of(CREW, "frank-rubio", now)
        assert kept is not None and len(kept) > 3 and kept == history(app.entries(), now, CREW, "frank-rubio")
        assert app.history(CREW, "frank-rubio", now) == kept
        assert not app._entries  # not folded from the log held in memory (`_everything`)
        for as_of in ("2022-09-21", "2022-12-15T02:00:00Z", "2022-12-20", "2023-03-28", "2023-09-27", "2024-06-01"):
            answered, views = everyone_at(as_of)
            assert answered == views > 0, as_of
        for as_of, known_at in (("2022-12-20", "2022-12-16"), ("2022-12-15T02:00:00Z", "2022-12-15T03:00:00Z"),
                                ("2022-12-16", "2023-01-11"), ("2023-03-28", "2023-03-01")):
            answered, views = everyone_at(as_of, known_at)
            assert answered == views > 0, (as_of, known_at)

        # Before the scenario's last facts (2023-01-11): back-dated, not news (`store.view_upkeep`).
        app.append([draft(event("VehicleDamageAssessed", "2023-01-05", reported_at=None, vehicle="soyuz-ms-22",
                                health="damaged", crewed_return="not_cleared"))], "test")
        before, after = everyone_at("2023-01-04"), everyone_at("2023-01-05")
        assert before[0] == before[1] and after[0] == 0
        before, after = everyone_at("2023-01-04", "2023-03-01"), everyone_at("2023-01-05", "2023-03-01")
        assert before[0] == before[1] and after[0] == 0
        assert app.read_model.view_at(VEHICLE, "soyuz-ms-22", horizon(app, ("2023-01-05", None, None, None))) is None
        assert app.read_model.history_of(VEHICLE, "soyuz-ms-22", now) is None  # it changed from 2023-01-05 on
        app.prepare_read_model()
        answered, views = everyone_at("2023-01-05")
        assert answered == views
        version = app.read_model.view_at(VEHICLE, "soyuz-ms-22", horizon(app, ("2023-01-05", None, None, None)))
        assert version is not None and isinstance(version.view, VehicleStatus)
        assert version.view.crewed_return == "not_cleared"
    finally:
        app.close()


def test_a_versions_table_of_other_columns_is_made_again_when_the_store_opens(store_url: str) -> None:
    app = opened(store_url)
    append_all(app, SCENARIO, 7)
    with app.database.writing() as rows:  # as an earlier shape made it
        rows.execute(f"DROP TABLE {app.read_model.versions}")
        rows.execute(f"CREATE TABLE {app.read_model.versions} (shape TEXT, series BIGINT, kind TEXT, view TEXT, "
                     "valid_from BIGINT, body TEXT)")
    app.close()
    reopened = opened(store_url)
    try:
        reopened.prepare_read_model()
        query = horizon(reopened, ("2022-12-20", None, None, None))
        version = reopened.read_model.view_at(VEHICLE, "soyuz-ms-22", query)
        assert version is not None
        assert version.view.to_json() == project(reopened.entries(), query).picture.vehicles["soyuz-ms-22"].to_json()
    finally:
        reopened.close()


def test_a_store_from_before_the_read_model_is_indexed_when_opened(store_url: str) -> None:
    app = opened(store_url)
    append_all(app, SCENARIO, 5)
    wanted = comparable(app.state(horizon(app, ("2022-12-20", None, None, None))).to_json())
    with app.database.writing() as rows:  # as if the read model had never been there
        app.read_model.clear(rows)
        rows.execute(f"DELETE FROM {app.read_model.index.meta}")
    app.close()
    reopened = opened(store_url)
    try:
        assert comparable(reopened.state(horizon(reopened, ("2022-12-20", None, None, None))).to_json()) == wanted
    finally:
        reopened.close()


def test_checkpoints_of_another_shape_are_never_used(store_url: str) -> None:
    app = opened(store_url)
    try:
        append_all(app, SCENARIO, 5)
        app.state(horizon(app, ("2023-03-01", None, None, None)))  # leaves checkpoints
        with app.database.reading() as rows:
            kept = rows.execute(f"SELECT COUNT(*) FROM {app.read_model.checkpoints}").one()
        assert kept is not None and kept[0] > 0
        with app.database.writing() as rows:
            rows.execute(f"UPDATE {app.read_model.checkpoints} SET shape = 'older code', picture = ?", (b"{}",))
        # Not used (the picture above would fail to load) and gone once the store opens again.
        assert app.state(horizon(app, ("2023-03-01", None, None, None))).picture is not None
        with app.database.writing() as rows:
            app.read_model.create(rows)
            left = rows.execute(f"SELECT COUNT(*) FROM {app.read_model.checkpoints} WHERE shape <> ?",
                                (app.read_model.shape,)).one()
        assert left == (0,)
    finally:
        app.close()



@pytest.mark.parametrize("rests_later", [False, True], ids=["rested-on-first", "rested-on-after-the-correction"])
def test_evidence_the_picture_cannot_see_still_tells_knowledge_levels_apart(store_url: str, rests_later: bool) -> None:
    """An observation changes no picture, but an assessment resting on it
    counts from its time: correcting that time reorders the assessments of
    that day. A checkpoint made knowing the correction must not answer a
    question asked as known before it, whether the assessment came to rest
    on the observation before the correction was written or after."""
    observation = str(uuid.uuid4())
    app = opened(store_url)
    resting = draft(event("VehicleDamageAssessed", "2022-10-10", vehicle="capsule", health="damaged",
                          crewed_return="not_cleared", based_on=[observation]))
    try:
        app.append([draft(vehicle("capsule", occurred_at="2022-09-01")),
                    draft(event("ObservationRecorded", "2022-10-10T10:00:00Z", event_id=observation,
                                reported_at="2022-10-10T18:00:00Z", vehicle="capsule", description="pressure test")),
                    *([] if rests_later else [resting]),
                    draft(event("VehicleDamageAssessed", "2022-10-10T12:00:00Z", vehicle="capsule",
                                health="nominal", crewed_return="cleared"))], "test")
        app.append([draft(event("EntryCorrected", "2022-11-20", target=observation, reason="the test ended later",
                                changes={"occurred_at": "2022-10-10T14:00:00Z"}))], "test")
        if rests_later:
            app.append([resting], "test")
        # Known now, then as known on 2022-11-07 (day 310), before the correction.
        for drawn in [("2022-10-20", None, None, None), ("2022-10-20", None, 330, None),
                      ("2022-10-25", None, 310, None), ("2022-10-12", None, 312, None)]:
            agree(app, drawn)  # known now first: its checkpoints are the ones that must not be reused
        later = app.state(horizon(app, ("2022-10-20", None, None, None))).picture.vehicles["capsule"]
        earlier = app.state(horizon(app, ("2022-10-20", None, 310, None))).picture.vehicles["capsule"]
        assert (later.health, earlier.health) == ("damaged", "nominal")  # the case is what it says
    finally:
        app.close()


def test_the_span_of_the_log_comes_from_the_index_and_follows_corrections(store_url: str) -> None:
    """The first and last times the log names (the page's sliders span them):
    events as told and as corrected, and every reporting time."""
    app = opened(store_url)
    leak = str(uuid.uuid4())
    try:
        assert app.span_after(0) is None
        app.append([draft(vehicle("capsule", occurred_at="2022-09-01")),
                    draft(event("LeakDetected", "2022-12-14", event_id=leak, reported_at="2023-01-11",
                                vehicle="capsule", system="cooling", description="coolant leak"))], "test")
        assert app.span_after(0) == (2, datetime(2022, 9, 1, tzinfo=UTC), datetime(2023, 1, 11, tzinfo=UTC))
        app.append([draft(event("EntryCorrected", "2023-02-01", target=leak, reason="it started earlier",
                                changes={"occurred_at": "2022-08-20"}))], "test")
        first, last = app.span_after(0)[1:]  # type: ignore[index]
        assert (first.date(), last.date()) == (date(2022, 8, 20), date(2023, 2, 1))
        assert app.span_after(2)[1:] == (first, last)  # type: ignore[index]  # only the correction is after 2
        assert app.span_after(3) is None
    finally:
        app.close()


def test_a_past_level_jumps_ahead_on_the_present_where_the_two_agree_again(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan corrected long after was rescheduled soon after it was made: as
    known before the correction, the fold differs from today's only until the
    reschedule, then jumps ahead on today's checkpoints, up to the next thing
    the two levels disagree about (another plan, corrected too), and answers
    as the fold of the whole log does."""
    app = opened(store_url)
    schedule, later = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        app.append([draft(vehicle("capsule", occurred_at="2022-01-01")),
                    draft(vehicle("spare", occurred_at="2022-01-01")),
                    draft(event("LaunchScheduled", "2022-01-10", event_id=schedule, vehicle="capsule",
                                target="2022-03", crew=[])),
                    draft(event("LaunchScheduled", "2022-01-20", vehicle="capsule", target="2022-04", crew=[])),
                    *(draft(vehicle(f"spare-{day}", occurred_at=f"2022-02-{day:02d}")) for day in range(1, 28)),
                    draft(event("LaunchScheduled", "2022-02-20", event_id=later, vehicle="spare",
                                target="2022-07", crew=[]))], "test")
        app.append([draft(event("EntryCorrected", "2022-06-01", target=schedule, reason="the date was wrong",
                                changes={"target": "2022-05"})),
                    draft(event("EntryCorrected", "2022-06-01", target=later, reason="the date was wrong",
                                changes={"target": "2022-08"}))], "test")
        agree(app, ("2022-03-01", None, None, None))  # as known now: checkpoints along the log
        jumps: list[datetime] = []
        jump = read_model._Guide.jump

        def counted(guide: read_model._Guide, folded: Any, at: datetime) -> Any:
            ahead = jump(guide, folded, at)
            if ahead is not None:
                jumps.append(ahead[0])
            return ahead

        monkeypatch.setattr(read_model._Guide, "jump", counted)
        agree(app, ("2022-02-25", None, 120, None))  # as known on 2022-05-01, before the correction
        assert [moment.date() for moment in jumps] == [date(2022, 2, 19)]  # from the reschedule to the next plan
    finally:
        app.close()


def test_a_stations_capacity_follows_the_lifeboat_of_someone_aboard_wherever_it_is(store_url: str) -> None:
    """A member aboard one station whose lifeboat is docked at another: a late
    ruling on the lifeboat changes the first station's capacity from the
    ruling's time, as known from its report, read from the kept views."""
    app = opened(store_url)
    try:
        events = [*docked_with_crew("boat", ["ann"], "2022-09-21", station="alpha"),
                  *docked_with_crew("ferry", ["bob"], "2022-09-22", station="beta"),
                  event("LifeboatAssigned", "2022-09-23", crew_member="bob", vehicle="boat"),
                  event("VehicleDamageAssessed", "2022-09-24", reported_at="2022-10-01", vehicle="boat",
                        health="damaged", crewed_return="not_cleared")]
        append_all(app, events, 3)
        app.prepare_read_model()
        for as_of, known_at in (("2022-09-23", None), ("2022-09-24", "2022-09-30"), ("2022-09-24", "2022-10-01"),
                                ("2022-09-24", None)):
            query = Horizon.parse(as_of, known_at, None, NOW)
            kept = app.read_model.stations_at(query)
            assert kept is not None, (as_of, known_at)
            assert {k: c.to_json() for k, c in kept.capacity.items()} == \
                {k: c.to_json() for k, c in project(app.entries(), query).capacity.items()}, (as_of, known_at)
        late = app.read_model.stations_at(Horizon.parse("2022-09-24", None, None, NOW))
        assert late is not None and late.capacity["beta"].lifeboats[0].crewed_return == "not_cleared"
    finally:
        app.close()


def test_prepare_goes_through_only_the_levels_a_back_dated_event_reported_today_changes(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows of the levels before the report are copied from the last
    series; the levels before it are gone through as one; every view at
    every level still answers as the fold does."""
    went: list[int] = []

    class Counted(read_model.KnowledgeLevels):
        def rows(self, after: datetime | None = None) -> Any:
            yield from super().rows(after)
            went.append(self.gone_through)

    monkeypatch.setattr(read_model, "KnowledgeLevels", Counted)
    app = opened(store_url)
    try:
        append_all(app, SCENARIO, 7)
        app.prepare_read_model()
        app.append([draft(event("VehicleDamageAssessed", "2022-12-20", reported_at=None, vehicle="soyuz-ms-22",
                                health="damaged", crewed_return="not_cleared"))], "test")
        app.prepare_read_model()
        assert went[0] > 2 and went[1] == 2  # the levels before the report as one, then its own
        for as_of, known_at in (("2022-12-20", None), ("2022-12-20", "2023-01-11"), ("2022-12-16", "2022-12-15"),
                                ("2023-06-01", "2023-12-31"), ("2023-06-01", None)):
            query = horizon(app, (as_of, None, known_at, None))
            reference = project(app.entries(), query)
            assert agree_on_views(app, query, reference) == len(reference.picture.vehicles) + len(
                reference.picture.crew) + 1, (as_of, known_at)
    finally:
        app.close()
