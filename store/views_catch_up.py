"""The server's own `incidentlog projections prepare`: kept views that a
back-dated event stopped catch up without an operator.

Appends carry the kept views on inside their own transaction only when they
are news (`store.view_upkeep`); a late report, a correction of something the
picture sees, or an event back-dated before what is stored leaves them where
they were, and questions from the valid time it touches are folded until the
next `prepare`. The server looks every `interval` seconds (`views_status`:
two seeks) and, when the views have fallen behind a head that moved since it
last looked, runs `prepare` in a child process and waits for it. A prepare
that failed (the store away, the disk full) is tried again at the same head
after a wait that doubles with each failure in a row, from twice `interval`
up to `RETRY_AT_MOST` seconds: soon after a blip, never in a tight loop.

A child process rather than a thread: the knowledge levels' build holds the
families the picture sees, memory the server must not keep (it stays the
same size whatever the log's), and a fold in a thread would hold the GIL
from the requests. Prepares take turns across processes (`store.locks.
prepare_lock`), so several workers, each with its own catch-up, and an
operator's command never build the same series twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog

from store.settings import Settings

log = structlog.get_logger("incidentlog.views_catch_up")
# The CLI in this interpreter, as `incidentlog` would run it (the console script may not be on PATH).
_INCIDENTLOG = [sys.executable, "-c", "import sys; from cli.main import app; sys.argv[0] = 'incidentlog'; "
                "sys.exit(app())"]
RETRY_AT_MOST = 600.0  # seconds between tries of a prepare that keeps failing at the same head


def behind(status: dict[str, Any]) -> bool:
    """Do the views `views_status` describes leave questions to the fold
    (never prepared, or stopped by a back-dated event)?"""
    return status["head"] > 0 and any(status[name] is None or status[name]["fold_from"] is not None
                                      for name in ("versions", "levels"))


class ViewsCatchUp:
    """Runs `prepare` in a child process whenever the views fall behind."""

    def __init__(self, settings: Settings, status: Callable[[], dict[str, Any]], interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._status = status  # `IncidentLogApplication.views_status`
        self.interval = interval
        self._clock = clock
        self._failures = 0  # prepares failed in a row at the head last tried
        self._retry_at = 0.0  # when (`clock`) a failed prepare may be tried again at the same head
        self._stop = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # guards `_child` against `stop` from another thread
        self._tried_at: int | None = None  # the head the last prepare started at
        self._thread = threading.Thread(target=self._run, name="views-catch-up", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop looking, and stop a prepare under way (its work so far is
        rows of a series not yet whole, which the next one replaces)."""
        self._stop.set()
        with self._lock:
            if self._child is not None and self._child.poll() is None:
                self._child.terminate()
        self._thread.join(timeout=10)

    def once(self) -> bool:
        """Look, and prepare if the views are behind a head that moved since
        the last prepare, or that a failed prepare may now be tried at again.
        Returns whether a prepare ran and succeeded."""
        status = self._status()
        if not behind(status):
            return False
        if status["head"] == self._tried_at and (not self._failures or self._clock() < self._retry_at):
            return False
        if status["head"] != self._tried_at:
            self._tried_at, self._failures = status["head"], 0
        with self._lock:
            if self._stop.is_set():
                return False
            try:
                self._child = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                               stdin=subprocess.DEVNULL)
            except OSError as error:  # no process to be had (too many open, out of memory)
                self._failed(error=str(error))
                return False
        out, err = self._child.communicate()
        code, self._child = self._child.returncode, None
        if code != 0:
            if not self._stop.is_set():
                self._failed(exit_code=code, stderr=err.decode(errors="replace")[-2000:])
            return False
        self._failures = 0
        log.info("views_caught_up", **json.loads(out or b"{}"))
        return True

    def command(self) -> list[str]:
        """The child's command line: `incidentlog projections prepare` on this store."""
        return [*_INCIDENTLOG, "--store", self.settings.store, "projections", "prepare", "--quiet", "--json"]

    def _failed(self, **why: Any) -> None:
        """Log a failed prepare and put off the next try at the same head."""
        self._failures += 1
        wait = min(RETRY_AT_MOST, self.interval * 2 ** self._failures)
        self._retry_at = self._clock() + wait
        log.warning("views_catch_up_failed", failures=self._failures, retry_in_seconds=round(wait, 1), **why)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.once()
            except Exception as error:  # the store away, say: questions fold meanwhile; look again later
                log.warning("views_catch_up_failed", error=str(error))
