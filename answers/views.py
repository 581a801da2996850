"""A vehicle's status, a crew member's plan and an incident's file, as of a
horizon. A target date is given as text and, beside it, as `<field>_window`
(kind, qualifier, earliest, latest), so that plans can be ordered."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field

from answers.explain import FieldExplanation, explained
from answers.horizon import Answer, AtHorizon
from domain.times import TargetDate
from projections.explain import Explanation
from projections.picture import CrewPlan, IncidentFile, Tracked, VehicleStatus
from projections.state import StationState, ViewAt

EXPLAIN = ("Only with `explain=true`: for each field set by an event, or derived from others, its value, "
           "that event and the evidence behind it.")


class TargetWindowOut(Answer):
    """A target date as the period it allows (`domain.times.TargetWindow`)."""

    text: str = Field(examples=["no earlier than 2023-02-24"])
    kind: str = Field(description="instant, day, month, year, not_announced or to_be_set", examples=["day"])
    qualifier: str | None = Field(description="on, no_earlier_than, not_later_than, early, mid or late "
                                              "(null for a target that gives no date)",
                                  examples=["no_earlier_than"])
    earliest: str | None = Field(description="The first instant it allows (UTC; null where open).",
                                 examples=["2023-02-24T00:00:00.000000Z"])
    latest: str | None = Field(description="The last instant it allows (UTC; null where open).", examples=[None])

    @classmethod
    def of(cls, target: TargetDate | None) -> Self | None:
        return None if target is None else cls.model_validate(target.window().to_json())


def _text(target: TargetDate | None) -> str | None:
    return None if target is None else target.text


def _explanations(state: StationState | ViewAt, view: Tracked, explain: bool) -> dict[str, Explanation] | None:
    """A view's explanations, if asked for: they read the events behind it (a
    `ViewAt` read without them refuses)."""
    return state.view_explanations(view) if explain else None


def _explain_field() -> Any:
    return Field(default=None, description=EXPLAIN, exclude_if=lambda explain: explain is None)


class VehicleFields(Answer):
    id: str = Field(examples=["capsule-1"])
    name: str = Field(examples=["Capsule 1"])
    kind: str = Field(examples=["capsule"])
    seats: int = Field(description="Crew seats.")
    flights: int = Field(description="Launches so far (a reusable capsule flies several crews).")
    location: str = Field(description="on_ground, scheduled, in_flight, docked, undocked, landed or lost")
    station: str | None = Field(description="Where it is docked.")
    port: str | None
    health: str = Field(description="nominal, damaged, …", examples=["damaged"])
    crewed_return: str = Field(description="cleared, emergency_only, not_cleared, under_review or "
                                           "not_applicable", examples=["emergency_only"])
    crewed_return_condition: str | None
    mission: str | None
    launch_crew: list[str]
    occupants: list[str] = Field(description="Inside it while in flight.")
    return_crew: list[str] = Field(description="Derived: whose assigned return vehicle it is.")
    planned_launch: str | None = Field(description="A target date, as written.")
    planned_launch_window: TargetWindowOut | None
    planned_return: str | None = Field(description="A target date, as written.")
    planned_return_window: TargetWindowOut | None
    open_incidents: list[str]
    explain: dict[str, FieldExplanation] | None = _explain_field()


def _vehicle(v: VehicleStatus, explain: dict[str, Explanation] | None) -> dict[str, Any]:
    """The fields of `VehicleFields` (a test checks they are all there), validated once by the answer built."""
    return {
        "id": v.id, "name": v.name, "kind": v.kind, "seats": v.seats, "flights": v.flights, "location": v.location,
        "station": v.station, "port": v.port, "health": v.health, "crewed_return": v.crewed_return,
        "crewed_return_condition": v.crewed_return_condition, "mission": v.mission,
        "launch_crew": list(v.launch_crew), "occupants": list(v.occupants), "return_crew": list(v.return_crew),
        "planned_launch": _text(v.planned_launch), "planned_launch_window": TargetWindowOut.of(v.planned_launch),
        "planned_return": _text(v.planned_return), "planned_return_window": TargetWindowOut.of(v.planned_return),
        "open_incidents": list(v.open_incidents), "explain": explained(explain),
    }


class VehicleView(VehicleFields):
    """A vehicle's status: where it is, its health, whether it may bring a crew home, its crews and plans."""

    @classmethod
    def of(cls, vehicle: VehicleStatus, explain: dict[str, Explanation] | None = None) -> Self:
        return cls(**_vehicle(vehicle, explain))


