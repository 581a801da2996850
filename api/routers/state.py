"""The whole station picture at a horizon: vehicles, crew, capacity, incidents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Application, Explain, QueryHorizon
from api.schemas import problems

router = APIRouter(tags=["state"])


@router.get("/state", responses=problems(422))
def read_state(application: Application, horizon: QueryHorizon, explain: Explain = False) -> dict[str, Any]:
    """Everything as it was at `as_of`, as known at `known_at` (e.g. `as_of=2022-12-20` with
    `known_at=2022-12-20` and with `known_at` today: the second knows what was learned later)."""
    return application.state(horizon).to_json(explain)
