"""The station picture: every vehicle's status, every crew member's plan and
every incident's case file, folded from events in valid-time order.

`evolve(picture, entry)` applies one event; its `match` is the one place that
says what each event type does to the picture (an explicit "no effect" is a
case too, and the type checker fails on a type without one). Every field a
case sets remembers the event that set it (`set_by`), so any projected value
can say where it came from. Nothing here knows a particular incident: the
rules are about kinds of events (a landing ends the assignments of those who
land; a docking brings the people inside aboard).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar, assert_never
from uuid import UUID

from domain import vocabulary as v
from domain.entry import Entry
from domain.times import TargetDate, TimePoint


@dataclass
class Cause:
    """The event being folded: every field a view is given remembers it."""

    event: UUID | None = None
    # While versions of the views are kept (`projections.versions`): every view
    # given a value, in order, to be read and emptied after each event.
    touched: list[Tracked] | None = None
    # While a fold may be taken back (`projections.knowledge_levels`): what
    # each assignment replaced, (view, field, old value, old set_by entry),
    # with MISSING where there was none.
    journal: list[tuple[Tracked, str, object, object]] | None = None


MISSING = object()  # in a journal: the field or its `set_by` entry was not there


V = TypeVar("V", bound="Tracked")


@dataclass
class Tracked:
    """A view whose fields remember which event set them.

    Fields are set by plain assignment (`vehicle.health = "damaged"`), so the
    type checker knows every name; a name that is not a field is refused.
    """

    set_by: dict[str, UUID] = field(default_factory=dict, repr=False, compare=False)
    # Fields derived from other views' fields (a return crew from each member's
    # return vehicle): what each counts, so that it explains through its parts.
    derived: dict[str, list[Part]] = field(default_factory=dict, repr=False, compare=False)
    # Fields holding a target date: answers give each as text and, beside it,
    # as a window (`<field>_window`: kind, qualifier, earliest, latest).
    target_fields: ClassVar[tuple[str, ...]] = ()

    def attach(self, cause: Cause) -> None:
        object.__setattr__(self, "_cause", cause)

    def __setattr__(self, name: str, value: object) -> None:
        state = self.__dict__
        cause: Cause | None = state.get("_cause")
        if cause is None:  # still being built (the dataclass sets only its own fields), or not in a picture
            state[name] = value
            return
        if name not in self.__dataclass_fields__:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        if cause.journal is not None:
            cause.journal.append((self, name, state.get(name, MISSING), self.set_by.get(name, MISSING)))
        state[name] = value
        state["_edits"] = state.get("_edits", 0) + 1  # the codec re-encodes only views that changed
        if cause.touched is not None:
            cause.touched.append(self)
        if cause.event is not None:
            self.set_by[name] = cause.event

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("set_by", "derived"):
                continue
            value = getattr(self, f.name)
            body[f.name] = _plain(value)
            if f.name in self.target_fields:
                body[f"{f.name}_window"] = value.window().to_json() if isinstance(value, TargetDate) else None
        return body


@dataclass(frozen=True)
class Part:
    """A field of a view that a derived value counts (or, with `counted` false,
    considered and left out: a docked vehicle not cleared adds no cleared seats)."""

    view: Tracked
    field: str
    counted: bool = True


@dataclass
class VehicleStatus(Tracked):
    target_fields = ("planned_launch", "planned_return")
    id: str = ""
    name: str = ""
    kind: str = ""
    seats: int = 0
    flights: int = 0  # launches so far: a reusable capsule flies several crews
    location: str = "on_ground"  # on_ground, scheduled, in_flight, docked, undocked, landed, lost
    station: str | None = None
    port: str | None = None
    health: str = "nominal"
    crewed_return: str = "cleared"  # or emergency_only, not_cleared, under_review, not_applicable
    crewed_return_condition: str | None = None
    mission: str | None = None
    launch_crew: list[str] = field(default_factory=list)
    occupants: list[str] = field(default_factory=list)  # inside it while in flight
    return_crew: list[str] = field(default_factory=list)  # derived: whose return vehicle it is
    planned_launch: TargetDate | None = None
    planned_return: TargetDate | None = None
    open_incidents: list[str] = field(default_factory=list)

    @property
    def has_flown(self) -> bool:
        """In flight or at a station: a launch plan can no longer be dropped."""
        return self.location in ("in_flight", "docked", "undocked")


@dataclass
class CrewPlan(Tracked):
    target_fields = ("planned_launch", "planned_return")
    id: str = ""
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    agency: str = ""
    aboard: bool = False
    station: str | None = None
    launch_vehicle: str | None = None
    planned_launch: TargetDate | None = None
    arrived_on: str | None = None  # for the current stay; a landing ends the stay
    return_vehicle: str | None = None
    lifeboat: str | None = None
    planned_return: TargetDate | None = None
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
    stations: set[str] = field(default_factory=set)  # every station named so far, crewed or not
    cause: Cause = field(default_factory=Cause)
    # When each crew member's lifeboat was last assigned explicitly: a docking
    # at the same valid time does not replace it with its default.
    lifeboat_assigned_at: dict[str, TimePoint] = field(default_factory=dict)

    # An event may name a vehicle or person whose registration is not visible
    # at this horizon (registered later in valid time, or reported later).
    # They still appear, known by id only, rather than being silently dropped.
    def vehicle(self, vehicle_id: str) -> VehicleStatus:
        if vehicle_id not in self.vehicles:
            self.vehicles[vehicle_id] = self._attached(VehicleStatus(id=vehicle_id, name=vehicle_id))
        return self.vehicles[vehicle_id]

    def incident(self, incident_id: str) -> IncidentFile:
        if incident_id not in self.incidents:
            self.incidents[incident_id] = self._attached(IncidentFile(id=incident_id, title=incident_id))
        return self.incidents[incident_id]

    def member(self, crew_id: str) -> CrewPlan:
        if crew_id not in self.crew:
            self.crew[crew_id] = self._attached(CrewPlan(id=crew_id, name=crew_id))
        return self.crew[crew_id]

    def _attached(self, view: V) -> V:
        view.attach(self.cause)
        return view


def fold(entries: Iterable[Entry]) -> Picture:
    """The picture after the given events, which must be in valid-time order."""
    picture = Picture()
    for entry in entries:
        evolve(picture, entry)
    derive_return_crews(picture)
    return picture


# The event types whose case in `evolve` below changes nothing but the
# incidents the event names: evidence, reasoning, an investigation's steps,
# amendments. An event of these types that names no incident is invisible to
# the picture (it may still be evidence another event rests on, which moves
# that event in valid time: see `domain.order`). The read model relies on it
# to tell knowledge levels apart only by events the picture sees; a test
# holds this set to the cases below.
PICTURE_BLIND: frozenset[str] = frozenset({"ObservationRecorded", "StatementIssued", "DecisionTaken",
                                           "CommissionConvened", "FindingIssued", "IncidentClosed",
                                           "EntryCorrected", "EntryRetracted"})


def seen_by_picture(type_name: str, incidents: Iterable[str]) -> bool:
    """Can an event of this type, naming these incidents, change a picture?"""
    return type_name not in PICTURE_BLIND or any(True for _ in incidents)


def evolve(picture: Picture, entry: Entry) -> Picture:
    """Apply one event: the one place each event type's effect is written."""
    for incident_id in entry.incidents:
        picture.incident(incident_id).timeline.append(str(entry.id))
    picture.cause.event = entry.id
    p, e = picture, entry
    match entry.payload:
        # --- Fleet
        case v.VehicleRegistered() as d:
            vehicle = p.vehicle(d.id)
            if "kind" not in vehicle.set_by:  # registered again by another story: nothing new to say
                vehicle.name, vehicle.kind, vehicle.seats = d.name, d.kind, d.seats
                vehicle.crewed_return = _clearance_for(d.seats, "cleared")
        case v.LaunchScheduled() as d:
            _schedule_launch(p, d)
        case v.ReturnScheduled() as d:
            p.vehicle(d.vehicle).planned_return = d.target
        case v.PlanWithdrawn() as d:
            _withdraw_plan(p, d)
        case v.VehicleLaunched() as d:
            _launch(p, d)
        case v.VehicleDocked() as d:
            _dock(p, e, d)
        case v.VehicleUndocked() as d:
            vehicle = p.vehicle(d.vehicle)
            leaving = _leaving(d.crew, vehicle)
            vehicle.location, vehicle.station, vehicle.port, vehicle.occupants = "undocked", None, None, leaving
            for member_id in leaving:  # a relocation ends nothing: they dock again
                member = p.member(member_id)
                member.aboard, member.station = False, None
        case v.VehicleLanded() as d:
            vehicle = p.vehicle(d.vehicle)
            leaving = _leaving(d.crew, vehicle)
            vehicle.location, vehicle.station, vehicle.port, vehicle.occupants = "landed", None, None, []
            vehicle.planned_return = None  # carried out
            for member_id in leaving:
                _home(p.member(member_id))
        case v.VehicleLost() as d:
            _lose(p, d)
        case v.SeatCapacityChanged() as d:
            vehicle = p.vehicle(d.vehicle)
            vehicle.seats = d.seats
            if d.seats == 0:
                vehicle.crewed_return = "not_applicable"
            elif vehicle.crewed_return == "not_applicable":
                vehicle.crewed_return = "cleared" if vehicle.health == "nominal" else "under_review"
        # --- Crew
        case v.CrewMemberRegistered() as d:
            member = p.member(d.id)
            member.name, member.agency = d.name, d.agency
            member.aliases = list(dict.fromkeys([*member.aliases, *d.aliases]))  # every story's spellings
        case v.ReturnVehicleAssigned() as d:
            member = p.member(d.crew_member)
            member.return_vehicle, member.planned_return = d.vehicle, d.planned_return
        case v.LifeboatAssigned() as d:
            p.member(d.crew_member).lifeboat = d.vehicle
            p.lifeboat_assigned_at[d.crew_member] = e.occurred_at
        case v.AssignmentEnded() as d:
            member = p.member(d.crew_member)
            if d.assignment == "return_vehicle":
                member.return_vehicle = None
            else:
                member.lifeboat = None
        case v.MissionExtended() as d:
            for member_id in d.crew:
                member = p.member(member_id)
                member.mission_extended, member.planned_return = True, d.planned_return
        # --- Incident
        case v.IncidentOpened() as d:
            incident = p.incident(d.id)
            if str(e.id) not in incident.timeline:
                incident.timeline.append(str(e.id))
            incident.title, incident.vehicles, incident.opened_at = d.title, list(d.vehicles), e.occurred_at.isoformat()
            for vehicle_id in d.vehicles:
                vehicle = p.vehicle(vehicle_id)
                vehicle.open_incidents = [*vehicle.open_incidents, d.id]
        case v.LeakDetected() as d:
            _leak(p, d)
        case v.VehicleDamageAssessed() as d:
            vehicle = p.vehicle(d.vehicle)
            vehicle.health = d.health
            vehicle.crewed_return = _clearance_for(vehicle.seats, d.crewed_return)
            vehicle.crewed_return_condition = d.condition
        case v.CommissionConvened():
            _advance_incidents(p, e, "under_investigation")
        case v.FindingIssued():
            _advance_incidents(p, e, "cause_determined")
        case v.IncidentClosed():
            _advance_incidents(p, e, "closed")
            for incident_id in e.incidents:
                for vehicle in p.vehicles.values():
                    if incident_id in vehicle.open_incidents:
                        vehicle.open_incidents = [i for i in vehicle.open_incidents if i != incident_id]
        case v.ObservationRecorded() | v.StatementIssued() | v.DecisionTaken():
            pass  # evidence and reasoning: they change the picture through the events resting on them
        case v.EntryCorrected() | v.EntryRetracted():
            pass  # they change which version of their target counts (`projections.horizon`), not the world
        case _:
            assert_never(entry.payload)
    picture.cause.event = None
    return picture


