"""Commands that ask the station picture at a horizon: `state`, `capacity`,
`vehicle`, `crew`, `explain`, `history` and `event`."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import typer

from cli import render
from cli.app import (
    USAGE,
    AsOf,
    Explain,
    Json,
    KnownAt,
    RecordedBefore,
    _capacity_or_station,
    _find_subject,
    _horizon,
    _known,
    _print_answer,
    _print_json,
    _show,
    _station_at,
    _stdout,
    _subject_at,
    _view_or_station,
    app,
    fail,
    open_log,
)
from projections.picture import VehicleStatus
from projections.state import StationState
from projections.versions import CREW, VEHICLE


@app.command()
def state(
    ctx: typer.Context,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
    explain: Explain = False,
) -> None:
    """The station picture at a horizon: vehicles, crew, station capacity, incidents."""
    with _station_at(ctx, as_of, known_at, recorded_before) as station:
        if as_json:
            from answers import StateAnswer  # the answers (pydantic) load only for JSON: tables start faster

            _print_answer(StateAnswer.of(station, explain))
        else:
            _stdout().print(render.state_view(station, explain))


@app.command()
def capacity(
    ctx: typer.Context,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """Seats against crew at each station, and each person's lifeboat: can everyone get home?"""
    with _capacity_or_station(ctx, as_of, known_at, recorded_before) as station:
        if as_json:
            from answers import CapacityAnswer

            _print_answer(CapacityAnswer.of(station))
        else:
            _stdout().print(render.capacity_view(station))


@app.command()
def vehicle(
    ctx: typer.Context,
    vehicle_id: Annotated[str, typer.Argument(
        metavar="ID", show_default=False, help="The vehicle's id (e.g. cargo-ship-3) or its name.")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
    explain: Explain = False,
) -> None:
    """One vehicle at a horizon: location, health, crewed-return clearance, crews, plans."""
    with _view_or_station(ctx, VEHICLE, vehicle_id, as_of, known_at, recorded_before, explain) as station:
        found = station.find_vehicle(vehicle_id)
        if found is None:  # not found in a whole picture: a version is always found
            assert isinstance(station, StationState)
            fail(f"no vehicle {vehicle_id!r} at this horizon{_known(station.picture.vehicles)}")
        _show(found, station, as_json, explain)


@app.command()
def crew(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        metavar="NAME_OR_ALIAS", show_default=False,
        help="A crew member's id, name or any alias (case and accents do not matter).")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
    explain: Explain = False,
) -> None:
    """One crew member's plan at a horizon: aboard, return vehicle, lifeboat, planned return."""
    with _view_or_station(ctx, CREW, name, as_of, known_at, recorded_before, explain) as station:
        found = station.find_crew(name)
        if found is None:  # not found in a whole picture: a version is always found
            assert isinstance(station, StationState)
            fail(f"no crew member with id, name or alias {name!r} at this horizon{_known(station.picture.crew)}")
        _show(found, station, as_json, explain)


Subject = Annotated[str, typer.Argument(
    metavar="VEHICLE_OR_CREW", show_default=False,
    help="A vehicle's id or name, or a crew member's id, name or alias.")]


@app.command("explain")
def explain_field(
    ctx: typer.Context,
    subject: Subject,
    field: Annotated[str, typer.Argument(metavar="FIELD", show_default=False,
                                         help="A field of its view, e.g. crewed_return or return_vehicle.")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """Why a field has its value: the event that set it, and the evidence chain behind that event."""
    with _subject_at(ctx, subject, as_of, known_at, recorded_before) as (station, view):
        fields = view.to_json()
        if field not in fields:
            fail(f"{field!r} is not a field of {subject!r}; its fields are {', '.join(fields)}", USAGE)
        if as_json:
            from answers import FieldAnswer

            _print_answer(FieldAnswer.of(station, view, field))
        else:
            _stdout().print(render.horizon_line(station), render.explanation(station.explain(view, field)))


@app.command()
def history(
    ctx: typer.Context,
    subject: Subject,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """Each change of a vehicle's status or a crew member's plan over valid time, with the
    event that caused it, as known at --known-at."""
    with open_log(ctx) as application:
        horizon = _horizon(application, None, known_at, recorded_before)
        view = _find_subject(application.state(horizon), subject)
        kind: Literal["vehicle", "crew"] = "vehicle" if isinstance(view, VehicleStatus) else "crew"
        changes = application.history(kind, view.id, horizon) or []
    if as_json:
        from answers import CrewHistory, VehicleHistory

        _print_answer(VehicleHistory.of(view.id, horizon, changes) if kind == "vehicle"
                      else CrewHistory.of(view.id, horizon, changes))
    else:
        _stdout().print(render.history_table(view.id, changes))


@app.command("event")
def show_event(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(metavar="EVENT_ID", show_default=False, help="The event's id.")],
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """One event as written, the corrections and retractions naming it, and what is believed of it."""
    try:
        wanted = uuid.UUID(event_id)
    except ValueError:
        fail(f"{event_id!r} is not an event id (a UUID)", USAGE)
    with open_log(ctx) as application:
        horizon = _horizon(application, None, known_at, recorded_before)
        record = application.event_record(wanted, horizon)
    if record is None:
        fail(f"no event {event_id} in the log")
    if as_json:
        _print_json(record.to_json())
    else:
        _stdout().print(render.event_record(record.to_json()))


