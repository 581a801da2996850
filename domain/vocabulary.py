"""The facts the log can hold: one frozen payload class per event type.

An event is an envelope (times, source, evidence; see `domain.entry`) around a
payload defined here. Names are past tense because each states something that
happened. Field types carry meaning the rules use: a `VehicleId` must name a
registered vehicle, a `CrewId` a registered crew member, an `EventId` an event
in the log; a `NewId` is the id an event introduces.

A type's declaration here is the one place for what the domain knows of it:
its fields and their bounds, what it registers, the movement it is and which
movements may come directly before it, its rank among events at the same
valid time, and the role a writer needs to record it (`domain.roles`). What
it does to the station picture is its case in `projections.picture.evolve`,
the one place for its effect; the type checker fails there on a type without
a case.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, fields
from typing import Any, ClassVar, Literal, NewType, Union, get_args, get_origin
from uuid import UUID

from domain.errors import InvalidValue
from domain.roles import Role
from domain.times import TargetDate

VehicleId = NewType("VehicleId", str)
CrewId = NewType("CrewId", str)
IncidentId = NewType("IncidentId", str)
EventId = NewType("EventId", str)
NewId = NewType("NewId", str)
Seats = NewType("Seats", int)
Changes = NewType("Changes", dict[str, Any])  # replacement values for another event's data

Health = Literal["nominal", "degraded", "damaged"]
Clearance = Literal["cleared", "emergency_only", "not_cleared", "under_review"]
Movement = Literal["launched", "docked", "undocked", "landed", "lost"]
Assignment = Literal["return_vehicle", "lifeboat"]
Plan = Literal["launch", "return"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")

# Bounds a real vehicle and a real text have. The largest crewed vehicles
# flown seat eight; designs in work seat up to a hundred.
MAX_SEATS = 100
MAX_TEXT = 10_000  # characters: a long quotation or rationale, never a document
MAX_SLUG = 100
MAX_ITEMS = 1_000  # entries in one list field (crew named, alternatives, evidence)
# Line breaks (\n, \r\n) and tabs belong in quoted text; no other control character does.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Ranks among events at the same valid time: registrations first, then the
# other facts (rank 0), then the movements in their natural order.
RANK_REGISTRATION = -1
RANK_FACT = 0


class Payload:
    """Base of every event's data. Subclasses are frozen dataclasses."""

    type_name: ClassVar[str]
    role: ClassVar[Role]  # who may write it; every type declares its own (checked below)
    registers: ClassVar[str | None] = None  # "vehicle", "crew" or "incident"
    movement: ClassVar[Movement | None] = None
    follows: ClassVar[frozenset[Movement | None]] = frozenset()  # movements that may come directly before it
    rank: ClassVar[int] = RANK_FACT
    amends: ClassVar[bool] = False  # a correction or retraction of another event
    # For a registration: the fields a second registration of the same id must
    # repeat to be accepted (another source naming the same vehicle or person,
    # in another story); none: an id is registered once.
    identity: ClassVar[tuple[str, ...]] = ()

    @property
    def registered_id(self) -> str | None:
        """The id this event introduces (for a registration), else None."""
        value: str | None = getattr(self, "id", None) if self.registers else None
        return value

    @property
    def moved_vehicle(self) -> str | None:
        """The vehicle this event moves (for a movement), else None."""
        value: str | None = getattr(self, "vehicle", None) if self.movement else None
        return value

    @property
    def amended_event(self) -> UUID | None:
        """The event this corrects or retracts (for an amendment), else None."""
        target: str | None = getattr(self, "target", None) if self.amends else None
        return UUID(target) if target else None

    def check(self) -> None:
        """Rules between this payload's own fields (raise `InvalidValue`)."""

    def names_the_same(self, other: Payload) -> bool:
        """Is `other`, a registration of the same id, about the same vehicle or person?"""
        return bool(self.identity) and type(self) is type(other) and all(
            getattr(self, name) == getattr(other, name) for name in self.identity)

    def to_json(self) -> dict[str, Any]:
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


# --- Fleet ------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleRegistered(Payload):
    """A vehicle the log will name: its seats for crew (0 for a cargo ship). The
    same vehicle may be registered again (by another story) with the same
    name, kind and seats."""

    role = Role.REPORTER
    registers = "vehicle"
    identity = ("name", "kind", "seats")
    rank = RANK_REGISTRATION
    id: NewId
    name: str
    kind: str
    seats: Seats  # crew seats; 0 for a cargo ship


