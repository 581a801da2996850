"""Logging, configured once per process at start-up, for the HTTP service and
the command line alike.

structlog renders JSON lines when the output is not a terminal (or when
``INCIDENTLOG_LOG_FORMAT=json``) and a readable console format on one.
Per-request context (the request id) lives in contextvars, so every line
logged while a request is handled carries it. The standard library's loggers
(uvicorn's among them) are rendered the same way; uvicorn's own access log is
silenced because the API writes one canonical line per request instead
(`api.logs.RequestLogMiddleware`).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from store.settings import Settings


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
