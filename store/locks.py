"""One writer at a time, across processes.

Checking a batch against the log and storing it must be one step, or two
writers (two API workers, a server and an import) could each check against a
log without the other's events and together store what neither would have
been allowed to: a vehicle docked twice, a retracted event corrected. Within a
process a thread lock is enough; across processes the store itself must say
who writes: a PostgreSQL advisory lock, or an exclusive lock on a file beside
the SQLite database.

`prepare` (`store.read_model`) takes turns the same way, with a lock of its
own (`prepare_lock`): two processes building the same series of views at
once would each write its rows, while appends go on beside either.
"""

from __future__ import annotations

import fcntl
import os
import threading
import zlib
from types import TracebackType

import psycopg

from store.availability import postgres_conninfo
from store.settings import Settings


class WriterLock:
    """Held while a batch is checked and stored. Re-entrant within a thread."""

    def __init__(self) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        self._depth += 1
        if self._depth == 1:
            try:
                self._acquire()
            except BaseException:
                self._depth -= 1
                self._thread_lock.release()
                raise

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self._depth == 1:
                self._release()
        finally:
            self._depth -= 1
            self._thread_lock.release()

    def _acquire(self) -> None:
        """Nothing more for a store no other process can open."""

    def _release(self) -> None:
        """See `_acquire`."""

    def close(self) -> None:
        """Let go of whatever the lock holds open."""


class FileLock(WriterLock):
    """An exclusive `flock` on ``<database><suffix>``; the kernel releases it if the process dies."""

    def __init__(self, database: str, suffix: str = ".lock") -> None:
        super().__init__()
        self.path = f"{database}{suffix}"
        self._fd: int | None = None  # kept open between appends: opening it costs more than locking

    def _acquire(self) -> None:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:
                return  # no such folder, so no store to guard: opening it fails next, with the store's own error
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def _release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class AdvisoryLock(WriterLock):
    """A PostgreSQL session advisory lock, keyed by the log's schema, on a
    connection of its own; the server releases it if the connection drops."""

    def __init__(self, conninfo: str, scope: str, purpose: str = "writer") -> None:
        super().__init__()
        self.conninfo = conninfo
        self.key = zlib.crc32(f"incidentlog {purpose} {scope}".encode())
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def _acquire(self) -> None:
        try:
            self._connected().execute("SELECT pg_advisory_lock(%s)", (self.key,))
        except psycopg.OperationalError:
            if self._connection is None or not self._connection.broken:
                raise
            # The connection kept between appends was dropped (the server restarted,
            # or ended the session) and is found out only now: once, on a new one, so
            # that the first write after an outage is not refused for it.
            self._connected().execute("SELECT pg_advisory_lock(%s)", (self.key,))

    def _connected(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self.conninfo, autocommit=True)
        return self._connection

    def _release(self) -> None:
        if self._connection is not None and not self._connection.closed:
            self._connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def writer_lock(settings: Settings) -> WriterLock:
    """The lock that makes this store's writers take turns."""
    return _lock(settings, "writer", ".lock")


def prepare_lock(settings: Settings) -> WriterLock:
    """The lock that makes this store's prepares take turns."""
    return _lock(settings, "prepare", ".prepare.lock")


def _lock(settings: Settings, purpose: str, suffix: str) -> WriterLock:
    if settings.is_postgres:
        env = settings.eventsourcing_env()
        scope = f"{env['POSTGRES_DBNAME']}.{env.get('POSTGRES_SCHEMA', 'public')}"
        return AdvisoryLock(postgres_conninfo(settings), scope=scope, purpose=purpose)
    if settings.store == ":memory:" or settings.store.startswith("file:"):
        return WriterLock()
    return FileLock(settings.store, suffix)