@dataclass(frozen=True)
class LaunchScheduled(Payload):
    """A plan for a launch; a later plan for the same vehicle replaces it."""

    role = Role.REPORTER
    vehicle: VehicleId
    target: TargetDate
    crew: tuple[CrewId, ...] = ()
    mission: str | None = None


@dataclass(frozen=True)
class ReturnScheduled(Payload):
    """A plan for a vehicle's departure and landing; a later plan replaces it."""

    role = Role.REPORTER
    vehicle: VehicleId
    target: TargetDate
    crew: tuple[CrewId, ...] = ()


@dataclass(frozen=True)
class PlanWithdrawn(Payload):
    """A launch or return plan withdrawn without another in its place: from
    this valid time on the vehicle (or crew member) has no such plan. The
    decision or report behind it goes in `based_on` and `source`."""

    role = Role.REPORTER
    plan: Plan
    reason: str
    vehicle: VehicleId | None = None
    crew_member: CrewId | None = None

    def check(self) -> None:
        if (self.vehicle is None) == (self.crew_member is None):
            raise InvalidValue("data.vehicle", "name either the vehicle or the crew member whose plan "
                               "is withdrawn, not both and not neither")


@dataclass(frozen=True)
class VehicleLaunched(Payload):
    """A launch; `crew` are those aboard it (they are no longer on the ground, not yet on a station)."""

    role = Role.REPORTER
    movement = "launched"
    follows = frozenset({None, "landed"})  # a capsule that landed may fly again
    rank = 1
    vehicle: VehicleId
    crew: tuple[CrewId, ...] = ()
    mission: str | None = None


@dataclass(frozen=True)
class VehicleDocked(Payload):
    """Docking; `crew` are those who come aboard (default: all who launched in it).

    Undocking and docking again at the same station (a port relocation) ends
    no one's assignment."""

    role = Role.REPORTER
    movement = "docked"
    follows = frozenset({None, "launched", "undocked"})
    rank = 2
    vehicle: VehicleId
    station: str
    port: str | None = None
    crew: tuple[CrewId, ...] | None = None


@dataclass(frozen=True)
class VehicleUndocked(Payload):
    """Undocking; `crew` are those inside, who are no longer aboard the station
    (none named: whoever is inside it, usually no one)."""

    role = Role.REPORTER
    movement = "undocked"
    follows = frozenset({"docked"})
    rank = 3
    vehicle: VehicleId
    crew: tuple[CrewId, ...] = ()


@dataclass(frozen=True)
class VehicleLanded(Payload):
    """A landing; `crew` are those who land in it (none named: whoever is
    inside it). Their return-vehicle and lifeboat assignments end."""

    role = Role.REPORTER
    movement = "landed"
    follows = frozenset({None, "launched", "undocked"})  # nothing lands while still docked
    rank = 4
    vehicle: VehicleId
    crew: tuple[CrewId, ...] = ()
    site: str | None = None


@dataclass(frozen=True)
class VehicleLost(Payload):
    """The vehicle's end other than a landing: destroyed in a launch failure,
    burned up on re-entry (`planned` for a deorbit), lost in flight. It can
    never fly again; the assignments of those inside (`crew`, or whoever is
    inside it) and the plans that name it end."""

    role = Role.REPORTER
    movement = "lost"
    follows = frozenset({None, "launched", "docked", "undocked"})  # nothing follows a loss
    rank = 5
    vehicle: VehicleId
    circumstances: str
    planned: bool = False
    crew: tuple[CrewId, ...] = ()


@dataclass(frozen=True)
class SeatCapacityChanged(Payload):
    """Seats fitted or removed (a seat liner moved, a makeshift seat fitted)."""

    role = Role.REPORTER
    vehicle: VehicleId
    seats: Seats
    reason: str


# --- Crew -------------------------------------------------------------------


@dataclass(frozen=True)
class CrewMemberRegistered(Payload):
    """A crew member the log will name, with the other spellings they are found
    by. The same person may be registered again (by another story) with the
    same name and agency; the spellings add up."""

    role = Role.REPORTER
    registers = "crew"
    identity = ("name", "agency")
    rank = RANK_REGISTRATION
    id: NewId
    name: str
    agency: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnVehicleAssigned(Payload):
    """The vehicle a crew member is to come home in, and when."""

    role = Role.REPORTER
    crew_member: CrewId
    vehicle: VehicleId
    planned_return: TargetDate


@dataclass(frozen=True)
class LifeboatAssigned(Payload):
    """The vehicle holding the crew member's seat, used in an emergency. It
    stands against the default a docking at the same valid time would give."""

    role = Role.REPORTER
    crew_member: CrewId
    vehicle: VehicleId


