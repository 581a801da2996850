"""Readable tables for a terminal: the log, the station picture, one vehicle or crew member.

Scripts should use ``--json``; these tables are for people and may change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from domain.entry import Entry
from projections.capacity import StationCapacity
from projections.picture import CrewPlan, IncidentFile, Tracked, VehicleStatus
from projections.state import StationsAt, StationState, ViewAt

SUMMARY_WIDTH = 80
WIDE_ENOUGH_FOR_SOURCE = 120
NONE = "–"


def log_table(entries: Iterable[Entry], width: int) -> Table:
    """One row per event; the source only when there is room (`log --json` has it all)."""
    with_source = width >= WIDE_ENOUGH_FOR_SOURCE
    table = _table()
    table.add_column("pos", justify="right", no_wrap=True)
    table.add_column("occurred", no_wrap=True)
    table.add_column("reported", no_wrap=True)
    table.add_column("type", no_wrap=True, style="bold")
    table.add_column("summary", overflow="fold")
    table.add_column("written by", overflow="fold", max_width=30)
    if with_source:
        table.add_column("source", overflow="fold", max_width=40, style="dim")
    for entry in entries:
        row = [str(entry.position), entry.occurred_at.isoformat(), entry.reported_at.isoformat(), entry.type,
               summarize(entry.payload.to_json()), written_by(entry.actor, entry.on_behalf_of)]
        table.add_row(*row, *([entry.source] if with_source else []))
    return table


def written_by(actor: str, on_behalf_of: str | None) -> str:
    """The writer, and whose record it is when not the writer's own."""
    return f"{actor} for {on_behalf_of}" if on_behalf_of else actor


def summarize(data: dict[str, Any], width: int = SUMMARY_WIDTH) -> str:
    """A payload in one short line: ``vehicle=soyuz-2 station=iss crew=a,b``."""
    parts = []
    for name, value in data.items():
        if value is None or value == [] or value == "":
            continue
        shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{name}={shown}")
    text = " ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def horizon_line(state: StationState | StationsAt | ViewAt) -> Text:
    horizon = state.horizon
    text = Text.assemble("As of ", (moment(horizon.as_of), "bold"), ", known at ", (moment(horizon.known_at), "bold"))
    bound = horizon.recorded_before
    if bound is not None:
        text.append(f", as recorded by {f'position {bound}' if isinstance(bound, int) else moment(bound)}")
    text.append(f" (drawn from the log up to position {state.position})", style="dim")
    return text


def moment(at: datetime) -> str:
    """A query bound for people: the end of a day as that day, else to the second."""
    at = at.astimezone(UTC)
    if at.time() == time.max:
        return f"end of {at.date().isoformat()}"
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def state_view(state: StationState, explain: bool = False) -> RenderableType:
    parts: list[RenderableType] = [horizon_line(state)]
    picture = state.picture
    if picture.vehicles:
        parts.append(vehicles_table(picture.vehicles[k] for k in sorted(picture.vehicles)))
    if picture.crew:
        parts.append(crew_table(picture.crew[k] for k in sorted(picture.crew)))
    if state.capacity:
        parts.append(capacity_table(state.capacity.values()))
    if picture.incidents:
        parts.append(incidents_table(picture.incidents[k] for k in sorted(picture.incidents)))
    if not (picture.vehicles or picture.crew or picture.incidents):
        parts.append(Text("Nothing is known at this horizon.", style="dim"))
    if explain:
        views: list[Tracked] = [*picture.vehicles.values(), *picture.crew.values()]
        parts.extend(detail_table(view, state.view_json(view, True)["explain"]) for view in views)
    return Group(*parts)


def vehicles_table(vehicles: Iterable[VehicleStatus]) -> Table:
    table = _table(title="Vehicles")
    for column in ("id", "location", "station", "health", "crewed return", "launch crew", "return crew",
                   "planned launch", "planned return"):
        table.add_column(column, overflow="fold")
    for v in vehicles:
        station = f"{v.station} {v.port}" if v.station and v.port else v.station
        table.add_row(Text(v.id, style="bold"), v.location, _text(station), _health(v.health),
                      _clearance(v.crewed_return), _list(v.launch_crew),
                      _list(v.return_crew), _text(v.planned_launch), _text(v.planned_return))
    return table


