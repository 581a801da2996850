"""Seats against crew, per station: can everyone aboard get home?

A seat counts as cleared when its vehicle is docked at the station and cleared
for crewed return; emergency seats are in docked vehicles usable only in an
emergency. Each crew member's lifeboat is the vehicle holding their seat, so
each docked vehicle's lifeboat assignments are counted against its seats: more
people assigned than seats is a finding. Every station the log has named
appears, crewed or not.

Each count explains through what it counts (`StationCapacity.derived`): the
crew aboard through each person's being aboard, the seats through each docked
vehicle's docking, seats and clearance, the shortfall through both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from projections.picture import CrewPlan, Part, Picture, VehicleStatus


@dataclass(frozen=True)
class LifeboatCheck:
    crew_member: str
    lifeboat: str | None
    docked: bool
    crewed_return: str | None

    def to_json(self) -> dict[str, Any]:
        return {"crew_member": self.crew_member, "lifeboat": self.lifeboat,
                "lifeboat_docked": self.docked, "lifeboat_crewed_return": self.crewed_return}


@dataclass(frozen=True)
class VehicleSeats:
    """A docked vehicle's seats against the crew aboard whose lifeboat it is."""

    vehicle: str
    seats: int
    crewed_return: str
    assigned: list[str]

    @property
    def over_assigned(self) -> int:
        return max(0, len(self.assigned) - self.seats)

    def to_json(self) -> dict[str, Any]:
        return {"vehicle": self.vehicle, "seats": self.seats, "crewed_return": self.crewed_return,
                "lifeboat_for": self.assigned, "over_assigned": self.over_assigned}


@dataclass(frozen=True)
class StationCapacity:
    station: str
    crew_aboard: list[str]
    docked_vehicles: list[str]
    cleared_seats: int
    emergency_seats: int
    lifeboats: list[LifeboatCheck] = field(default_factory=list)
    seats: list[VehicleSeats] = field(default_factory=list)
    # What each count counts: crew_aboard, cleared_seats, emergency_seats, shortfall.
    derived: dict[str, list[Part]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def shortfall(self) -> int:
        return max(0, len(self.crew_aboard) - self.cleared_seats)

    @property
    def alerts(self) -> list[str]:
        alerts = []
        if self.shortfall:
            alerts.append(f"{len(self.crew_aboard)} aboard, {self.cleared_seats} cleared seats")
        for vehicle in self.seats:
            if vehicle.over_assigned:
                alerts.append(f"{vehicle.vehicle}: {len(vehicle.assigned)} lifeboat assignments "
                              f"for {vehicle.seats} seats")
        for check in self.lifeboats:
            if check.lifeboat is None:
                alerts.append(f"{check.crew_member} has no lifeboat")
            elif not check.docked:
                alerts.append(f"{check.crew_member}'s lifeboat {check.lifeboat} is not docked here")
            elif check.crewed_return != "cleared":
                alerts.append(f"{check.crew_member}'s lifeboat {check.lifeboat} is {check.crewed_return}")
        return alerts

    def to_json(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "crew_aboard": len(self.crew_aboard),
            "crew": self.crew_aboard,
            "docked_vehicles": self.docked_vehicles,
            "cleared_seats": self.cleared_seats,
            "emergency_seats": self.emergency_seats,
            "shortfall": self.shortfall,
            "lifeboats": [check.to_json() for check in self.lifeboats],
            "seats": [vehicle.to_json() for vehicle in self.seats],
            "alerts": self.alerts,
        }


def station_capacity(picture: Picture) -> dict[str, StationCapacity]:
    stations = sorted(picture.stations | {v.station for v in picture.vehicles.values() if v.station}
                      | {c.station for c in picture.crew.values() if c.aboard and c.station})
    return {station: _capacity_of(picture, station) for station in stations}


def _capacity_of(picture: Picture, station: str) -> StationCapacity:
    docked = [v for v in picture.vehicles.values() if docked_at(v) == station]
    aboard = [c for c in picture.crew.values() if aboard_at(c) == station]
    return capacity_of(station, docked, aboard, picture.vehicles)


def docked_at(vehicle: VehicleStatus) -> str | None:
    """The station whose seats the vehicle's count towards, if any."""
    return vehicle.station if vehicle.location == "docked" else None


def aboard_at(member: CrewPlan) -> str | None:
    return member.station if member.aboard else None


class Seats(Protocol):
    """What a station's count needs of a vehicle."""

    @property
    def id(self) -> str: ...
    @property
    def seats(self) -> int: ...
    @property
    def crewed_return(self) -> str: ...


class Holder(Protocol):
    """What a station's count needs of a crew member."""

    @property
    def id(self) -> str: ...
    @property
    def lifeboat(self) -> str | None: ...


def capacity_of(station: str, docked: list[VehicleStatus], aboard: list[CrewPlan],
                vehicles: Mapping[str, VehicleStatus]) -> StationCapacity:
    """A station's capacity from the vehicles docked there and the crew aboard
    (each in the picture's order), each count saying what it counts."""
    people = [Part(c, "aboard") for c in aboard]
    cleared, emergency = (
        [Part(v, name, v.crewed_return == clearance) for v in docked
         for name in ("location", "seats", "crewed_return")]
        for clearance in ("cleared", "emergency_only"))
    return replace(seats_against_crew(station, docked, aboard, vehicles), derived={
        "crew_aboard": people, "cleared_seats": cleared, "emergency_seats": emergency,
        "shortfall": [*people, *cleared]})


def seats_against_crew(station: str, docked: Sequence[Seats], aboard: Sequence[Holder],
                       vehicles: Mapping[str, Seats]) -> StationCapacity:
    """The counts alone: `vehicles` finds each lifeboat wherever it is. The
    read model keeps the counts only, so it needs no more of each view than
    `Seats` and `Holder` say."""
    docked_ids = {v.id for v in docked}
    lifeboats = []
    holders: dict[str, list[str]] = {}
    for member in aboard:
        boat = vehicles.get(member.lifeboat) if member.lifeboat else None
        lifeboats.append(LifeboatCheck(member.id, member.lifeboat, member.lifeboat in docked_ids,
                                       boat.crewed_return if boat else None))
        if member.lifeboat is not None:
            holders.setdefault(member.lifeboat, []).append(member.id)
    return StationCapacity(
        station=station,
        crew_aboard=[c.id for c in aboard],
        docked_vehicles=[v.id for v in docked],
        cleared_seats=sum(v.seats for v in docked if v.crewed_return == "cleared"),
        emergency_seats=sum(v.seats for v in docked if v.crewed_return == "emergency_only"),
        lifeboats=lifeboats,
        seats=[VehicleSeats(v.id, v.seats, v.crewed_return, sorted(holders.get(v.id, ()))) for v in docked],
    )