class VehicleAnswer(AtHorizon, VehicleFields):  # the vehicle's fields first, then the horizon's
    """A vehicle's status at a horizon (`GET /vehicles/{id}`, `incidentlog vehicle ID --json`)."""

    @classmethod
    def of(cls, state: StationState | ViewAt, vehicle: VehicleStatus, explain: bool = False) -> Self:
        """From a whole picture, or from one version of the view (`ViewAt`)."""
        explained = _explanations(state, vehicle, explain)
        return cls(**_vehicle(vehicle, explained), **state.horizon.to_json(), position=state.position)


class CrewFields(Answer):
    id: str = Field(examples=["crew-a"])
    name: str = Field(examples=["Crew Member A"])
    aliases: list[str] = Field(description="Other spellings it is found by.")
    agency: str = Field(examples=["NASA"])
    aboard: bool = Field(description="Aboard a station.")
    station: str | None
    launch_vehicle: str | None
    planned_launch: str | None = Field(description="A target date, as written.")
    planned_launch_window: TargetWindowOut | None
    arrived_on: str | None = Field(description="The vehicle of the current stay's arrival.")
    return_vehicle: str | None = Field(description="The vehicle assigned to bring them home.")
    lifeboat: str | None = Field(description="The vehicle holding their seat in an emergency.")
    planned_return: str | None = Field(description="A target date, as written.")
    planned_return_window: TargetWindowOut | None
    mission_extended: bool
    explain: dict[str, FieldExplanation] | None = _explain_field()


def _crew(c: CrewPlan, explain: dict[str, Explanation] | None) -> dict[str, Any]:
    """The fields of `CrewFields` (a test checks they are all there), validated once by the answer built."""
    return {
        "id": c.id, "name": c.name, "aliases": list(c.aliases), "agency": c.agency, "aboard": c.aboard,
        "station": c.station, "launch_vehicle": c.launch_vehicle, "planned_launch": _text(c.planned_launch),
        "planned_launch_window": TargetWindowOut.of(c.planned_launch), "arrived_on": c.arrived_on,
        "return_vehicle": c.return_vehicle, "lifeboat": c.lifeboat, "planned_return": _text(c.planned_return),
        "planned_return_window": TargetWindowOut.of(c.planned_return), "mission_extended": c.mission_extended,
        "explain": explained(explain),
    }


class CrewView(CrewFields):
    """A crew member's plan: aboard or not, how they came, how they go home, their lifeboat."""

    @classmethod
    def of(cls, member: CrewPlan, explain: dict[str, Explanation] | None = None) -> Self:
        return cls(**_crew(member, explain))


class CrewAnswer(AtHorizon, CrewFields):  # the crew member's fields first, then the horizon's
    """A crew member's plan at a horizon (`GET /crew/{name}`, `incidentlog crew NAME --json`)."""

    @classmethod
    def of(cls, state: StationState | ViewAt, member: CrewPlan, explain: bool = False) -> Self:
        """From a whole picture, or from one version of the view (`ViewAt`)."""
        explained = _explanations(state, member, explain)
        return cls(**_crew(member, explained), **state.horizon.to_json(), position=state.position)


class IncidentView(Answer):
    """An incident's file in the station picture."""

    id: str = Field(examples=["capsule-1-coolant-leak"])
    title: str
    vehicles: list[str]
    status: str = Field(description="open, under_investigation, cause_determined or closed")
    opened_at: str | None
    timeline: list[str] = Field(description="Its event ids, in valid time.")
    explain: dict[str, FieldExplanation] | None = _explain_field()

    @classmethod
    def of(cls, incident: IncidentFile, explain: dict[str, Explanation] | None = None) -> Self:
        return cls(id=incident.id, title=incident.title, vehicles=list(incident.vehicles), status=incident.status,
                   opened_at=incident.opened_at, timeline=list(incident.timeline), explain=explained(explain))
