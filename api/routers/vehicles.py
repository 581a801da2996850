"""One vehicle's status at a horizon."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Application, Explain, QueryHorizon
from api.errors import NotFound
from api.schemas import problems

router = APIRouter(prefix="/vehicles", tags=["vehicles"])


@router.get("/{vehicle_id}", responses=problems(404, 422))
def read_vehicle(vehicle_id: str, application: Application, horizon: QueryHorizon,
                 explain: Explain = False) -> dict[str, Any]:
    """A vehicle by id or name (e.g. `soyuz-ms-22`, `Soyuz MS-22`): location, health,
    crewed-return clearance, crews."""
    state = application.state(horizon)
    vehicle = state.find_vehicle(vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle_id", f"no vehicle {vehicle_id!r} at this horizon")
    return {**state.view_json(vehicle, explain), **state.horizon.to_json(), "position": state.position}


@router.get("/{vehicle_id}/history", responses=problems(404, 422))
def read_vehicle_history(vehicle_id: str, application: Application, horizon: QueryHorizon) -> dict[str, Any]:
    """Each change of the vehicle's status over valid time, with the event that caused it,
    as known at `known_at` (`as_of` does not apply: a history runs through all of time)."""
    changes = application.history("vehicle", vehicle_id, horizon)
    if changes is None:
        raise NotFound("vehicle_id", f"no vehicle {vehicle_id!r} as known at this horizon")
    return {"vehicle": vehicle_id, **horizon.to_json(), "changes": changes}