@dataclass(frozen=True)
class AssignmentEnded(Payload):
    """A crew member's return-vehicle or lifeboat assignment ended without a
    new one (a landing ends both by itself)."""

    role = Role.REPORTER
    crew_member: CrewId
    assignment: Assignment
    reason: str


@dataclass(frozen=True)
class MissionExtended(Payload):
    """Crew members stay longer; their planned return is the new target."""

    role = Role.REPORTER
    crew: tuple[CrewId, ...]
    planned_return: TargetDate


# --- Incident ---------------------------------------------------------------


@dataclass(frozen=True)
class IncidentOpened(Payload):
    """An incident, with the vehicles it concerns; events name it in `incident`."""

    role = Role.REPORTER
    registers = "incident"
    rank = RANK_REGISTRATION
    id: NewId
    title: str
    vehicles: tuple[VehicleId, ...] = ()


@dataclass(frozen=True)
class LeakDetected(Payload):
    """A leak. Unless the record says otherwise the vehicle is damaged and its
    crewed return goes under review; a leak judged `acceptable` leaves health
    and clearance as they were, or sets the `health` it states."""

    role = Role.REPORTER
    vehicle: VehicleId
    system: str
    description: str
    assessment: Literal["under_review", "acceptable"] = "under_review"
    health: Health | None = None


@dataclass(frozen=True)
class ObservationRecorded(Payload):
    """Something seen or measured; `observer` only when the source names one."""

    role = Role.REPORTER
    description: str
    observer: str | None = None
    vehicle: VehicleId | None = None


@dataclass(frozen=True)
class StatementIssued(Payload):
    """What someone said: a statement, an assurance or an expert opinion."""

    role = Role.INVESTIGATOR
    speaker: str
    summary: str
    kind: Literal["statement", "assurance", "expert_opinion"] = "statement"
    quote: str | None = None


@dataclass(frozen=True)
class CommissionConvened(Payload):
    """A commission convened to investigate; the incident goes under investigation."""

    role = Role.INVESTIGATOR
    commission: str
    mandate: str


@dataclass(frozen=True)
class FindingIssued(Payload):
    """A finding with its cause and method (e.g. proven experimentally); the cause is determined."""

    role = Role.INVESTIGATOR
    cause: str
    method: str
    summary: str
    authority: str | None = None  # the body that issued it, when the source names one


@dataclass(frozen=True)
class VehicleDamageAssessed(Payload):
    """A ruling on a vehicle: its health and crewed-return clearance, with any condition."""

    role = Role.INVESTIGATOR
    vehicle: VehicleId
    health: Health
    crewed_return: Clearance
    condition: str | None = None


@dataclass(frozen=True)
class DecisionTaken(Payload):
    """A decision. Its consequences are events of their own whose `based_on`
    names it (a reassignment, a plan withdrawn, a clearance changed)."""

    role = Role.AUTHORITY
    summary: str
    rationale: str
    authority: str | None = None  # the deciding body, when the source names one
    alternatives: tuple[str, ...] = ()
    supersedes: tuple[EventId, ...] = ()


@dataclass(frozen=True)
class IncidentClosed(Payload):
    """The incident is closed; the vehicles it concerned no longer list it."""

    role = Role.AUTHORITY
    summary: str


# --- Corrections --------------------------------------------------------------


@dataclass(frozen=True)
class EntryCorrected(Payload):
    """New values for an earlier event's data fields and/or its times.

    `changes` names data fields of the target, and may also name
    `occurred_at` and `reported_at` (the target's times): a correction that
    moves `occurred_at` moves the event in valid time. The target keeps its id
    and position; a query sees it corrected once the correction was reported
    (by `known_at`), whatever `as_of` is.
    """

    role = Role.REPORTER  # at least; and whatever the event it amends needs (domain.roles)
    amends = True
    target: EventId
    reason: str
    changes: Changes


@dataclass(frozen=True)
class EntryRetracted(Payload):
    """An earlier event should never have been recorded. Retracting a
    retraction restores its target."""

    role = Role.REPORTER  # at least; and whatever the event it amends needs (domain.roles)
    amends = True
    target: EventId
    reason: str


