"""A store that stops answering gets its callers a 503 within a bounded time, not a hang.

When PostgreSQL refuses connections or has gone, a handler's call into the
store waits while the `eventsourcing` library retries (about half a minute
with the settings of `store.settings`). A thread cannot be stopped, so the
answer is given without it: `StoreDeadline` lets a request run as usual, and
if it has not begun to answer after `INCIDENTLOG_STORE_TIMEOUT_SECONDS`, asks
whether the store is answering (`StoreWatch`, which asked it half-way through
that time), or hears from the application that the store answered one of its
own questions (`Database.answered`). If the store answered since the request arrived, the request is
only slow (a long history, a write waiting for another writer's turn) and goes
on, checked again after each further timeout. If not, the caller gets 503
(problem+json, with Retry-After), and the handler is left to finish when the
store answers or the library gives up; whatever it sends then is dropped.

A write answered this way may still be stored once the store returns: its
outcome is unknown, like that of any write whose answer was lost. Sending it
again with the same event ids is safe (the log answers a retry with the
stored events).

Service resumes by itself: nothing here is opened or closed, every request is
judged on its own, and the library's pool reconnects when the server returns.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import store_unavailable_response
from observability import metrics
from store.availability import StoreUnavailable, ping
from store.settings import Settings

log = structlog.get_logger("incidentlog.store")

_ABANDONED: set[asyncio.Task[None]] = set()  # handlers still running after their caller got 503


class StoreWatch:
    """Asks the store whether it answers, one question at a time per process, in
    a thread of its own (so that no stuck handler or full thread pool delays
    it), and remembers what it heard and when."""

    def __init__(self, settings: Settings, ask: Callable[[Settings], None] = ping) -> None:
        self.settings = settings
        self._ask = ask
        self._lock = threading.Lock()
        self._asking = False
        self._answered_at = -math.inf  # when a question was last answered (monotonic clock)
        self._silent_asked_at = -math.inf  # when the last question that went unanswered was asked
        self.last_silence = ""  # why the store last did not answer

    def ask(self) -> None:
        """Ask the store in the background, unless a question is already out."""
        with self._lock:
            if self._asking:
                return
            self._asking = True
        threading.Thread(target=self._question, name="incidentlog-store-watch", daemon=True).start()

    def _question(self) -> None:
        asked = time.monotonic()
        try:
            self._ask(self.settings)
        except StoreUnavailable as silence:
            self.last_silence, self._silent_asked_at = silence.reason, asked
            metrics.record_store_probe(answered=False)
            log.warning("store_silent", store=self.settings.describe_store(), reason=silence.reason)
        else:
            self._answered_at = time.monotonic()
            metrics.record_store_probe(answered=True)
        finally:
            with self._lock:
                self._asking = False

    def heard(self) -> None:
        """The store answered one of the application's own questions: as good
        as a ping (a long fold reading from the store, on a busy machine, may
        leave the ping's thread too little time to answer first)."""
        self._answered_at = time.monotonic()

    def answered_since(self, moment: float) -> bool:
        """Did the store answer a question after `moment` (monotonic clock)?"""
        return self._answered_at >= moment

    async def answers(self) -> bool:
        """Ask the store now; True as soon as it answers, False if it does not
        within the store timeout (or says at once that it will not)."""
        since = time.monotonic()
        deadline = since + self.settings.store_timeout_seconds
        self.ask()
        while not self.answered_since(since):
            if self._silent_asked_at >= since or time.monotonic() >= deadline:
                return False
            await anyio.sleep(0.01)
            self.ask()  # a question asked before `since` may have ended unanswered
        return True


class StoreDeadline:
    """ASGI middleware: a request that has not begun to answer within the store
    timeout, while the store does not answer either, is answered 503."""

    def __init__(self, app: ASGIApp, watch: StoreWatch) -> None:
        self.app = app
        self.watch = watch
        self.seconds = watch.settings.store_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = asyncio.Event()
        abandoned = False

        async def send_unless_abandoned(message: Message) -> None:
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        handler = asyncio.ensure_future(self.app(scope, receive, send_unless_abandoned))
        try:
            window = time.monotonic()
            while not await _done_or_started(handler, started, self.seconds / 2):
                self.watch.ask()  # half-way: by the deadline we know whether the store answers
                if await _done_or_started(handler, started, self.seconds / 2):
                    break
                if not self.watch.answered_since(window):
                    abandoned = True
                    break
                window = time.monotonic()  # the store answers; the request is only slow
        except BaseException:
            handler.cancel()  # our caller is gone (the server is stopping): so is the handler
            raise
        if not abandoned:
            await handler
            return
        _ABANDONED.add(handler)
        handler.add_done_callback(_forget)
        reason = self.watch.last_silence or "no answer"
        log.warning("store_deadline_passed", path=scope["path"], seconds=self.seconds, reason=reason)
        response = store_unavailable_response(f"the store did not answer within {self.seconds:g} s", self.seconds)
        await response(scope, receive, send)


async def _done_or_started(handler: asyncio.Future[None], started: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for the handler to finish or its response to start."""
    if handler.done() or started.is_set():
        return True
    starting = asyncio.ensure_future(started.wait())
    try:
        waiting: set[asyncio.Future[Any]] = {handler, starting}
        await asyncio.wait(waiting, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        starting.cancel()
    return handler.done() or started.is_set()


def _forget(handler: asyncio.Task[None]) -> None:
    _ABANDONED.discard(handler)
    if not handler.cancelled() and handler.exception() is not None:
        log.warning("abandoned_request_failed", error=repr(handler.exception()))