# --- Fleet ------------------------------------------------------------------


def _schedule_launch(p: Picture, d: v.LaunchScheduled) -> None:
    vehicle = p.vehicle(d.vehicle)
    for dropped in set(vehicle.launch_crew) - set(d.crew):
        member = p.member(dropped)
        if member.launch_vehicle == d.vehicle and not vehicle.has_flown:
            member.launch_vehicle, member.planned_launch = None, None
    vehicle.launch_crew, vehicle.planned_launch, vehicle.mission = list(d.crew), d.target, d.mission
    if vehicle.location in ("on_ground", "landed"):
        vehicle.location = "scheduled"
    for member_id in d.crew:
        member = p.member(member_id)
        member.launch_vehicle, member.planned_launch = d.vehicle, d.target


def _withdraw_plan(p: Picture, d: v.PlanWithdrawn) -> None:
    if d.vehicle is not None:
        vehicle = p.vehicle(d.vehicle)
        if d.plan == "return":
            vehicle.planned_return = None
            return
        vehicle.planned_launch = None
        if not vehicle.has_flown:
            for member_id in vehicle.launch_crew:
                member = p.member(member_id)
                if member.launch_vehicle == d.vehicle:
                    member.launch_vehicle, member.planned_launch = None, None
            vehicle.launch_crew = []
        if vehicle.location == "scheduled":
            vehicle.location = "landed" if vehicle.flights else "on_ground"
    elif d.crew_member is not None:
        member = p.member(d.crew_member)
        if d.plan == "return":
            member.planned_return = None
            return
        planned_on = member.launch_vehicle
        member.launch_vehicle, member.planned_launch = None, None
        if planned_on is not None:
            vehicle = p.vehicle(planned_on)
            if not vehicle.has_flown and d.crew_member in vehicle.launch_crew:
                vehicle.launch_crew = [c for c in vehicle.launch_crew if c != d.crew_member]


