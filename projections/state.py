"""The whole picture for one query: vehicles, crew, capacity and incidents,
as the world was at `as_of`, as it was known at `known_at`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.entry import Entry
from projections.capacity import StationCapacity, station_capacity
from projections.explain import Explanation, explain_capacity, explain_field, explain_view, explanations
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import CrewPlan, Picture, Tracked, VehicleStatus, fold


@dataclass(frozen=True)
class StationState:
    horizon: Horizon
    picture: Picture
    capacity: dict[str, StationCapacity]
    position: int  # the last log position the answer drew on
    known: Mapping[UUID, Entry] = field(default_factory=dict, repr=False)  # events as believed at known_at

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        return {
            **self.horizon.to_json(),
            "position": self.position,
            "vehicles": {k: self.view_json(v, explain) for k, v in sorted(self.picture.vehicles.items())},
            "crew": {k: self.view_json(c, explain) for k, c in sorted(self.picture.crew.items())},
            "stations": {k: self.station_json(k, explain) for k in self.capacity},
            "incidents": {k: self.view_json(i, explain) for k, i in sorted(self.picture.incidents.items())},
        }

    def view_json(self, view: Tracked, explain: bool = False) -> dict[str, Any]:
        """A view's fields; with `explain`, also the event behind each and its evidence."""
        body = view.to_json()
        if explain:
            body["explain"] = explain_view(view, self.known)
        return body

    def station_json(self, station: str, explain: bool = False) -> dict[str, Any]:
        """A station's capacity; with `explain`, also what each count counts."""
        body = self.capacity[station].to_json()
        if explain:
            body["explain"] = {k: why.to_json() for k, why in self.station_explanations(station).items()}
        return body

    def explain(self, view: Tracked, field_name: str) -> dict[str, Any]:
        return {"field": field_name, **self.explanation(view, field_name).to_json()}

    def explanation(self, view: Tracked, field_name: str) -> Explanation:
        """Why one field of a view has its value (a default: set by no event)."""
        return explain_field(view, field_name, self.known)

    def view_explanations(self, view: Tracked) -> dict[str, Explanation]:
        """Every field of a view that an event set, or that derives from others, explained."""
        return explanations(view, self.known)

    def station_explanations(self, station: str) -> dict[str, Explanation]:
        """A station's crew aboard, cleared and emergency seats and shortfall, through what each counts."""
        return explain_capacity(self.capacity[station], self.known)

    def find_crew(self, name: str) -> CrewPlan | None:
        return find_crew(self.picture, name)

    def find_vehicle(self, name: str) -> VehicleStatus | None:
        return find_vehicle(self.picture, name)


@dataclass(frozen=True)
class ViewAt:
    """One vehicle or crew member at a horizon, read from the versions the
    read model keeps (`projections.versions`) rather than from a whole picture.
    With `known` (the events as believed then, looked up as asked), it
    explains its fields as `StationState` does; a return crew through the
    members it counts, read with it."""

    horizon: Horizon
    view: Tracked
    position: int  # the last log position the answer drew on
    known: Mapping[UUID, Entry] | None = field(default=None, repr=False)

    def explain(self, view: Tracked, field_name: str) -> dict[str, Any]:
        return {"field": field_name, **self.explanation(view, field_name).to_json()}

    def explanation(self, view: Tracked, field_name: str) -> Explanation:
        return explain_field(view, field_name, self._known())

    def view_explanations(self, view: Tracked) -> dict[str, Explanation]:
        return explanations(view, self._known())

    def _known(self) -> Mapping[UUID, Entry]:
        if self.known is None:
            raise ValueError("a view read without the events behind it cannot explain itself")
        return self.known

    def find_vehicle(self, name: str) -> VehicleStatus | None:
        """The view, if it is the vehicle `name` (the read model gives it by id)."""
        return self.view if isinstance(self.view, VehicleStatus) and self.view.id == name else None

    def find_crew(self, name: str) -> CrewPlan | None:
        return self.view if isinstance(self.view, CrewPlan) and self.view.id == name else None


@dataclass(frozen=True)
class StationsAt:
    """Every station's capacity at a horizon, read from the versions the read
    model keeps (`projections.versions`) rather than from a whole picture:
    without what each count counts, which only a picture can explain."""

    horizon: Horizon
    capacity: dict[str, StationCapacity]  # by station, in order
    position: int


def project(entries: Iterable[Entry], horizon: Horizon) -> StationState:
    stored = [e for e in entries if horizon.stored(e)]
    known = beliefs(stored, horizon)
    picture = fold(in_valid_time(known, horizon))
    position = max((e.position for e in stored), default=0)
    return StationState(horizon, picture, station_capacity(picture), position, known)


def find_crew(picture: Picture, name: str) -> CrewPlan | None:
    """A crew member by id; else by id, name or any alias, ignoring case,
    accents and punctuation. An id names one member whatever another's alias
    says (as `find_vehicle`, and as the read model, which keeps views by id)."""
    if name in picture.crew:
        return picture.crew[name]
    wanted = _fold_name(name)
    for member in picture.crew.values():
        if wanted in {_fold_name(n) for n in (member.id, member.name, *member.aliases)}:
            return member
    return None


def find_vehicle(picture: Picture, name: str) -> VehicleStatus | None:
    """A vehicle by id or name, ignoring case, accents and punctuation."""
    if name in picture.vehicles:
        return picture.vehicles[name]
    wanted = _fold_name(name)
    return next((v for v in picture.vehicles.values() if wanted in (_fold_name(v.id), _fold_name(v.name))), None)


def _fold_name(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())
