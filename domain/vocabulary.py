"""The facts the log can hold: one frozen payload class per event type.

An event is an envelope (times, source, evidence; see `domain.entry`) around a
payload defined here. Names are past tense because each states something that
happened. Field types carry meaning the rules use: a `VehicleId` must name a
registered vehicle, a `CrewId` a registered crew member, an `EventId` an event
in the log; a `NewId` is the id an event introduces.

Adding an event type is adding a class here (and, if it changes what the
projections show, a case in their fold); nothing else needs to change.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from dataclasses import MISSING, Field, dataclass, fields
from typing import Any, ClassVar, Literal, NewType, Union, get_args, get_origin
from uuid import UUID

from domain.errors import InvalidValue
from domain.times import TargetDate

VehicleId = NewType("VehicleId", str)
CrewId = NewType("CrewId", str)
IncidentId = NewType("IncidentId", str)
EventId = NewType("EventId", str)
NewId = NewType("NewId", str)
Changes = NewType("Changes", dict[str, Any])  # replacement values for another event's data

Health = Literal["nominal", "degraded", "damaged"]
Clearance = Literal["cleared", "emergency_only", "not_cleared", "under_review"]
Movement = Literal["launched", "docked", "undocked", "landed"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


class Payload:
    """Base of every event's data. Subclasses are frozen dataclasses."""

    type_name: ClassVar[str]
    registers: ClassVar[str | None] = None  # "vehicle", "crew" or "incident"
    movement: ClassVar[Movement | None] = None
    amends: ClassVar[bool] = False  # a correction or retraction of another event

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

    def to_json(self) -> dict[str, Any]:
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


EVENT_TYPES: dict[str, type[Payload]] = {}


def event_type(cls: type[Payload]) -> type[Payload]:
    """Register a payload class under its class name, the event's `type`."""
    cls.type_name = cls.__name__
    EVENT_TYPES[cls.__name__] = cls
    return cls


# --- Fleet ------------------------------------------------------------------


@event_type
@dataclass(frozen=True)
class VehicleRegistered(Payload):
    registers = "vehicle"
    id: NewId
    name: str
    kind: str
    seats: int  # crew seats; 0 for a cargo ship


@event_type
@dataclass(frozen=True)
class LaunchScheduled(Payload):
    """A plan for a launch; a later plan for the same vehicle replaces it."""

    vehicle: VehicleId
    target: TargetDate
    crew: tuple[CrewId, ...] = ()
    mission: str | None = None


@event_type
@dataclass(frozen=True)
class ReturnScheduled(Payload):
    """A plan for a vehicle's departure and landing; a later plan replaces it."""

    vehicle: VehicleId
    target: TargetDate
    crew: tuple[CrewId, ...] = ()


@event_type
@dataclass(frozen=True)
class VehicleLaunched(Payload):
    movement = "launched"
    vehicle: VehicleId
    crew: tuple[CrewId, ...] = ()
    mission: str | None = None


@event_type
@dataclass(frozen=True)
class VehicleDocked(Payload):
    """Docking; `crew` are those who come aboard (default: all who launched in it)."""

    movement = "docked"
    vehicle: VehicleId
    station: str
    port: str | None = None
    crew: tuple[CrewId, ...] | None = None


@event_type
@dataclass(frozen=True)
class VehicleUndocked(Payload):
    """Undocking; `crew` are those inside, who are no longer aboard the station."""

    movement = "undocked"
    vehicle: VehicleId
    crew: tuple[CrewId, ...] = ()


@event_type
@dataclass(frozen=True)
class VehicleLanded(Payload):
    movement = "landed"
    vehicle: VehicleId
    crew: tuple[CrewId, ...] = ()
    site: str | None = None


@event_type
@dataclass(frozen=True)
class SeatCapacityChanged(Payload):
    vehicle: VehicleId
    seats: int
    reason: str


# --- Crew -------------------------------------------------------------------


@event_type
@dataclass(frozen=True)
class CrewMemberRegistered(Payload):
    registers = "crew"
    id: NewId
    name: str
    agency: str
    aliases: tuple[str, ...] = ()


@event_type
@dataclass(frozen=True)
class ReturnVehicleAssigned(Payload):
    crew_member: CrewId
    vehicle: VehicleId
    planned_return: TargetDate


@event_type
@dataclass(frozen=True)
class LifeboatAssigned(Payload):
    """The vehicle holding the crew member's seat, used in an emergency."""

    crew_member: CrewId
    vehicle: VehicleId


