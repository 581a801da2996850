"""Every refusal becomes an ``application/problem+json`` answer here, and only here.

A problem (RFC 9457) says what went wrong in `title`/`detail` and, in
`errors`, which field broke which rule, using the same paths the writer sent
(``data.vehicle``, ``events[3].occurred_at``, or a query parameter's name).

- domain errors, by their `kind`: invalid or unknown reference → 422,
  conflict with the log or a reused event id → 409;
- request validation (query, path, body shape, malformed JSON) → 422;
- `NotFound` → 404; `TooLarge` (an oversized body or batch) → 413;
- a store that does not answer (`StoreUnavailable`, or an error of
  `store.availability.UNREACHABLE`) → 503 with Retry-After;
- any other HTTP error keeps its status (an unknown route is 404); a 405
  names in `Allow` every method the path answers.

Anything else is a bug: a 500 problem that says nothing of the cause (the
log line of the request, under the same request id, has the traceback).
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import REQUEST_ID_HEADER
from api.schemas import PROBLEM_JSON
from domain.errors import DomainError
from store.availability import UNREACHABLE, StoreUnavailable

_TYPE = "urn:incidentlog:problem:"

# kind → (status, title)
_DOMAIN: dict[str, tuple[int, str]] = {
    "invalid": (422, "Invalid value"),
    "unknown_reference": (422, "Unknown reference"),
    "conflict": (409, "Conflicts with the log"),
    "id_conflict": (409, "Event id already used"),
}
_LOCATIONS = ("body", "query", "path", "header", "cookie")


class RequestRefused(Exception):
    """A refusal decided by the HTTP layer rather than the domain."""

    status = 400
    kind = "bad_request"
    title = "Bad request"

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class NotFound(RequestRefused):
    status, kind, title = 404, "not_found", "Not found"


class TooLarge(RequestRefused):
    status, kind, title = 413, "too_large", "Content too large"


class BodyTooLarge(HTTPException):
    """Raised while the body is read; FastAPI lets an HTTPException through as it is."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.limit = limit


def problem(status: int, title: str, kind: str, errors: list[dict[str, str]],
            detail: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": _TYPE + kind,
        "title": title,
        "status": status,
        "detail": detail or "; ".join(f"{e['field']}: {e['rule']}" for e in errors) or title,
        "errors": errors,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(path: str) -> str:
    return path or "body"  # the domain names the whole event by an empty path


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status, title = _DOMAIN.get(error.kind, (422, "Refused"))
    return problem(status, title, error.kind, [{"field": _field(error.field), "rule": error.rule}])


async def _refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestRefused)
    return problem(error.status, error.title, error.kind, [{"field": error.field, "rule": error.rule}])


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"field": _loc_to_field(e["loc"], e["type"]), "rule": _rule(e)} for e in error.errors()]
    return problem(422, "Invalid request", "invalid", errors)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if isinstance(error, BodyTooLarge):
        return too_large_response(error.limit)
    phrase = HTTPStatus(error.status_code).phrase
    kind = phrase.lower().replace(" ", "_").replace("-", "_")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem(error.status_code, phrase, kind, [], detail=str(error.detail), headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method the resource at the request's path answers.

    Starlette's 405 names only the methods of the route that matched the path
    first, but a path has a route per method (`GET /events`, `POST /events`):
    RFC 9110 wants them all. The resource is the first path template that
    matches, as in routing: `/events/batch`, not `/events/{event_id}`. Mounts
    (static files) say their own.
    """
    path = request.url.path.removeprefix(request.scope.get("root_path", "").rstrip("/"))
    routes = [route for route in iter_route_contexts(request.app.routes) if route.methods]
    template = next((route.path_format for route in routes if route.path_regex.match(path)), None)
    methods: set[str] = set()
    for route in routes:
        if route.path_format == template:
            methods |= route.methods or set()
    return [method for method in _METHODS if method in methods]


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # Runs in Starlette's ServerErrorMiddleware, which sends this and re-raises.
    request_id = getattr(request.state, "request_id", None)
    return problem(500, "Internal error", "internal", [],
                   detail="an unexpected error; quote the X-Request-ID header when reporting it",
                   headers={REQUEST_ID_HEADER: request_id} if request_id else None)


def too_large_response(limit: int) -> JSONResponse:
    return problem(413, "Content too large", "too_large",
                   [{"field": "body", "rule": f"must be at most {limit} bytes; split a large import "
                     "into several batches"}])


def store_unavailable_response(reason: str, retry_after_seconds: float) -> JSONResponse:
    return problem(503, "Store unavailable", "store_unavailable", [],
                   detail=f"{reason}; try again later. A write answered so may yet be stored: "
                   "send it again with the same event ids, which is safe",
                   headers={"Retry-After": str(max(1, math.ceil(retry_after_seconds)))})


async def _store_unavailable(request: Request, error: Exception) -> JSONResponse:
    # The cause (a host, a server's message) goes to the log, not to the caller.
    structlog.get_logger("incidentlog.store").warning("store_unavailable", error=str(error).strip()[:500])
    return store_unavailable_response("the store did not answer", request.app.state.settings.store_timeout_seconds)


def _loc_to_field(loc: tuple[int | str, ...] | list[int | str], error_type: str) -> str:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        where = str(parts.pop(0))
        if where == "body" and error_type == "json_invalid":
            return "body"  # the rest of the location is a character offset, not a field
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _rule(error: Any) -> str:
    if error["type"] == "json_invalid":
        offset = error["loc"][-1]
        return f"is not valid JSON: {error.get('ctx', {}).get('error', 'decode error')} at character {offset}"
    return str(error["msg"])


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestRefused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    store_errors: tuple[type[Exception], ...] = (StoreUnavailable, *UNREACHABLE)
    for unreachable in store_errors:
        app.add_exception_handler(unreachable, _store_unavailable)
    app.add_exception_handler(Exception, _unexpected)


class BodySizeLimit:
    """Refuses a request body over `limit` bytes with 413: at once when its
    Content-Length says so, otherwise as soon as reading it passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await too_large_response(self.limit)(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, receive_within_limit, send)