AnyPayload = Union[  # noqa: UP007 - a union of classes is read at run time to build the registry
    VehicleRegistered, LaunchScheduled, ReturnScheduled, PlanWithdrawn, VehicleLaunched, VehicleDocked,
    VehicleUndocked, VehicleLanded, VehicleLost, SeatCapacityChanged,
    CrewMemberRegistered, ReturnVehicleAssigned, LifeboatAssigned, AssignmentEnded, MissionExtended,
    IncidentOpened, LeakDetected, ObservationRecorded, StatementIssued, CommissionConvened, FindingIssued,
    VehicleDamageAssessed, DecisionTaken, IncidentClosed,
    EntryCorrected, EntryRetracted,
]
"""Every event type. A projection that matches on it must handle each one."""

EVENT_TYPES: dict[str, type[AnyPayload]] = {cls.__name__: cls for cls in get_args(AnyPayload)}
for _name, _cls in EVENT_TYPES.items():
    _cls.type_name = _name
    if "role" not in vars(_cls):  # never inherited: each type's writer is a decision of its own
        raise TypeError(f"{_name} must declare the role that may write it")


# --- Parsing ----------------------------------------------------------------


def parse_payload(type_name: object, data: object) -> AnyPayload:
    """Build the payload of `type_name` from JSON `data`, or say what is wrong."""
    if not isinstance(type_name, str) or type_name not in EVENT_TYPES:
        known = ", ".join(sorted(EVENT_TYPES))
        raise InvalidValue("type", f"unknown event type {type_name!r}; known types: {known}")
    if not isinstance(data, dict):
        raise InvalidValue("data", "must be a JSON object")
    cls = EVENT_TYPES[type_name]
    hints = _hints(cls)
    declared = _fields(cls)
    unknown = sorted(set(data) - set(declared))
    if unknown:
        raise InvalidValue(f"data.{unknown[0]}", f"is not a field of {type_name}; "
                           f"its fields are {', '.join(declared)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        path = f"data.{name}"
        if name not in data:
            if spec.default is MISSING:
                raise InvalidValue(path, f"is required for {type_name}")
            continue
        values[name] = _coerce(data[name], hints[name], path)
    payload = cls(**values)
    payload.check()
    return payload


def restore_payload(type_name: str, data: dict[str, Any]) -> AnyPayload:
    """The payload of a stored event, rebuilt without checking it again.

    `data` is what `Payload.to_json` wrote after `parse_payload` had accepted
    it, so only its shape is rebuilt (lists become tuples, target dates
    objects): equal to `parse_payload(type_name, data)` for every such `data`
    (a property test holds it to that), and several times faster, which is
    what reading a long log costs. Never for input from outside the store.
    """
    values = dict(data)
    for name, restore in _restorers(type_name):  # only the fields whose shape changes: most are kept as read
        if name in values:
            values[name] = restore(values[name])
    return EVENT_TYPES[type_name](**values)


@functools.cache
def _restorers(type_name: str) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = _hints_of(type_name)
    restorers = ((name, _restorer(hints[name])) for name in _fields_of(type_name))
    return tuple((name, restore) for name, restore in restorers if restore is not _same)


def _restorer(hint: Any) -> Callable[[Any], Any]:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = _restorer(next(a for a in get_args(hint) if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _restorer(get_args(hint)[0])
        return lambda value: tuple(item(v) for v in value)
    if hint is TargetDate:
        return TargetDate  # stored in its canonical text
    if hint is Changes:
        return dict
    return _same


def _same(value: Any) -> Any:
    return value


def _hints(cls: type[Payload]) -> dict[str, Any]:
    return _hints_of(cls.__name__)


def _fields(cls: type[Payload]) -> dict[str, Field[Any]]:
    return _fields_of(cls.__name__)


# Cached by type name: reading type hints is slow, and every stored event is
# parsed again when a process starts.
@functools.cache
def _hints_of(type_name: str) -> dict[str, Any]:
    return typing.get_type_hints(EVENT_TYPES[type_name])


@functools.cache
def _fields_of(type_name: str) -> dict[str, Field[Any]]:
    return {f.name: f for f in fields(EVENT_TYPES[type_name])}


def _coerce(value: Any, hint: Any, path: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, options[0], path)
    if origin is Literal:
        allowed = get_args(hint)
        if value not in allowed:
            raise InvalidValue(path, f"must be one of {', '.join(map(str, allowed))}; got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise InvalidValue(path, "must be a list")
        if len(value) > MAX_ITEMS:
            raise InvalidValue(path, f"must not have more than {MAX_ITEMS} entries; got {len(value)}")
        item = get_args(hint)[0]
        items = tuple(_coerce(v, item, f"{path}[{i}]") for i, v in enumerate(value))
        if len(set(items)) != len(items):
            raise InvalidValue(path, "must not repeat an entry")
        return items
    if hint is TargetDate:
        return TargetDate.parse(value, path)
    if hint is Changes:
        if not isinstance(value, dict) or not value:
            raise InvalidValue(path, "must be an object of the data fields to replace, with their new values")
        return dict(value)

    if hint is Seats:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(path, f"must be a whole number of seats; got {value!r}")
        if not 0 <= value <= MAX_SEATS:
            raise InvalidValue(path, f"must be between 0 and {MAX_SEATS} seats; got {value}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise InvalidValue(path, f"must be true or false; got {value!r}")
        return value
    value = checked_text(value, path)
    if hint in (VehicleId, CrewId, IncidentId, NewId) and not (SLUG.fullmatch(value) and len(value) <= MAX_SLUG):
        raise InvalidValue(path, f"must be a lowercase slug of at most {MAX_SLUG} characters (letters, digits, "
                           f"single hyphens, e.g. 'cargo-ship-3'); got {value!r}")
    if hint is EventId:
        if not UUID_TEXT.fullmatch(value.lower()):
            raise InvalidValue(path, f"must be an event id (UUID); got {value!r}")
        return str(UUID(value))
    return value


def checked_text(value: object, path: str) -> str:
    """A non-empty text of a real length, with no control character but line breaks and tabs."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(path, f"must be a non-empty string; got {value!r}")
    if len(value) > MAX_TEXT:
        raise InvalidValue(path, f"must not be longer than {MAX_TEXT} characters; got {len(value)}")
    control = _CONTROL.search(value)
    if control:
        raise InvalidValue(path, f"must not contain control characters; found {control.group()!r} "
                           f"at character {control.start()}")
    return value


def references(payload: Payload) -> list[tuple[str, str, str]]:
    """Every (field path, kind, id) the payload names that must already exist."""
    found: list[tuple[str, str, str]] = []
    for name, kind in _referring_fields(payload.type_name):
        value = getattr(payload, name)
        if value is None:
            continue
        if isinstance(value, tuple):
            found.extend((f"data.{name}[{index}]", kind, item) for index, item in enumerate(value))
        else:
            found.append((f"data.{name}", kind, value))
    return found


@functools.cache
def _referring_fields(type_name: str) -> tuple[tuple[str, str], ...]:
    """The fields of a type that name a vehicle, crew member, incident or event, with that kind."""
    kinds = {VehicleId: "vehicle", CrewId: "crew", IncidentId: "incident", EventId: "event"}
    hints = _hints_of(type_name)
    return tuple((name, kinds[_base_type(hints[name])]) for name in _fields_of(type_name)
                 if _base_type(hints[name]) in kinds)


def _base_type(hint: Any) -> Any:
    while True:
        origin = get_origin(hint)
        if origin in (Union, types.UnionType):
            hint = next(a for a in get_args(hint) if a is not type(None))
        elif origin is tuple:
            hint = get_args(hint)[0]
        else:
            return hint


# --- Describing the vocabulary (for docs and `incidentlog vocabulary`) --------


@dataclass(frozen=True)
class FieldDescription:
    name: str
    kind: str  # in words: "vehicle id", "list of crew ids", "target date", "launch | return"
    required: bool


@dataclass(frozen=True)
class TypeDescription:
    name: str
    summary: str  # the type's docstring: what it means
    fields: tuple[FieldDescription, ...]


def describe_types() -> list[TypeDescription]:
    """Every event type with its meaning and fields, from the declarations above."""
    described = []
    for name, cls in EVENT_TYPES.items():
        hints = _hints(cls)
        described.append(TypeDescription(name, " ".join((cls.__doc__ or "").split()), tuple(
            FieldDescription(f.name, _in_words(hints[f.name]), f.default is MISSING)
            for f in _fields(cls).values())))
    return described


_WORDS = {VehicleId: "vehicle id", CrewId: "crew id", IncidentId: "incident id", EventId: "event id",
          NewId: "new id (a slug)", Seats: f"seats (0-{MAX_SEATS})", TargetDate: "target date", bool: "true or false",
          str: "text", Changes: "object: field -> new value"}


def _in_words(hint: Any) -> str:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_in_words(a) for a in get_args(hint) if a is not type(None))
    if origin is Literal:
        return " | ".join(map(str, get_args(hint)))
    if origin is tuple:
        return f"list of {_in_words(get_args(hint)[0])}s"
    return _WORDS.get(hint, getattr(hint, "__name__", str(hint)))


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, TargetDate):
        return value.text
    return value
