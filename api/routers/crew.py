"""One crew member's plan at a horizon."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Application, Explain, QueryHorizon
from api.errors import NotFound
from api.schemas import problems

router = APIRouter(prefix="/crew", tags=["crew"])


@router.get("/{name}", responses=problems(404, 422))
def read_crew_member(name: str, application: Application, horizon: QueryHorizon,
                     explain: Explain = False) -> dict[str, Any]:
    """A crew member by id, name or alias (e.g. `frank-rubio`, `Prokopjew`): aboard,
    return vehicle, lifeboat, planned return."""
    state = application.state(horizon)
    member = state.find_crew(name)
    if member is None:
        raise NotFound("name", f"no crew member with id, name or alias {name!r} at this horizon")
    return {**state.view_json(member, explain), **state.horizon.to_json(), "position": state.position}


@router.get("/{name}/history", responses=problems(404, 422))
def read_crew_history(name: str, application: Application, horizon: QueryHorizon) -> dict[str, Any]:
    """Each change of the crew member's plan over valid time, with the event that caused it,
    as known at `known_at` (`as_of` does not apply: a history runs through all of time)."""
    changes = application.history("crew", name, horizon)
    if changes is None:
        raise NotFound("name", f"no crew member with id, name or alias {name!r} as known at this horizon")
    return {"crew_member": name, **horizon.to_json(), "changes": changes}
