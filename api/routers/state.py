"""The whole station picture at a horizon, and each station's capacity."""

from __future__ import annotations

from fastapi import APIRouter

from answers import CapacityAnswer, StateAnswer
from api.deps import Application, Explain, QueryHorizon

router = APIRouter(tags=["state"])


@router.get("/state", response_model=StateAnswer)
def read_state(application: Application, horizon: QueryHorizon, explain: Explain = False) -> StateAnswer:
    """Everything as it was at `as_of`, as known at `known_at` (e.g. `as_of=2025-05-20` with
    `known_at=2025-05-20` and with `known_at` today: the second knows what was learned later).
    With `explain=true`, every field says which event set it, and each station's counts
    say what they count."""
    return StateAnswer.of(application.state(horizon), explain)


@router.get("/capacity", response_model=CapacityAnswer)
def read_capacity(application: Application, horizon: QueryHorizon, explain: Explain = False) -> CapacityAnswer:
    """Seats against crew at each station, and each person's lifeboat: can everyone get home?
    With `explain=true`, each count through the people, vehicles, seats and clearances it counts."""
    return CapacityAnswer.of(application.capacity_or_state(horizon, explain), explain)
