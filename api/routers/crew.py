"""One crew member's plan at a horizon, why a field has its value, and its history."""

from __future__ import annotations

from fastapi import APIRouter

from answers import CrewAnswer, CrewHistory, FieldAnswer
from api.deps import Application, Explain, QueryHorizon
from api.errors import NotFound
from projections.picture import CrewPlan
from projections.state import StationState, ViewAt
from projections.versions import CREW

router = APIRouter(prefix="/crew", tags=["crew"])


def _member(state: StationState | ViewAt, name: str) -> CrewPlan:
    member = state.find_crew(name)
    if member is None:
        raise NotFound("name", f"no crew member with id, name or alias {name!r} at this horizon")
    return member


@router.get("/{name}", response_model=CrewAnswer)
def read_crew_member(name: str, application: Application, horizon: QueryHorizon,
                     explain: Explain = False) -> CrewAnswer:
    """A crew member by id, name or alias (e.g. `crew-a`, or a spelling of their name; an id
    names that member even where another has it as an alias): aboard, return vehicle, lifeboat,
    planned return."""
    source = application.view_or_state(CREW, name, horizon, explain)
    return CrewAnswer.of(source, _member(source, name), explain)


@router.get("/{name}/explain/{field}", response_model=FieldAnswer)
def explain_crew_field(name: str, field: str, application: Application, horizon: QueryHorizon) -> FieldAnswer:
    """Why one field of a crew member's plan has its value (e.g. `return_vehicle`): the event
    that set it and the evidence chain behind that event."""
    state = application.view_or_state(CREW, name, horizon, explain=True)
    member = _member(state, name)
    fields = member.to_json()
    if field not in fields:
        raise NotFound("field", f"{field!r} is not a field of a crew member; its fields are {', '.join(fields)}")
    return FieldAnswer.of(state, member, field)


@router.get("/{name}/history", response_model=CrewHistory)
def read_crew_history(name: str, application: Application, horizon: QueryHorizon) -> CrewHistory:
    """Each change of the crew member's plan over valid time, with the event that caused it,
    as known at `known_at` (`as_of` does not apply: a history runs through all of time). By id,
    the member with that id; by name or alias, the first member in valid time to answer to it."""
    changes = application.history("crew", name, horizon)
    if changes is None:
        raise NotFound("name", f"no crew member with id, name or alias {name!r} as known at this horizon")
    return CrewHistory.of(name, horizon, changes)
