"""One vehicle's status at a horizon, why a field has its value, and its history."""

from __future__ import annotations

from fastapi import APIRouter

from answers import FieldAnswer, VehicleAnswer, VehicleHistory
from api.deps import Application, Explain, QueryHorizon
from api.errors import NotFound
from projections.picture import VehicleStatus
from projections.state import StationState, ViewAt
from projections.versions import VEHICLE

router = APIRouter(prefix="/vehicles", tags=["vehicles"])


def _vehicle(state: StationState | ViewAt, vehicle_id: str) -> VehicleStatus:
    vehicle = state.find_vehicle(vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle_id", f"no vehicle {vehicle_id!r} at this horizon")
    return vehicle


@router.get("/{vehicle_id}", response_model=VehicleAnswer)
def read_vehicle(vehicle_id: str, application: Application, horizon: QueryHorizon,
                 explain: Explain = False) -> VehicleAnswer:
    """A vehicle by id or name (e.g. `capsule-1`, `Capsule 1`): location, health,
    crewed-return clearance, crews."""
    source = application.view_or_state(VEHICLE, vehicle_id, horizon, explain)
    return VehicleAnswer.of(source, _vehicle(source, vehicle_id), explain)


@router.get("/{vehicle_id}/explain/{field}", response_model=FieldAnswer)
def explain_vehicle_field(vehicle_id: str, field: str, application: Application,
                          horizon: QueryHorizon) -> FieldAnswer:
    """Why one field of a vehicle has its value (e.g. `crewed_return`): the event that set it and
    the evidence chain behind that event; a return crew through each member's assignment."""
    state = application.view_or_state(VEHICLE, vehicle_id, horizon, explain=True)
    vehicle = _vehicle(state, vehicle_id)
    fields = vehicle.to_json()
    if field not in fields:
        raise NotFound("field", f"{field!r} is not a field of a vehicle; its fields are {', '.join(fields)}")
    return FieldAnswer.of(state, vehicle, field)


@router.get("/{vehicle_id}/history", response_model=VehicleHistory)
def read_vehicle_history(vehicle_id: str, application: Application, horizon: QueryHorizon) -> VehicleHistory:
    """Each change of the vehicle's status over valid time, with the event that caused it,
    as known at `known_at` (`as_of` does not apply: a history runs through all of time)."""
    changes = application.history("vehicle", vehicle_id, horizon)
    if changes is None:
        raise NotFound("vehicle_id", f"no vehicle {vehicle_id!r} as known at this horizon")
    return VehicleHistory.of(vehicle_id, horizon, changes)
