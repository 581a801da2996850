"""Seats against crew, per station: can everyone aboard get home?"""

from __future__ import annotations

from typing import Self

from pydantic import Field

from answers.explain import FieldExplanation, explained
from answers.horizon import Answer, AtHorizon
from projections.capacity import LifeboatCheck, StationCapacity, VehicleSeats
from projections.explain import Explanation
from projections.state import StationsAt, StationState


class LifeboatOut(Answer):
    """A crew member aboard, and whether their lifeboat (the vehicle holding their seat) can take them."""

    crew_member: str = Field(examples=["crew-a"])
    lifeboat: str | None = Field(examples=["capsule-1"])
    lifeboat_docked: bool = Field(description="Docked at this station.")
    lifeboat_crewed_return: str | None = Field(examples=["emergency_only"])

    @classmethod
    def of(cls, check: LifeboatCheck) -> Self:
        return cls(crew_member=check.crew_member, lifeboat=check.lifeboat, lifeboat_docked=check.docked,
                   lifeboat_crewed_return=check.crewed_return)


class VehicleSeatsOut(Answer):
    """A docked vehicle's seats against the crew aboard whose lifeboat it is."""

    vehicle: str = Field(examples=["capsule-1"])
    seats: int
    crewed_return: str
    lifeboat_for: list[str]
    over_assigned: int = Field(description="Lifeboat assignments beyond its seats.")

    @classmethod
    def of(cls, seats: VehicleSeats) -> Self:
        return cls(vehicle=seats.vehicle, seats=seats.seats, crewed_return=seats.crewed_return,
                   lifeboat_for=list(seats.assigned), over_assigned=seats.over_assigned)


class StationCapacityOut(Answer):
    """Crew aboard a station against the seats of its docked vehicles."""

    station: str = Field(examples=["station-1"])
    crew_aboard: int = Field(description="How many are aboard.", examples=[7])
    crew: list[str] = Field(description="Who is aboard.")
    docked_vehicles: list[str]
    cleared_seats: int = Field(description="Seats in docked vehicles cleared for crewed return.", examples=[4])
    emergency_seats: int = Field(description="Seats in docked vehicles usable only in an emergency.",
                                 examples=[3])
    shortfall: int = Field(description="People aboard without a cleared seat.", examples=[3])
    lifeboats: list[LifeboatOut]
    seats: list[VehicleSeatsOut]
    alerts: list[str] = Field(examples=[["7 aboard, 4 cleared seats"]])
    explain: dict[str, FieldExplanation] | None = Field(
        default=None, exclude_if=lambda explain: explain is None,
        description="Only with `explain=true`: crew_aboard, cleared_seats, emergency_seats and shortfall, each "
                    "through its parts: the event that put each person aboard, and each docked vehicle's "
                    "docking, seats and clearance.")

    @classmethod
    def of(cls, capacity: StationCapacity, explain: dict[str, Explanation] | None = None) -> Self:
        return cls(station=capacity.station, crew_aboard=len(capacity.crew_aboard), crew=list(capacity.crew_aboard),
                   docked_vehicles=list(capacity.docked_vehicles), cleared_seats=capacity.cleared_seats,
                   emergency_seats=capacity.emergency_seats, shortfall=capacity.shortfall,
                   lifeboats=[LifeboatOut.of(c) for c in capacity.lifeboats],
                   seats=[VehicleSeatsOut.of(s) for s in capacity.seats], alerts=capacity.alerts,
                   explain=explained(explain))


def stations_of(state: StationState | StationsAt, explain: bool = False) -> dict[str, StationCapacityOut]:
    """Each station's capacity; explained, from a whole picture only."""
    if explain and not isinstance(state, StationState):
        raise ValueError("only a whole picture explains what each count counts")
    return {name: StationCapacityOut.of(capacity, state.station_explanations(name)
                                        if isinstance(state, StationState) and explain else None)
            for name, capacity in state.capacity.items()}


class CapacityAnswer(AtHorizon):
    """Every station's capacity at a horizon (`GET /capacity`, `incidentlog capacity --json`)."""

    stations: dict[str, StationCapacityOut] = Field(description="Every station the log has named, crewed or not.")

    @classmethod
    def of(cls, state: StationState | StationsAt, explain: bool = False) -> Self:
        return cls(**state.horizon.to_json(), position=state.position, stations=stations_of(state, explain))