@event_type
@dataclass(frozen=True)
class MissionExtended(Payload):
    crew: tuple[CrewId, ...]
    planned_return: TargetDate


# --- Incident ---------------------------------------------------------------


@event_type
@dataclass(frozen=True)
class IncidentOpened(Payload):
    registers = "incident"
    id: NewId
    title: str
    vehicles: tuple[VehicleId, ...] = ()


@event_type
@dataclass(frozen=True)
class LeakDetected(Payload):
    """A leak: the vehicle is damaged and its crewed return goes under review."""

    vehicle: VehicleId
    system: str
    description: str


@event_type
@dataclass(frozen=True)
class ObservationRecorded(Payload):
    observer: str
    description: str
    vehicle: VehicleId | None = None


@event_type
@dataclass(frozen=True)
class StatementIssued(Payload):
    speaker: str
    summary: str
    kind: Literal["statement", "assurance", "expert_opinion"] = "statement"
    quote: str | None = None


@event_type
@dataclass(frozen=True)
class CommissionConvened(Payload):
    commission: str
    mandate: str


@event_type
@dataclass(frozen=True)
class FindingIssued(Payload):
    authority: str
    cause: str
    method: str
    summary: str


@event_type
@dataclass(frozen=True)
class VehicleDamageAssessed(Payload):
    vehicle: VehicleId
    health: Health
    crewed_return: Clearance
    condition: str | None = None


@event_type
@dataclass(frozen=True)
class DecisionTaken(Payload):
    authority: str
    summary: str
    rationale: str
    alternatives: tuple[str, ...] = ()
    supersedes: tuple[EventId, ...] = ()


@event_type
@dataclass(frozen=True)
class IncidentClosed(Payload):
    summary: str


# --- Corrections --------------------------------------------------------------


@event_type
@dataclass(frozen=True)
class EntryCorrected(Payload):
    """New values for an earlier event's data fields and/or its times.

    `changes` names data fields of the target, and may also name
    `occurred_at` and `reported_at` (the target's times): a correction that
    moves `occurred_at` moves the event in valid time. The target keeps its id
    and position; a query sees it corrected once the correction was reported
    (by `known_at`), whatever `as_of` is.
    """

    amends = True
    target: EventId
    reason: str
    changes: Changes


@event_type
@dataclass(frozen=True)
class EntryRetracted(Payload):
    """An earlier event should never have been recorded. Retracting a
    retraction restores its target."""

    amends = True
    target: EventId
    reason: str


# --- Parsing ----------------------------------------------------------------


def parse_payload(type_name: object, data: object) -> Payload:
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
    return cls(**values)


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
    return {f.name: f for f in fields(EVENT_TYPES[type_name])}  # type: ignore[arg-type]


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

    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(path, f"must be an integer; got {value!r}")
        if value < 0:
            raise InvalidValue(path, "must not be negative")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise InvalidValue(path, f"must be true or false; got {value!r}")
        return value
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(path, f"must be a non-empty string; got {value!r}")
    if hint in (VehicleId, CrewId, IncidentId, NewId) and not SLUG.match(value):
        raise InvalidValue(path, "must be a lowercase slug (letters, digits, single hyphens, "
                           f"e.g. 'cargo-ship-3'); got {value!r}")
    if hint is EventId:
        if not UUID_TEXT.match(value.lower()):
            raise InvalidValue(path, f"must be an event id (UUID); got {value!r}")
        return str(UUID(value))
    return value


def references(payload: Payload) -> list[tuple[str, str, str]]:
    """Every (field path, kind, id) the payload names that must already exist."""
    found: list[tuple[str, str, str]] = []
    hints = _hints(type(payload))
    kinds = {VehicleId: "vehicle", CrewId: "crew", IncidentId: "incident", EventId: "event"}
    for f in fields(payload):  # type: ignore[arg-type]
        hint = hints[f.name]
        value = getattr(payload, f.name)
        base = _base_type(hint)
        if base not in kinds or value is None:
            continue
        items = value if isinstance(value, tuple) else (value,)
        for index, item in enumerate(items):
            suffix = f"[{index}]" if isinstance(value, tuple) else ""
            found.append((f"data.{f.name}{suffix}", kinds[base], item))
    return found


def _base_type(hint: Any) -> Any:
    while True:
        origin = get_origin(hint)
        if origin in (Union, types.UnionType):
            hint = next(a for a in get_args(hint) if a is not type(None))
        elif origin is tuple:
            hint = get_args(hint)[0]
        else:
            return hint


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, TargetDate):
        return value.text
    return value
