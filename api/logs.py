"""The one line logged per request, with its request id (logging itself is
configured by `observability.logs`)."""

from __future__ import annotations

import logging
import re
import time
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's request id is echoed into logs and headers, so only a tame one is kept.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = structlog.get_logger("incidentlog.http")


class RequestLogMiddleware:
    """Binds a request id for the request's duration, echoes it in the
    response, and logs one ``http_request`` line when the request ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # for the 500 handler, outside us
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500  # unless a response starts: an unhandled error
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        failure: Exception | None = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            failure = error  # logged below with the request, then left to propagate
            raise
        finally:
            level = logging.ERROR if status >= 500 or failure else logging.INFO
            log.log(level, "http_request", method=scope["method"], path=scope["path"],
                    status=500 if failure else status, request_id=request_id,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    **({"exc_info": failure} if failure else {}))
            structlog.contextvars.clear_contextvars()
