"""Small builders so tests say only what matters to them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.entry import Draft

NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves; each reading advances it a millisecond."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def set(self, moment: str | datetime) -> None:
        self.now = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        if self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=UTC)


SAME_DAY = "same as occurred_at"


def event(type_: str, occurred_at: str = "2022-12-14", *, reported_at: str | None = SAME_DAY,
          source: str = "test", event_id: str | None = None, based_on: list[str] | None = None,
          incident: str | list[str] | None = None, **data: Any) -> dict[str, Any]:
    """An event in its JSON form, as a writer would send it; keywords not
    named here are its data fields. It is reported when it happened unless
    `reported_at` says otherwise (None: when the log records it)."""
    body: dict[str, Any] = {"type": type_, "occurred_at": occurred_at, "source": source, "data": data}
    if reported_at == SAME_DAY:
        body["reported_at"] = occurred_at
    elif reported_at is not None:
        body["reported_at"] = reported_at
    if event_id is not None:
        body["id"] = event_id
    if based_on:
        body["based_on"] = based_on
    if isinstance(incident, list):
        body["incidents"] = incident
    elif incident is not None:
        body["incident"] = incident
    return body


def new_id() -> str:
    return str(uuid.uuid4())


def draft(raw: dict[str, Any]) -> Draft:
    return Draft.from_json(raw, uuid.uuid4)


def vehicle(vehicle_id: str, seats: int = 3, occurred_at: str = "2022-09-01", kind: str = "soyuz",
            **envelope: Any) -> dict[str, Any]:
    return event("VehicleRegistered", occurred_at, id=vehicle_id, seats=seats, kind=kind,
                 name=vehicle_id.replace("-", " ").title(), **envelope)


def crew_member(crew_id: str, agency: str = "NASA", occurred_at: str = "2022-09-01",
                aliases: list[str] | None = None, **envelope: Any) -> dict[str, Any]:
    return event("CrewMemberRegistered", occurred_at, id=crew_id, agency=agency,
                 name=crew_id.replace("-", " ").title(), aliases=aliases or [], **envelope)


def docked_with_crew(vehicle_id: str, crew: list[str], day: str = "2022-09-21",
                     seats: int = 3, station: str = "iss") -> list[dict[str, Any]]:
    """A vehicle registered, launched with `crew` and docked at `station` on `day`."""
    return [
        vehicle(vehicle_id, seats=seats),
        *(crew_member(c) for c in crew),
        event("VehicleLaunched", day, vehicle=vehicle_id, crew=crew),
        event("VehicleDocked", day, vehicle=vehicle_id, station=station),
    ]