def _launch(p: Picture, d: v.VehicleLaunched) -> None:
    vehicle = p.vehicle(d.vehicle)
    vehicle.location, vehicle.station, vehicle.port = "in_flight", None, None
    vehicle.launch_crew, vehicle.occupants, vehicle.flights = list(d.crew), list(d.crew), vehicle.flights + 1
    vehicle.planned_launch = None  # carried out: no launch is pending any more
    if d.mission:
        vehicle.mission = d.mission
    for member_id in d.crew:
        member = p.member(member_id)
        member.launch_vehicle, member.aboard, member.station = d.vehicle, False, None
        member.planned_launch = None


def _dock(p: Picture, e: Entry, d: v.VehicleDocked) -> None:
    vehicle = p.vehicle(d.vehicle)
    boarding = list(d.crew) if d.crew is not None else list(vehicle.occupants)
    vehicle.location, vehicle.station, vehicle.port, vehicle.occupants = "docked", d.station, d.port, []
    p.stations.add(d.station)
    for member_id in boarding:
        member = p.member(member_id)
        member.aboard, member.station = True, d.station
        if member.arrived_on is not None:
            continue  # back from a relocation: the stay, and what was assigned for it, go on
        member.arrived_on = d.vehicle
        # Their seat came with them: the vehicle they arrived in is their lifeboat,
        # unless one was assigned explicitly at the same valid time.
        assigned = p.lifeboat_assigned_at.get(member_id)
        if assigned is None or not (assigned.not_after(e.occurred_at) and e.occurred_at.not_after(assigned)):
            member.lifeboat = d.vehicle


