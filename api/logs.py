"""Logging, configured once at start-up, and the one line logged per request.

structlog renders JSON lines when the output is not a terminal (or when
``INCIDENTLOG_LOG_FORMAT=json``) and a readable console format on one.
Per-request context (the request id) lives in contextvars, so every line
logged while a request is handled carries it. The standard library's loggers
(uvicorn's among them) are rendered the same way; uvicorn's own access log is
silenced because `RequestLogMiddleware` writes the canonical line instead.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import TextIO

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's request id is echoed into logs and headers, so only a tame one is kept.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = structlog.get_logger("incidentlog.http")


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installs, so configuring again replaces it."""


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Configure structlog and the standard library's logging for this process.

    `stream` defaults to standard output; a command-line tool that prints
    JSON results there should pass ``sys.stderr``.
    """
    out = stream or sys.stdout
    as_json = settings.log_format == "json" or (settings.log_format == "auto" and not _is_terminal(out))
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    tail: list[structlog.typing.Processor] = [structlog.processors.format_exc_info] if as_json else []
    structlog.configure(
        processors=[*shared, structlog.processors.StackInfoRenderer(), *tail, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(out),
        # Not cached: configuring again (tests, the CLI) and capture_logs() must reach every logger.
        cache_logger_on_first_use=False,
    )

    handler = _OurHandler(out)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, renderer],
    ))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


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
