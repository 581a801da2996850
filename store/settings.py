"""One typed settings object, read from the environment once.

`INCIDENTLOG_STORE` selects the store: a SQLite file path (the default,
``./incidentlog.db``) or a ``postgresql://user:password@host:port/dbname``
URL (``?schema=NAME`` picks a schema). `INCIDENTLOG_GROUP_COMMIT_MS` (default 2)
is how long an append may wait for concurrent ones to be stored with it in one
transaction; 0 stores each on its own. `INCIDENTLOG_OPEN_READS` (default off)
lets the HTTP API answer reads without a token: `incidentlog serve` turns it
on when it listens on a loopback address only, where every caller is on this
machine; writes always need a token. `INCIDENTLOG_STORE_TIMEOUT_SECONDS`
(default 3) bounds how long a request waits for a store that does not answer
before it is told 503 (`api.store_deadline`); it also bounds each wait of the
library for a pooled PostgreSQL connection and each new connection.
`INCIDENTLOG_MEMORY_EVENTS` (default 250,000) is the longest log a process
reads into memory to fold at once, for the questions that must fold most of
it (a history; a `known_at` far from every checkpoint): faster than carrying
the fold from the database, a slice at a time, but memory that grows with the
log; 0 never holds it. `INCIDENTLOG_VIEWS_CATCH_UP_SECONDS` (default 0, off;
`incidentlog serve` turns it on, every 5 s) is how often a server looks
whether a back-dated event left the kept views behind, and prepares them
again in a child process if so (`store.views_catch_up`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_STORE = "./incidentlog.db"


class SettingsError(ValueError):
    """The environment asks for something the log cannot run with."""


@dataclass(frozen=True)
class Settings:
    store: str = DEFAULT_STORE
    max_body_bytes: int = 1_000_000
    max_batch_events: int = 1_000
    log_format: Literal["auto", "json", "console"] = "auto"
    stream_poll_seconds: float = 0.5  # how often GET /events/stream looks for new events
    stream_ping_seconds: float = 15.0  # keep-alive comments on a quiet stream (for proxies)
    group_commit_ms: float = 2.0  # how long an append waits for others to store with it; 0: never
    open_reads: bool = False  # reads without a token (served on loopback only); writes always need one
    store_timeout_seconds: float = 3.0  # a store silent this long is unavailable: 503, not a hang
    memory_events: int = 250_000  # the longest log a process holds in memory to fold at once; 0: never
    views_catch_up_seconds: float = 0.0  # how often a server looks whether the views fell behind; 0: never

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        log_format = env.get("INCIDENTLOG_LOG_FORMAT", "auto")
        if log_format not in ("auto", "json", "console"):
            raise SettingsError(f"INCIDENTLOG_LOG_FORMAT must be auto, json or console, not {log_format!r}")
        return cls(
            store=env.get("INCIDENTLOG_STORE") or DEFAULT_STORE,
            max_body_bytes=_positive(env, "INCIDENTLOG_MAX_BODY_BYTES", cls.max_body_bytes),
            max_batch_events=_positive(env, "INCIDENTLOG_MAX_BATCH_EVENTS", cls.max_batch_events),
            log_format=log_format,  # type: ignore[arg-type]
            stream_poll_seconds=_positive_seconds(env, "INCIDENTLOG_STREAM_POLL_SECONDS", cls.stream_poll_seconds),
            stream_ping_seconds=_positive_seconds(env, "INCIDENTLOG_STREAM_PING_SECONDS", cls.stream_ping_seconds),
            group_commit_ms=_milliseconds(env, "INCIDENTLOG_GROUP_COMMIT_MS", cls.group_commit_ms),
            open_reads=_flag(env, "INCIDENTLOG_OPEN_READS", cls.open_reads),
            store_timeout_seconds=_positive_seconds(env, "INCIDENTLOG_STORE_TIMEOUT_SECONDS",
                                                    cls.store_timeout_seconds),
            memory_events=_number(env, "INCIDENTLOG_MEMORY_EVENTS", cls.memory_events, int, "a whole number",
                                  lambda v: v >= 0, "0 or more"),
            views_catch_up_seconds=_number(env, "INCIDENTLOG_VIEWS_CATCH_UP_SECONDS", cls.views_catch_up_seconds,
                                           float, "a number of seconds", lambda v: 0 <= v < float("inf"),
                                           "0 (off) or a positive number of seconds"),
        )

    @property
    def connect_timeout_seconds(self) -> int:
        """The store timeout in the whole seconds PostgreSQL's connection settings take."""
        return max(1, math.ceil(self.store_timeout_seconds))

    @property
    def is_postgres(self) -> bool:
        return self.store.startswith(("postgresql://", "postgres://"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The `eventsourcing` library's configuration for this store."""
        if not self.is_postgres:
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": self.store}
        url = urlsplit(self.store)
        dbname = url.path.lstrip("/")
        if not dbname:
            raise SettingsError("INCIDENTLOG_STORE: a postgresql:// URL must name a database")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(dbname),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # How long the library waits for a pooled connection (its default is 30 s, and it
            # tries ten times): a dead server then holds a request's thread for about half a minute
            # instead of five.
            "POSTGRES_CONNECT_TIMEOUT": str(self.connect_timeout_seconds),
        }
        schema = parse_qs(url.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env

    def describe_store(self) -> str:
        """The store, safe to log (no password)."""
        if not self.is_postgres:
            return f"sqlite:{self.store}"
        url = urlsplit(self.store)
        return f"postgresql://{url.hostname or '127.0.0.1'}:{url.port or 5432}{url.path}"


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int, "a whole number", lambda v: v > 0, "positive")


def _milliseconds(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float, "a number of milliseconds", lambda v: 0 <= v <= 1000,
                   "from 0 (off) to 1000 milliseconds")


def _positive_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float, "a number of seconds", lambda v: 0 < v < float("inf"),
                   "a positive number of seconds")


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in ("1", "true", "yes", "0", "false", "no"):
        raise SettingsError(f"{name} must be 1 or 0 (true or false), not {env[name]!r}")
    return raw in ("1", "true", "yes")


N = TypeVar("N", int, float)


def _number(env: Mapping[str, str], name: str, default: N, parse: Callable[[str], N],
            kind: str, allowed: Callable[[N], bool], rule: str) -> N:
    """A number from the environment (empty or unset: the default), or a `SettingsError` naming it."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = parse(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be {kind}, not {raw!r}") from error
    if not allowed(value):
        raise SettingsError(f"{name} must be {rule}, not {raw}")
    return value
