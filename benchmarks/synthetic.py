"""A synthetic but rule-abiding history: crews fly up, stay, and come home."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

START = date(2000, 1, 1)


def history(events: int) -> Iterator[dict[str, Any]]:
    """About `events` events: each rotation registers a vehicle and three crew,
    launches, docks, plans their return, and (after a while) brings them home."""
    produced = 0
    rotation = 0
    while produced < events:
        day = START + timedelta(days=rotation)
        vehicle = f"vehicle-{rotation}"
        crew = [f"crew-{rotation}-{seat}" for seat in range(3)]
        batch = [
            _event("VehicleRegistered", day, id=vehicle, name=f"Vehicle {rotation}", kind="capsule", seats=3),
            *(_event("CrewMemberRegistered", day, id=c, name=c.replace("-", " "), agency="agency",
                     aliases=[]) for c in crew),
            _event("VehicleLaunched", day, vehicle=vehicle, crew=crew),
            _event("VehicleDocked", day, vehicle=vehicle, station="station"),
            *(_event("ReturnVehicleAssigned", day, crew_member=c, vehicle=vehicle, planned_return="2001-01")
              for c in crew),
        ]
        if rotation >= 60:  # the crew of 60 rotations ago comes home
            old = rotation - 60
            old_crew = [f"crew-{old}-{seat}" for seat in range(3)]
            batch += [_event("VehicleUndocked", day, vehicle=f"vehicle-{old}", crew=old_crew),
                      _event("VehicleLanded", day, vehicle=f"vehicle-{old}", crew=old_crew)]
        for item in batch:
            if produced >= events:
                return
            produced += 1
            yield item
        rotation += 1


def _event(type_: str, day: date, **data: Any) -> dict[str, Any]:
    return {"type": type_, "occurred_at": day.isoformat(), "reported_at": day.isoformat(),
            "source": "benchmark", "data": data}
