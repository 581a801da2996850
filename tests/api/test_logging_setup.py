"""Logging is JSON lines off a terminal, readable text on one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from observability.logs import configure_logging
from store.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes the whole process; put it back afterwards."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.configure(**saved)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_logs_are_json_lines_when_not_on_a_terminal() -> None:
    out = io.StringIO()
    configure_logging(Settings(), stream=out)

    structlog.contextvars.bind_contextvars(request_id="req-1")
    try:
        structlog.get_logger().info("event_appended", position=3)
    finally:
        structlog.contextvars.clear_contextvars()

    line = json.loads(out.getvalue())
    assert line["event"] == "event_appended"
    assert (line["position"], line["request_id"], line["level"]) == (3, "req-1", "info")
    assert "timestamp" in line


def test_logs_are_readable_text_on_a_terminal() -> None:
    out = Terminal()
    configure_logging(Settings(), stream=out)

    structlog.get_logger().info("event_appended", position=3)

    assert "event_appended" in out.getvalue()
    assert not out.getvalue().lstrip().startswith("{")


def test_json_can_be_asked_for_even_on_a_terminal() -> None:
    out = Terminal()
    configure_logging(Settings(log_format="json"), stream=out)

    structlog.get_logger().info("event_appended")

    assert json.loads(out.getvalue())["event"] == "event_appended"


def test_standard_library_logs_come_out_the_same_way() -> None:
    out = io.StringIO()
    configure_logging(Settings(), stream=out)

    logging.getLogger("uvicorn.error").info("Started server process")

    assert json.loads(out.getvalue())["event"] == "Started server process"
