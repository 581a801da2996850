"""Is the store reachable, and how far does the log reach? Is the service ready?

`/health` reads the store through the application (a dead store answers 503
after the store timeout, see `api.store_deadline`). `/ready` asks the store a
trivial question on a connection of its own, within the store timeout: what a
load balancer or an orchestrator asks before sending traffic. Neither needs a
token.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import Application
from api.schemas import Health, problems
from store.availability import StoreUnavailable

router = APIRouter(tags=["health"])


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    store: str = Field(examples=["sqlite:./incidentlog.db"])
    timeout_seconds: float = Field(description="How long the store may take to answer before the service "
                                   "says it is unavailable (INCIDENTLOG_STORE_TIMEOUT_SECONDS).")


@router.get("/health", response_model=Health, responses=problems(503))
def health(application: Application) -> dict[str, Any]:
    return {"status": "ok", **application.describe()}  # reads the store's index: a dead store fails here


@router.get("/ready", response_model=Ready, responses={
    503: {**problems(503)[503], "description": "The store did not answer within the store timeout."}})
async def ready(request: Request) -> Ready:
    """Ready when the store answers a trivial query within `INCIDENTLOG_STORE_TIMEOUT_SECONDS`;
    otherwise 503 (problem+json, with Retry-After)."""
    watch = request.app.state.store_watch
    if not await watch.answers():
        raise StoreUnavailable(watch.last_silence or "no answer within the store timeout")
    settings = watch.settings
    return Ready(store=settings.describe_store(), timeout_seconds=settings.store_timeout_seconds)
