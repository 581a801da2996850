"""The questions the benchmark asks, each three ways.

- over HTTP: the request a user sends (`Question.path`);
- in process: the calls the route makes, on an `IncidentLogApplication` that
  is already open (`Question.ask`): whatever the application answers from (a
  fold of the log in memory today, a read model later), this measures it;
- by naive replay: read every event from the store, fold, answer
  (`Question.replay`), the cost the application must beat.

Horizons and subjects are drawn at random with a fixed seed, among the
vehicles and crew members registered by then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from answers import CapacityAnswer, CrewAnswer, FieldAnswer, VehicleAnswer, VehicleHistory
from domain.entry import Entry
from projections.history import history
from projections.horizon import Horizon
from projections.state import StationState, project
from projections.versions import CREW, VEHICLE
from store.application import IncidentLogApplication

KINDS = ("vehicle", "crew", "station", "explain", "history")
TITLES = {
    "vehicle": "vehicle as of",
    "crew": "crew member as of",
    "station": "whole station (capacity) as of",
    "explain": "explain one vehicle field",
    "history": "history of one vehicle",
}
ROUTES = {
    "vehicle": "GET /vehicles/{id}",
    "crew": "GET /crew/{id}",
    "station": "GET /capacity",
    "explain": "GET /vehicles/{id}/explain/{field}",
    "history": "GET /vehicles/{id}/history",
}
EXPLAINED = ("location", "health", "crewed_return", "return_crew")


class NoAnswer(LookupError):
    """A question the log could not answer (the benchmark asked it wrongly)."""


@dataclass(frozen=True)
class Question:
    kind: str
    subject: str  # a vehicle or crew id; "" for the station
    as_of: str
    known_at: str | None  # None: as known now
    field: str | None = None

    @property
    def path(self) -> str:
        query = {"as_of": self.as_of, **({"known_at": self.known_at} if self.known_at else {})}
        subject = quote(self.subject)
        route = {"vehicle": f"/vehicles/{subject}", "crew": f"/crew/{subject}", "station": "/capacity",
                 "explain": f"/vehicles/{subject}/explain/{self.field}",
                 "history": f"/vehicles/{subject}/history"}[self.kind]
        return f"{route}?{urlencode(query)}"

    def horizon(self, application: IncidentLogApplication) -> Horizon:
        return Horizon.parse(self.as_of, self.known_at, None, application.now())

    def ask(self, application: IncidentLogApplication) -> object:
        """The answer in process, as the route builds it."""
        horizon = self.horizon(application)
        if self.kind == "history":
            changes = application.history("vehicle", self.subject, horizon)
            return VehicleHistory.of(self.subject, horizon, _found(changes, self))
        if self.kind in (VEHICLE, CREW, "explain"):  # as the routes answer
            kind = CREW if self.kind == CREW else VEHICLE
            source = application.view_or_state(kind, self.subject, horizon, explain=self.kind == "explain")
            if self.kind == CREW:
                return CrewAnswer.of(source, _found(source.find_crew(self.subject), self))
            vehicle = _found(source.find_vehicle(self.subject), self)
            if self.kind == "explain":
                assert self.field is not None
                return FieldAnswer.of(source, vehicle, self.field)
            return VehicleAnswer.of(source, vehicle)
        if self.kind == "station":
            return CapacityAnswer.of(application.capacity_or_state(horizon))
        return self._answer(application.state(horizon))

    def replay(self, entries: list[Entry], horizon: Horizon) -> object:
        """The answer from every event, folded here (entries as read from the store)."""
        if self.kind == "history":
            return VehicleHistory.of(self.subject, horizon, _found(history(entries, horizon, "vehicle",
                                                                           self.subject), self))
        return self._answer(project(entries, horizon))

    def _answer(self, state: StationState) -> object:
        if self.kind == "station":
            return CapacityAnswer.of(state)
        if self.kind == "crew":
            return CrewAnswer.of(state, _found(state.find_crew(self.subject), self))
        vehicle = _found(state.find_vehicle(self.subject), self)
        if self.kind == "explain":
            assert self.field is not None
            return FieldAnswer.of(state, vehicle, self.field)
        return VehicleAnswer.of(state, vehicle)


def _found(value: Any, question: Question) -> Any:
    if value is None:
        raise NoAnswer(f"no answer to {question}")
    return value


@dataclass(frozen=True)
class Cast:
    """When each vehicle and crew member was registered, and the log's span."""

    vehicles: list[tuple[str, str]]  # (registered on, id), in order
    crew: list[tuple[str, str]]
    first_day: date
    last_day: date

    @classmethod
    def of(cls, events: list[dict[str, Any]]) -> Cast:
        def registered(type_: str) -> list[tuple[str, str]]:
            return sorted((e["occurred_at"][:10], e["data"]["id"]) for e in events if e["type"] == type_)
        days = [e["occurred_at"][:10] for e in events]
        return cls(registered("VehicleRegistered"), registered("CrewMemberRegistered"),
                   date.fromisoformat(min(days)), date.fromisoformat(max(e["reported_at"][:10] for e in events)))


def draw(kind: str, cast: Cast, rng: random.Random) -> Question:
    """A question of `kind` at a random horizon, about someone registered by then."""
    people = cast.crew if kind == "crew" else cast.vehicles
    earliest = date.fromisoformat(people[0][0])
    as_of = earliest + timedelta(days=rng.randint(0, max(0, (cast.last_day - earliest).days)))
    known_at = None
    if rng.random() < 0.5:  # as it was known then (or a little later), else as known now
        known_at = min(as_of + timedelta(days=rng.randint(0, 60)), cast.last_day).isoformat()
    subject = ""
    if kind != "station":
        candidates = [name for day, name in people if day <= as_of.isoformat()]
        subject = rng.choice(candidates)
    return Question(kind, subject, as_of.isoformat(), known_at,
                    rng.choice(EXPLAINED) if kind == "explain" else None)


def draws(kind: str, cast: Cast, count: int, seed: int) -> list[Question]:
    rng = random.Random(f"{seed}-{kind}")
    return [draw(kind, cast, rng) for _ in range(count)]