def _leaving(named: tuple[v.CrewId, ...], vehicle: VehicleStatus) -> list[str]:
    """Who leaves with a movement: whom it names or, where it names no one,
    whoever is inside the vehicle (no one, for a vehicle returning empty)."""
    return [str(c) for c in named] or list(vehicle.occupants)


def _home(member: CrewPlan) -> None:
    """A crew member has landed (or been lost with their vehicle): the stay and
    every assignment for it end."""
    member.aboard, member.station, member.arrived_on = False, None, None
    member.return_vehicle, member.lifeboat, member.planned_return, member.mission_extended = None, None, None, False


def _lose(p: Picture, d: v.VehicleLost) -> None:
    vehicle = p.vehicle(d.vehicle)
    inside = _leaving(d.crew, vehicle)
    flew = set(vehicle.launch_crew) if vehicle.has_flown else set()
    vehicle.location, vehicle.station, vehicle.port, vehicle.occupants = "lost", None, None, []
    vehicle.planned_launch, vehicle.planned_return = None, None
    if not flew and vehicle.launch_crew:
        vehicle.launch_crew = []  # lost before it flew: the crew planned for it will not fly in it
    for member_id in inside:
        _home(p.member(member_id))
    for member in p.crew.values():  # the plans that named it end with it
        if member.launch_vehicle == d.vehicle and member.id not in flew | set(inside):
            member.launch_vehicle, member.planned_launch = None, None
        if member.return_vehicle == d.vehicle:
            member.return_vehicle, member.planned_return = None, None
        if member.lifeboat == d.vehicle:
            member.lifeboat = None


