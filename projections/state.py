"""The whole picture for one query: vehicles, crew, capacity and incidents,
as the world was at `as_of`, as it was known at `known_at`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.entry import Entry
from projections.capacity import StationCapacity, station_capacity
from projections.horizon import Horizon, in_valid_time
from projections.picture import CrewPlan, Picture, Tracked, fold


@dataclass(frozen=True)
class StationState:
    horizon: Horizon
    picture: Picture
    capacity: dict[str, StationCapacity]
    position: int  # the last log position the answer drew on

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        return {
            **self.horizon.to_json(),
            "position": self.position,
            "vehicles": {k: view_json(v, explain) for k, v in sorted(self.picture.vehicles.items())},
            "crew": {k: view_json(c, explain) for k, c in sorted(self.picture.crew.items())},
            "stations": {k: c.to_json() for k, c in self.capacity.items()},
            "incidents": {k: view_json(i, explain) for k, i in sorted(self.picture.incidents.items())},
        }

    def find_crew(self, name: str) -> CrewPlan | None:
        return find_crew(self.picture, name)


def project(entries: Iterable[Entry], horizon: Horizon) -> StationState:
    stored = [e for e in entries if horizon.stored(e)]
    picture = fold(in_valid_time(stored, horizon))
    position = max((e.position for e in stored), default=0)
    return StationState(horizon, picture, station_capacity(picture), position)


def view_json(view: Tracked, explain: bool) -> dict[str, Any]:
    body = view.to_json()
    if explain:
        body["set_by"] = {name: str(event) for name, event in sorted(view.set_by.items())}
    return body


def find_crew(picture: Picture, name: str) -> CrewPlan | None:
    """A crew member by id, name or any alias, ignoring case, accents and punctuation."""
    wanted = _fold_name(name)
    for member in picture.crew.values():
        if wanted in {_fold_name(n) for n in (member.id, member.name, *member.aliases)}:
            return member
    return None


def _fold_name(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())
