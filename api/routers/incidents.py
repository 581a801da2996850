"""One incident's case file at a horizon."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Application, QueryHorizon
from api.errors import NotFound
from api.schemas import CaseFileOut

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("/{incident_id}", response_model=CaseFileOut)
def read_incident(incident_id: str, application: Application, horizon: QueryHorizon) -> dict[str, Any]:
    """An incident's case file (e.g. `capsule-1-coolant-leak`): status (open, under_investigation,
    cause_determined, closed) and timeline, with its observations, statements, findings and decisions,
    as of `as_of`, as known at `known_at`."""
    found = application.incident_file(incident_id, horizon)
    if found is None:
        raise NotFound("incident_id", f"no incident {incident_id!r} at this horizon")
    return found.to_json()
