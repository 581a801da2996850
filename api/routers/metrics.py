"""`GET /metrics` for Prometheus, and the middleware that counts every request
(what is counted, and how several workers add up: `observability.metrics`).

Neither needs the store: a scrape answers while the store is down, and shows
the 503s that the outage causes.
"""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas import PROBLEM_JSON
from observability import metrics

router = APIRouter(tags=["health"])

_PROBLEM_TYPE = "urn:incidentlog:problem:"
_PROBLEM_BODY_LIMIT = 65_536  # a problem is small; never hold more of a body than this to read its kind


@router.get("/metrics", response_class=Response, responses={200: {
    "description": "The service's metrics in Prometheus' text exposition format.",
    "content": {"text/plain": {"schema": {"type": "string"}, "example": (
        "# TYPE incidentlog_appended_events_total counter\nincidentlog_appended_events_total 42.0\n")}}}})
def read_metrics(request: Request) -> Response:
    """Requests by route and status, latency histograms, appends, refusals by kind,
    the log's size, whether the store answers, and hash-chain checks."""
    application = getattr(request.app.state, "application", None)
    if application is not None:  # the log as this process last read it: a scrape never waits for the store
        seen = application.last_seen()
        metrics.record_log(seen["events"], seen["head"])
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


class RequestMetrics:
    """ASGI middleware: counts each request by method, route template and
    status, times it until its response starts, and counts problem answers by
    their kind."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        status = 0
        problem: bytearray | None = None  # the body of a problem answer, to read its kind

        async def counting_send(message: Message) -> None:
            nonlocal status, problem
            if message["type"] == "http.response.start":
                status = message["status"]
                metrics.record_request(scope["method"], _route(scope), status, time.perf_counter() - arrived)
                if status >= 400 and Headers(raw=message["headers"]).get("content-type", "") == PROBLEM_JSON:
                    problem = bytearray()
            elif message["type"] == "http.response.body" and problem is not None:
                problem += message.get("body", b"")[:_PROBLEM_BODY_LIMIT - len(problem)]
                if not message.get("more_body", False):
                    metrics.record_problem(scope["method"], _route(scope), status, _kind(bytes(problem)))
                    problem = None
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            if not status:  # the server answers 500 outside this middleware
                metrics.record_request(scope["method"], _route(scope), 500, time.perf_counter() - arrived)
                metrics.record_problem(scope["method"], _route(scope), 500, "internal")
            raise


def _route(scope: Scope) -> str:
    """The path template of the route that took the request (bounded, unlike paths)."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else metrics.UNMATCHED


def _kind(body: bytes) -> str:
    try:
        kind = json.loads(body).get("type", "")
    except (ValueError, AttributeError):
        return "unknown"
    return kind.removeprefix(_PROBLEM_TYPE) if isinstance(kind, str) and kind else "unknown"
