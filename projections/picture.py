"""The station picture: every vehicle's status, every crew member's plan and
every incident's case file, folded from events in valid-time order.

`evolve(picture, entry)` applies one event. Every field it sets remembers the
event that set it (`set_by`), so any projected value can say where it came
from. Nothing here knows a particular incident: the rules are about kinds of
events (a leak damages a vehicle and puts its crewed return under review; a
docking brings the people inside aboard).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any
from uuid import UUID

from domain import vocabulary as v
from domain.entry import Entry


@dataclass
class Tracked:
    """A view whose fields remember which event set them."""

    set_by: dict[str, UUID] = field(default_factory=dict, repr=False, compare=False)

    def set(self, entry: Entry, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)
            self.set_by[name] = entry.id

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "set_by"}


@dataclass
class VehicleStatus(Tracked):
    id: str = ""
    name: str = ""
    kind: str = ""
    seats: int = 0
    location: str = "on_ground"  # on_ground, scheduled, in_flight, docked, undocked, landed
    station: str | None = None
    port: str | None = None
    health: str = "nominal"
    crewed_return: str = "cleared"  # or emergency_only, not_cleared, under_review, not_applicable
    crewed_return_condition: str | None = None
    mission: str | None = None
    launch_crew: list[str] = field(default_factory=list)
    occupants: list[str] = field(default_factory=list)  # inside it while in flight
    return_crew: list[str] = field(default_factory=list)  # derived: whose return vehicle it is
    planned_launch: str | None = None
    planned_return: str | None = None
    open_incidents: list[str] = field(default_factory=list)


@dataclass
class CrewPlan(Tracked):
    id: str = ""
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    agency: str = ""
    aboard: bool = False
    station: str | None = None
    launch_vehicle: str | None = None
    planned_launch: str | None = None
    arrived_on: str | None = None
    return_vehicle: str | None = None
    lifeboat: str | None = None
    planned_return: str | None = None
    mission_extended: bool = False


@dataclass
class IncidentFile(Tracked):
    id: str = ""
    title: str = ""
    vehicles: list[str] = field(default_factory=list)
    status: str = "open"  # open, under_investigation, cause_determined, closed
    opened_at: str | None = None
    timeline: list[str] = field(default_factory=list)  # event ids, in valid time


@dataclass
class Picture:
    vehicles: dict[str, VehicleStatus] = field(default_factory=dict)
    crew: dict[str, CrewPlan] = field(default_factory=dict)
    incidents: dict[str, IncidentFile] = field(default_factory=dict)

    # An event may name a vehicle or person whose registration is not visible
    # at this horizon (registered later in valid time, or reported later).
    # They still appear, known by id only, rather than being silently dropped.
    def vehicle(self, vehicle_id: str) -> VehicleStatus:
        if vehicle_id not in self.vehicles:
            self.vehicles[vehicle_id] = VehicleStatus(id=vehicle_id, name=vehicle_id)
        return self.vehicles[vehicle_id]

    def incident(self, incident_id: str) -> IncidentFile:
        if incident_id not in self.incidents:
            self.incidents[incident_id] = IncidentFile(id=incident_id, title=incident_id)
        return self.incidents[incident_id]

    def member(self, crew_id: str) -> CrewPlan:
        if crew_id not in self.crew:
            self.crew[crew_id] = CrewPlan(id=crew_id, name=crew_id)
        return self.crew[crew_id]


def fold(entries: Iterable[Entry]) -> Picture:
    """The picture after the given events, which must be in valid-time order."""
    picture = Picture()
    for entry in entries:
        evolve(picture, entry)
    derive_return_crews(picture)
    return picture


def evolve(picture: Picture, entry: Entry) -> Picture:
    for incident in entry.incidents:
        picture.incident(incident).timeline.append(str(entry.id))
    handler = _HANDLERS.get(type(entry.payload))
    if handler is not None:
        handler(picture, entry)
    return picture


# --- Fleet ------------------------------------------------------------------


def _vehicle_registered(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.vehicle(d.id).set(e, name=d.name, kind=d.kind, seats=d.seats,
                        crewed_return=_clearance_for(d.seats, "cleared"))


def _launch_scheduled(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    vehicle = p.vehicle(d.vehicle)
    for dropped in set(vehicle.launch_crew) - set(d.crew):
        member = p.member(dropped)
        if member.launch_vehicle == d.vehicle and not vehicle_has_flown(vehicle):
            member.set(e, launch_vehicle=None, planned_launch=None)
    vehicle.set(e, launch_crew=list(d.crew), planned_launch=str(d.target), mission=d.mission)
    if vehicle.location in ("on_ground", "landed"):
        vehicle.set(e, location="scheduled")
    for member_id in d.crew:
        p.member(member_id).set(e, launch_vehicle=d.vehicle, planned_launch=str(d.target))


def _return_scheduled(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.vehicle(d.vehicle).set(e, planned_return=str(d.target))


def _vehicle_launched(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    vehicle = p.vehicle(d.vehicle)
    vehicle.set(e, location="in_flight", station=None, port=None, launch_crew=list(d.crew),
                occupants=list(d.crew))
    if d.mission:
        vehicle.set(e, mission=d.mission)
    for member_id in d.crew:
        p.member(member_id).set(e, launch_vehicle=d.vehicle, aboard=False, station=None)


def _vehicle_docked(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    vehicle = p.vehicle(d.vehicle)
    boarding = list(d.crew) if d.crew is not None else list(vehicle.occupants)
    vehicle.set(e, location="docked", station=d.station, port=d.port, occupants=[])
    for member_id in boarding:
        # Their seat came with them: the vehicle they arrived in is their lifeboat
        # until a LifeboatAssigned moves it.
        p.member(member_id).set(e, aboard=True, station=d.station, arrived_on=d.vehicle, lifeboat=d.vehicle)


def _vehicle_undocked(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.vehicle(d.vehicle).set(e, location="undocked", station=None, port=None, occupants=list(d.crew))
    for member_id in d.crew:
        p.member(member_id).set(e, aboard=False, station=None)


def _vehicle_landed(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.vehicle(d.vehicle).set(e, location="landed", station=None, port=None, occupants=[])
    for member_id in d.crew:
        p.member(member_id).set(e, aboard=False, station=None)


def _seat_capacity_changed(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    vehicle = p.vehicle(d.vehicle)
    vehicle.set(e, seats=d.seats)
    if d.seats == 0:
        vehicle.set(e, crewed_return="not_applicable")
    elif vehicle.crewed_return == "not_applicable":
        vehicle.set(e, crewed_return="cleared" if vehicle.health == "nominal" else "under_review")


# --- Crew -------------------------------------------------------------------


def _crew_member_registered(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.member(d.id).set(e, name=d.name, agency=d.agency, aliases=list(d.aliases))


def _return_vehicle_assigned(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.member(d.crew_member).set(e, return_vehicle=d.vehicle, planned_return=str(d.planned_return))


def _lifeboat_assigned(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.member(d.crew_member).set(e, lifeboat=d.vehicle)


def _mission_extended(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    for member_id in d.crew:
        p.member(member_id).set(e, mission_extended=True, planned_return=str(d.planned_return))


# --- Incident ---------------------------------------------------------------


def _incident_opened(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    incident = p.incident(d.id)
    if str(e.id) not in incident.timeline:
        incident.timeline.append(str(e.id))
    incident.set(e, title=d.title, vehicles=list(d.vehicles), opened_at=e.occurred_at.isoformat())
    for vehicle_id in d.vehicles:
        vehicle = p.vehicle(vehicle_id)
        vehicle.set(e, open_incidents=[*vehicle.open_incidents, d.id])


def _leak_detected(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    vehicle = p.vehicle(d.vehicle)
    vehicle.set(e, health="damaged", crewed_return=_clearance_for(vehicle.seats, "under_review"),
                crewed_return_condition=None)


def _damage_assessed(p: Picture, e: Entry) -> None:
    d: Any = e.payload
    p.vehicle(d.vehicle).set(e, health=d.health, crewed_return=_clearance_for(
        p.vehicle(d.vehicle).seats, d.crewed_return), crewed_return_condition=d.condition)


INCIDENT_STATUSES = ("open", "under_investigation", "cause_determined", "closed")


def _incident_status(status: str) -> Callable[[Picture, Entry], None]:
    """An incident's status only moves forward: a finding issued the same day
    the commission was convened leaves the cause determined, in either order."""
    def advance(p: Picture, e: Entry) -> None:
        for incident_id in e.incidents:
            incident = p.incident(incident_id)
            if INCIDENT_STATUSES.index(status) > INCIDENT_STATUSES.index(incident.status):
                incident.set(e, status=status)
    return advance


def _incident_closed(p: Picture, e: Entry) -> None:
    _incident_status("closed")(p, e)
    for incident_id in e.incidents:
        for vehicle in p.vehicles.values():
            if incident_id in vehicle.open_incidents:
                vehicle.set(e, open_incidents=[i for i in vehicle.open_incidents if i != incident_id])


_HANDLERS: dict[type[v.Payload], Callable[[Picture, Entry], None]] = {
    v.VehicleRegistered: _vehicle_registered,
    v.LaunchScheduled: _launch_scheduled,
    v.ReturnScheduled: _return_scheduled,
    v.VehicleLaunched: _vehicle_launched,
    v.VehicleDocked: _vehicle_docked,
    v.VehicleUndocked: _vehicle_undocked,
    v.VehicleLanded: _vehicle_landed,
    v.SeatCapacityChanged: _seat_capacity_changed,
    v.CrewMemberRegistered: _crew_member_registered,
    v.ReturnVehicleAssigned: _return_vehicle_assigned,
    v.LifeboatAssigned: _lifeboat_assigned,
    v.MissionExtended: _mission_extended,
    v.IncidentOpened: _incident_opened,
    v.LeakDetected: _leak_detected,
    v.VehicleDamageAssessed: _damage_assessed,
    v.CommissionConvened: _incident_status("under_investigation"),
    v.FindingIssued: _incident_status("cause_determined"),
    v.IncidentClosed: _incident_closed,
}


# --- Derived fields ---------------------------------------------------------


def derive_return_crews(p: Picture) -> None:
    """A vehicle's return crew is whoever is planned to come home in it."""
    for vehicle in p.vehicles.values():
        vehicle.return_crew = []
    for member in p.crew.values():
        if member.return_vehicle in p.vehicles:
            vehicle = p.vehicle(member.return_vehicle)
            vehicle.return_crew.append(member.id)
            vehicle.set_by.setdefault("return_crew", member.set_by["return_vehicle"])


def vehicle_has_flown(vehicle: VehicleStatus) -> bool:
    return vehicle.location in ("in_flight", "docked", "undocked")


def _clearance_for(seats: int, clearance: str) -> str:
    """Crewed-return clearance means nothing for a vehicle without crew seats."""
    return clearance if seats > 0 else "not_applicable"


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return list(value)
    return value