def crew_table(crew: Iterable[CrewPlan]) -> Table:
    table = _table(title="Crew")
    for column in ("id", "name", "aboard", "launch vehicle", "arrived on", "return vehicle", "lifeboat",
                   "planned return", "extended"):
        table.add_column(column, overflow="fold")
    for c in crew:
        aboard = Text(f"yes ({c.station})" if c.station else "yes", style="green") if c.aboard else Text("no")
        table.add_row(Text(c.id, style="bold"), c.name, aboard, _text(c.launch_vehicle), _text(c.arrived_on),
                      _text(c.return_vehicle), _text(c.lifeboat), _text(c.planned_return),
                      "yes" if c.mission_extended else "no")
    return table


def capacity_table(stations: Iterable[StationCapacity]) -> Group:
    """Seats against crew per station, then every alert on a line of its own."""
    table = _table(title="Station capacity")
    for column in ("station", "aboard", "cleared seats", "emergency seats", "shortfall"):
        table.add_column(column, no_wrap=True)
    alerts: list[Text] = []
    for s in stations:
        shortfall = Text(str(s.shortfall), style="bold red" if s.shortfall else "green")
        table.add_row(Text(s.station, style="bold"), str(len(s.crew_aboard)), str(s.cleared_seats),
                      str(s.emergency_seats), shortfall)
        alerts.extend(Text.assemble(("! ", "bold red"), f"{s.station}: {alert}") for alert in s.alerts)
    return Group(table, *alerts)


def incidents_table(incidents: Iterable[IncidentFile]) -> Table:
    table = _table(title="Incidents")
    for column in ("id", "title", "status", "vehicles", "opened", "events"):
        table.add_column(column, overflow="fold")
    for i in incidents:
        table.add_row(Text(i.id, style="bold"), i.title, i.status, _list(i.vehicles), _text(i.opened_at),
                      str(len(i.timeline)))
    return table


def detail_table(view: Tracked, explanations: dict[str, Any] | None = None) -> Table:
    """One vehicle, crew member or incident, field by field; with `explanations`
    (a view's ``explain`` JSON), the event that set each field."""
    body = view.to_json()
    table = _table(title=f"{_kind(view)} {body.get('id', '')}", show_header=explanations is not None)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    if explanations is not None:
        table.add_column("set by", overflow="fold", style="dim")
        table.add_column("evidence", justify="right", style="dim")
    for name, value in body.items():
        if name.endswith("_window"):
            continue  # a target date's structured form, for programs; its text is shown already
        shown = _list(value) if isinstance(value, list) else _text(value)
        if explanations is None:
            table.add_row(name, shown)
            continue
        explained = explanations.get(name) or {}
        evidence = explained.get("evidence") or []
        table.add_row(name, shown, set_by(explained.get("set_by")), str(len(evidence)) if evidence else "")
    return table


def set_by(event: dict[str, Any] | None) -> str:
    """The event behind a field, in a few words: ``LeakDetected 2022-12-14 (#26, d39f80ab)``."""
    if not event:
        return ""
    if "type" not in event:
        return str(event.get("id", ""))
    return f"{event['type']} {event.get('occurred_at', '')} (#{event.get('position', '?')}, {event['id'][:8]})"


def _table(title: str | None = None, show_header: bool = True) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", show_header=show_header,
                 box=box.SIMPLE_HEAD, header_style="bold dim")


def _kind(view: Tracked) -> str:
    return {VehicleStatus: "Vehicle", CrewPlan: "Crew member", IncidentFile: "Incident"}.get(type(view), "View")


