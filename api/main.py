"""The FastAPI application: `create_app()`, also a factory for uvicorn::

    uvicorn api.main:create_app --factory

One `IncidentLogApplication` serves every request of a process; the store it
opens is chosen by `INCIDENTLOG_STORE` (see `store.settings`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from api.auth import Authentication, required_role
from api.errors import BodySizeLimit, install_error_handlers
from api.logs import RequestLogMiddleware
from api.routers import (
    crew,
    decisions,
    docs,
    events,
    health,
    incidents,
    integrity,
    metrics,
    page,
    session,
    state,
    vehicles,
)
from api.schemas import finish_openapi, vocabulary_markdown
from api.store_deadline import StoreDeadline, StoreWatch
from observability.logs import configure_logging
from store.application import IncidentLogApplication
from store.settings import Settings
from store.tokens import TokenStore
from store.views_catch_up import ViewsCatchUp

DESCRIPTION = """
A system of record for incidents on a crewed space station. Every fact is an
immutable event; nothing is updated or deleted (a mistake is fixed by an
`EntryCorrected` or `EntryRetracted` event).

**Three times on every event.** `occurred_at` (when it happened, required),
`reported_at` (when it became known; defaults to when it is recorded) and
`recorded_at` (set by the log). Reads take `as_of` (valid time), `known_at`
(knowledge time) and `recorded_before` (what this log had stored then).

For example, if a leak on the vehicle `capsule-1` was detected on 2025-05-14
and its cause was announced on 2025-06-11,
`GET /vehicles/capsule-1?as_of=2025-05-20&known_at=2025-05-20` shows what was
believed on 20 May; with `known_at` left out, what is known today about that
same day.

**Errors** are `application/problem+json`; `errors[].field` names the field
(`events[3].data.vehicle`) and `errors[].rule` the rule it broke.
**Tokens.** Send `Authorization: Bearer <secret>` (a token from `incidentlog
tokens create NAME --role ROLE`); its name is recorded as the writer. Roles,
each including the ones before: `reader` (every query), `reporter`
(registrations, movements, plans, assignments, observations, a leak, an
incident opened), `investigator` (findings, damage assessments, statements, a
commission), `authority` (decisions, an incident closed), `admin`. A
correction or retraction needs the role of the event it amends. No or a bad
token: 401; too low a role: 403. Served on a loopback address, reads need no
token. The page signs in with `POST /session`, which sets a cookie.
"""

log = structlog.get_logger("incidentlog.api")


def create_app(settings: Settings | None = None,
               application: IncidentLogApplication | None = None) -> FastAPI:
    """The API over `application`, or over one opened from `settings` (default:
    the environment) when the app starts and closed when it stops.

    Logging is configured here unless the process has configured structlog
    already (the CLI does so before it serves).
    """
    settings = settings or (application.settings if application else Settings.from_env())
    if not structlog.is_configured():
        configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = application is None
        app.state.application = application or IncidentLogApplication(settings)
        app.state.tokens = TokenStore(settings)  # who may ask what (api.auth)
        app.state.application.database.answered = app.state.store_watch.heard  # a long read is only slow
        log.info("api_started", store=app.state.application.settings.describe_store(),
                 head=app.state.application.head)
        catch_up = None
        if settings.views_catch_up_seconds > 0:  # `incidentlog serve` asks for it
            catch_up = ViewsCatchUp(settings, app.state.application.views_status, settings.views_catch_up_seconds)
            catch_up.start()
        try:
            yield
        finally:
            if catch_up is not None:
                catch_up.stop()
            app.state.tokens.close()
            if owned:
                app.state.application.close()
            log.info("api_stopped")

    app = FastAPI(title="incidentlog", version="0.1.0", description=DESCRIPTION + "\n" + vocabulary_markdown(),
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # docs.install serves them offline
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(Authentication)  # inside the request log, so that refusals are logged too
    app.state.store_watch = StoreWatch(settings)  # is the store answering? (/ready, and slow requests)
    # A request the store leaves unanswered gets 503 (api.store_deadline); inside the limit and the
    # counting, outside whatever may wait for the store.
    app.add_middleware(StoreDeadline, watch=app.state.store_watch)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(metrics.RequestMetrics)  # counts every answer, a refused body's too
    app.add_middleware(RequestLogMiddleware)  # outermost: it logs even a refused body
    for module in (events, state, vehicles, crew, incidents, decisions, health, integrity, metrics, session):
        app.include_router(module.router)
    docs.install(app)
    page.install(app)  # the page at / and its static files
    finish_openapi(app, required_role)
    return app
