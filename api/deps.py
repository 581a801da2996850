"""What handlers need, as `Annotated` aliases that tests can override.

`Writer` is who is writing: the holder of the bearer token (or of the page's
session) that `api.auth.Authentication` checked before the route ran; its
name is recorded as the actor of what it appends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from api.auth import Identity, Unauthenticated, identity_of
from api.formats import POSITION_OR_TIME_PATTERN, TIME_PATTERN
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from store.settings import Settings


async def get_application(request: Request) -> IncidentLogApplication:
    application = request.app.state.application
    assert isinstance(application, IncidentLogApplication), "the lifespan sets app.state.application"
    return application


Application = Annotated[IncidentLogApplication, Depends(get_application)]


async def get_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings), "create_app sets app.state.settings"
    return settings


AppSettings = Annotated[Settings, Depends(get_settings)]


async def get_writer(request: Request) -> Identity:
    identity = identity_of(request.state)
    if identity is None or identity.anonymous:  # Authentication lets no such write through; never trust that alone
        raise Unauthenticated("Authorization", "writing needs a token")
    return identity


Writer = Annotated[Identity, Depends(get_writer)]


async def get_now(application: Application) -> datetime:
    """The default `as_of` and `known_at` of a query: the log's own clock."""
    return application.now()


Now = Annotated[datetime, Depends(get_now)]


async def get_horizon(
    now: Now,
    as_of: Annotated[str | None, Query(
        description="Valid time: the world as it was then (a date, or a date-time with Z or an offset; "
                    "a bare date means the end of that UTC day). Default: now.",
        examples=["2025-05-20"], json_schema_extra={"pattern": TIME_PATTERN})] = None,
    known_at: Annotated[str | None, Query(
        description="Knowledge time: only what had been reported by then (as `as_of`). Default: now.",
        examples=["2025-06-10"], json_schema_extra={"pattern": TIME_PATTERN})] = None,
    recorded_before: Annotated[str | None, Query(
        description="System time (as `as_of`) or log position (a whole number): only what this log had "
                    "stored by then (answers with a past bound never change).",
        examples=["2025-06-12", "42"], json_schema_extra={"pattern": POSITION_OR_TIME_PATTERN})] = None,
) -> Horizon:
    return Horizon.parse(as_of, known_at, recorded_before, now)


QueryHorizon = Annotated[Horizon, Depends(get_horizon)]

Explain = Annotated[bool, Query(description="Say which event set each field.")]