def _text(value: object) -> Text:
    if value is None:
        return Text(NONE, style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    return Text(str(value))


def _list(values: list[Any]) -> Text:
    return Text(", ".join(map(str, values))) if values else Text(NONE, style="dim")


def _health(health: str) -> Text:
    return Text(health, style={"nominal": "green", "degraded": "yellow"}.get(health, "bold red"))


def _clearance(clearance: str) -> Text:
    style = {"cleared": "green", "emergency_only": "yellow", "not_applicable": "dim"}.get(clearance, "bold red")
    return Text(clearance, style=style)


def explanation(body: dict[str, Any]) -> RenderableType:
    """One field's value, the event that set it, and the evidence chain beneath;
    a derived value (a return crew) through each of its parts."""
    head = Text.assemble((f"{body['field']} = ", "bold"), _plain(body.get("value")))
    if body.get("parts"):
        return Group(head, *(part_explanation(part) for part in body["parts"]))
    return Group(head, evidence_table(body))


def part_explanation(part: dict[str, Any]) -> RenderableType:
    """One part of a derived value: the field of another view it counts, explained in turn."""
    counted = "" if part.get("counted", True) else " (considered, not counted)"
    label = Text(f"\n{part['subject']} {part['id']}: {part['field']} = {_plain(part.get('value'))}{counted}",
                 style="bold")
    return Group(label, evidence_table(part))


def evidence_table(body: dict[str, Any]) -> RenderableType:
    """The event that set a value, then the evidence it rests on."""
    if not body.get("set_by"):
        return Text("set by no event (a default)", style="dim")
    table = _table(title="set by, then the evidence it rests on (nearest first)")
    for column in ("event", "occurred", "reported", "source"):
        table.add_column(column, overflow="fold", no_wrap=column != "source")
    for depth, event in enumerate([body["set_by"], *body.get("evidence", [])]):
        if event.get("known") is False:
            table.add_row(event["id"][:8], "", "", Text(event.get("note", ""), style="dim"))
            continue
        name = f"{event['type']} ({event['id'][:8]})" if depth else Text(f"{event['type']} ({event['id'][:8]})",
                                                                        style="bold")
        table.add_row(name, event["occurred_at"], event["reported_at"], event["source"])
    return table


def history_table(subject: str, changes: list[dict[str, Any]]) -> Table:
    """Each change over valid time, with the event that caused it."""
    table = _table(title=f"History of {subject}")
    table.add_column("occurred", no_wrap=True)
    table.add_column("event", no_wrap=True)
    table.add_column("changes", overflow="fold")
    for change in changes:
        described = "; ".join(f"{field}: {_plain(diff['from'])} → {_plain(diff['to'])}"
                              for field, diff in change["changes"].items()
                              if not field.endswith("_window"))  # the text beside it says the same
        event = change["event"]
        table.add_row(change["occurred_at"], f"{event['type']} ({event['id'][:8]})", described)
    return table


def event_record(record: dict[str, Any]) -> RenderableType:
    """An event as written, what amends it, and what is believed of it."""
    parts: list[RenderableType] = [log_table_row_json(record, "As written")]
    for amendment in record["amendments"]:
        parts.append(log_table_row_json(amendment, f"Amended by {amendment['type']}"))
    if record["retracted"]:
        parts.append(Text("Retracted: not believed.", style="bold red"))
    elif record["amendments"] and record["believed"]:
        parts.append(log_table_row_json(record["believed"], "As believed"))
    return Group(*parts)


def log_table_row_json(event: dict[str, Any], title: str) -> Table:
    table = _table(title=title, show_header=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name in ("id", "type", "occurred_at", "reported_at", "recorded_at", "position", "source", "actor",
                 "on_behalf_of"):
        if event.get(name) is not None:  # on_behalf_of only when someone else's record
            table.add_row(name, _text(event[name]))
    table.add_row("data", summarize(event.get("data", {}), 200))
    return table


def _plain(value: Any) -> str:
    if value is None:
        return NONE
    if isinstance(value, list):
        return ", ".join(map(str, value)) or NONE
    return str(value)


def capacity_view(state: StationState | StationsAt) -> RenderableType:
    """Seats against crew, and each person's lifeboat: can everyone aboard get home?"""
    if not state.capacity:
        return Group(horizon_line(state), Text("No station is named in the log by this horizon.", style="dim"))
    table = _table(title="Lifeboats")
    for column in ("station", "crew member", "lifeboat", "docked", "crewed return"):
        table.add_column(column, no_wrap=True)
    for s in state.capacity.values():
        for check in s.lifeboats:
            table.add_row(s.station, check.crew_member, _text(check.lifeboat), _text(check.docked),
                          _clearance(check.crewed_return) if check.crewed_return else _text(None))
    return Group(horizon_line(state), capacity_table(state.capacity.values()), table, seats_table(state))


def seats_table(state: StationState | StationsAt) -> Table:
    """Each docked vehicle's seats against the lifeboat assignments of the crew aboard."""
    table = _table(title="Seats and lifeboat assignments")
    for column in ("station", "vehicle", "seats", "crewed return", "lifeboat for", "over-assigned"):
        table.add_column(column, overflow="fold")
    for s in state.capacity.values():
        for vehicle in s.seats:
            over = Text(str(vehicle.over_assigned), style="bold red") if vehicle.over_assigned else Text("0")
            table.add_row(s.station, vehicle.vehicle, str(vehicle.seats), _clearance(vehicle.crewed_return),
                          _list(vehicle.assigned), over)
    return table