# --- Incident ---------------------------------------------------------------


def _leak(p: Picture, d: v.LeakDetected) -> None:
    vehicle = p.vehicle(d.vehicle)
    if d.assessment == "acceptable":
        if d.health is not None:
            vehicle.health = d.health
        return
    vehicle.health = d.health or "damaged"
    vehicle.crewed_return = _clearance_for(vehicle.seats, "under_review")
    vehicle.crewed_return_condition = None


INCIDENT_STATUSES = ("open", "under_investigation", "cause_determined", "closed")


def _advance_incidents(p: Picture, e: Entry, status: str) -> None:
    """An incident's status only moves forward: a finding issued the same day
    the commission was convened leaves the cause determined, in either order."""
    for incident_id in e.incidents:
        incident = p.incident(incident_id)
        if INCIDENT_STATUSES.index(status) > INCIDENT_STATUSES.index(incident.status):
            incident.status = status


# --- Derived fields ---------------------------------------------------------


def derive_return_crews(p: Picture, only: str | None = None, among: Iterable[CrewPlan] | None = None) -> None:
    """A vehicle's return crew is whoever is assigned to come home in it
    (an assignment ends when its holder lands). It explains through each
    member's assignment; `set_by` names the first, as for a field set once.
    With `only`, just that vehicle's (a history follows one vehicle); with
    `among`, only those members, in the picture's order, are looked at (a
    history keeps who is assigned to its vehicle)."""
    counted = p.vehicles if only is None else {only: p.vehicles[only]} if only in p.vehicles else {}
    for vehicle in counted.values():
        vehicle.return_crew = []
        vehicle.set_by.pop("return_crew", None)
        vehicle.derived.pop("return_crew", None)
    for member in p.crew.values() if among is None else among:
        if member.return_vehicle in counted:
            vehicle = p.vehicle(member.return_vehicle)
            vehicle.return_crew.append(member.id)
            vehicle.set_by.setdefault("return_crew", member.set_by["return_vehicle"])
            vehicle.derived.setdefault("return_crew", []).append(Part(member, "return_vehicle"))


def _clearance_for(seats: int, clearance: str) -> str:
    """Crewed-return clearance means nothing for a vehicle without crew seats."""
    return clearance if seats > 0 else "not_applicable"


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, TargetDate):
        return value.text
    if isinstance(value, list):
        return list(value)
    return value
