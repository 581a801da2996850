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
    """A vehicle by id (e.g. `soyuz-ms-22`): location, health, crewed-return clearance, crews."""
    state = application.state(horizon)
    vehicle = state.picture.vehicles.get(vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle_id", f"no vehicle {vehicle_id!r} at this horizon")
    return {**state.view_json(vehicle, explain), **state.horizon.to_json(), "position": state.position}
