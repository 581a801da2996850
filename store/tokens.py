"""Who may use the HTTP API: bearer tokens and the browser sessions signed in with them.

A token is a name (recorded as the writer of what it appends), a role
(`domain.roles`) and a secret. Only the secret's SHA-256 is kept: the secret
is shown once, when the token is created, and a stolen copy of the store
cannot be used to sign in. A revoked token is kept (its name still stands
behind what it wrote) and never answers again; the same name may be given a
new token after revoking the old one (a rotation).

A session is what the page signs in with instead of sending the token on
every request (the live stream cannot send headers): a random secret in an
HttpOnly cookie, kept here as its SHA-256 beside the token it stands for, so
that revoking the token ends its sessions, and every API worker sees them.

Issuing and revoking are not incident events: they live in tables of their
own beside the events (`incidentlog_tokens`, `incidentlog_sessions`), in the
same SQLite file or PostgreSQL schema, on a connection of their own.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from domain.roles import Role
from store.settings import Settings

SECRET_PREFIX = "il_"  # says what a leaked string is (secret scanners, people reading a log)
SESSION_LIFETIME = timedelta(hours=12)  # a signed-in page; sign in again after a shift
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")

Row = tuple[Any, ...]


class TokenError(ValueError):
    """A token cannot be issued or revoked as asked (the message says why)."""


class TokenStoreUnavailable(RuntimeError):
    """The store holding the tokens does not answer."""


@dataclass(frozen=True)
class Token:
    """A token as kept: never its secret."""

    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Issued:
    """A new token and its secret, which exists only here and is shown once."""

    token: Token
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _moment(value: datetime) -> str:
    # One fixed format in UTC, so that text order is time order in both dialects.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _parsed(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


_TABLES = (
    """CREATE TABLE IF NOT EXISTS {tokens} (
        secret_sha256 TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    # One active token per name: the name is who the log says wrote an event.
    "CREATE UNIQUE INDEX IF NOT EXISTS {active_index} ON {tokens} (name) WHERE revoked_at IS NULL",
    """CREATE TABLE IF NOT EXISTS {sessions} (
        secret_sha256 TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL REFERENCES {tokens} (secret_sha256),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )""",
)


class TokenStore:
    """The tokens and sessions of one store. Safe to share between threads."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._backend: _Backend = _Postgres(settings) if settings.is_postgres else _SQLite(settings.store)

    # --- Tokens ---------------------------------------------------------------

    def create(self, name: str, role: Role) -> Issued:
        name = name.strip()
        if not NAME.match(name):
            raise TokenError(f"a token's name is 1 to 100 letters, digits, '.', '_', '@' or '-', starting with "
                             f"a letter or digit; got {name!r}")
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        token = Token(name, role, self._clock())
        with self._lock:
            if self._backend.one("SELECT 1 FROM {tokens} WHERE name = ? AND revoked_at IS NULL", (name,)):
                raise TokenError(f"{name!r} already has a token; revoke it first to issue a new one")
            self._backend.execute(
                "INSERT INTO {tokens} (secret_sha256, name, role, created_at) VALUES (?, ?, ?, ?)",
                (digest(secret), name, role.label, _moment(token.created_at)))
        return Issued(token, secret)

    def revoke(self, name: str) -> Token:
        """End the name's active token and every session signed in with it."""
        now = _moment(self._clock())
        with self._lock:
            row = self._backend.one("SELECT secret_sha256 FROM {tokens} WHERE name = ? AND revoked_at IS NULL",
                                    (name,))
            if row is None:
                raise TokenError(f"no active token named {name!r}")
            self._backend.execute("DELETE FROM {sessions} WHERE token_sha256 = ?", (row[0],))
            self._backend.execute("UPDATE {tokens} SET revoked_at = ? WHERE secret_sha256 = ?", (now, row[0]))
            found = self._backend.one("SELECT name, role, created_at, revoked_at FROM {tokens} "
                                      "WHERE secret_sha256 = ?", (row[0],))
        assert found is not None
        return _token(found)

    def tokens(self) -> list[Token]:
        """Every token ever issued, active or revoked, oldest first."""
        with self._lock:
            rows = self._backend.all("SELECT name, role, created_at, revoked_at FROM {tokens} "
                                     "ORDER BY created_at, name")
        return [_token(row) for row in rows]

    def identify(self, secret: str) -> Token | None:
        """The active token whose secret this is, else None."""
        with self._lock:
            row = self._backend.one("SELECT name, role, created_at, revoked_at FROM {tokens} "
                                    "WHERE secret_sha256 = ? AND revoked_at IS NULL", (digest(secret),))
        return None if row is None else _token(row)

    # --- Sessions -------------------------------------------------------------

    def open_session(self, secret: str) -> str | None:
        """A new session for the token with this secret (its own secret), or None
        if the token is unknown or revoked."""
        session = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            if not self._backend.one("SELECT 1 FROM {tokens} WHERE secret_sha256 = ? AND revoked_at IS NULL",
                                     (digest(secret),)):
                return None
            self._backend.execute("DELETE FROM {sessions} WHERE expires_at <= ?", (_moment(now),))
            self._backend.execute(
                "INSERT INTO {sessions} (secret_sha256, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (digest(session), digest(secret), _moment(now), _moment(now + SESSION_LIFETIME)))
        return session

    def session(self, session: str) -> Token | None:
        """The active token a live session stands for, else None."""
        with self._lock:
            row = self._backend.one(
                "SELECT t.name, t.role, t.created_at, t.revoked_at FROM {sessions} s "
                "JOIN {tokens} t ON t.secret_sha256 = s.token_sha256 "
                "WHERE s.secret_sha256 = ? AND s.expires_at > ? AND t.revoked_at IS NULL",
                (digest(session), _moment(self._clock())))
        return None if row is None else _token(row)

    def close_session(self, session: str) -> None:
        with self._lock:
            self._backend.execute("DELETE FROM {sessions} WHERE secret_sha256 = ?", (digest(session),))

    def close(self) -> None:
        with self._lock:
            self._backend.close()


def _token(row: Row) -> Token:
    name, role, created_at, revoked_at = row
    created = _parsed(created_at)
    assert created is not None
    return Token(name, Role.parse(role), created, _parsed(revoked_at))


class _Backend:
    """One dialect's connection. Statements name tables as {tokens} and
    {sessions} and take ``?`` placeholders."""

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._run(statement, params, lambda cursor: None)

    def one(self, statement: str, params: Sequence[Any] = ()) -> Row | None:
        row = self._run(statement, params, lambda cursor: cursor.fetchone())
        return None if row is None else tuple(row)

    def all(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        rows = self._run(statement, params, lambda cursor: cursor.fetchall())
        return [tuple(row) for row in rows]

    def _run(self, statement: str, params: Sequence[Any], read: Callable[[Any], Any]) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


_TAKEN = "that name was given a token at the same moment by another writer; revoke it first"


class _SQLite(_Backend):
    def __init__(self, path: str) -> None:
        try:
            # Autocommit (isolation_level=None): each statement is its own transaction.
            self._connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            for statement in _TABLES:
                self._connection.execute(self._native(statement))
        except sqlite3.Error as error:
            raise TokenStoreUnavailable(f"cannot open the tokens in {path}: {error}") from error

    @staticmethod
    def _native(statement: str) -> str:
        return statement.format(tokens="incidentlog_tokens", sessions="incidentlog_sessions",
                                active_index="incidentlog_tokens_active_name")

    def _run(self, statement: str, params: Sequence[Any], read: Callable[[Any], Any]) -> Any:
        try:
            cursor = self._connection.execute(self._native(statement), tuple(params))
            try:
                return read(cursor)
            finally:
                cursor.close()
        except sqlite3.IntegrityError as error:
            raise TokenError(_TAKEN) from error
        except sqlite3.Error as error:
            raise TokenStoreUnavailable(f"the tokens cannot be read or written: {error}") from error

    def close(self) -> None:
        self._connection.close()


class _Postgres(_Backend):
    """A connection of its own, opened again if the server dropped it."""

    def __init__(self, settings: Settings) -> None:
        env = settings.eventsourcing_env()
        self._conninfo = make_conninfo(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                                       dbname=env["POSTGRES_DBNAME"], user=env["POSTGRES_USER"],
                                       password=env["POSTGRES_PASSWORD"] or None,
                                       connect_timeout=settings.connect_timeout_seconds)
        self._schema = env.get("POSTGRES_SCHEMA", "public")
        self._names = {
            "tokens": sql.Identifier(self._schema, "incidentlog_tokens"),
            "sessions": sql.Identifier(self._schema, "incidentlog_sessions"),
            "active_index": sql.Identifier("incidentlog_tokens_active_name"),
        }
        self._connection: psycopg.Connection[Row] | None = None
        self._create_tables()

    def _connect(self) -> psycopg.Connection[Row]:
        if self._connection is None or self._connection.closed or self._connection.broken:
            try:
                self._connection = psycopg.connect(self._conninfo, autocommit=True)
            except psycopg.Error as error:
                raise TokenStoreUnavailable(f"cannot connect to the store: {error}") from error
        return self._connection

    def _create_tables(self) -> None:
        # Workers starting at once on a new schema would collide creating the
        # same tables ("tuple concurrently updated"): one at a time.
        key = zlib.crc32(f"incidentlog tokens {self._schema}".encode())
        try:
            connection = self._connect()
            with connection.transaction(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema)))
                for statement in _TABLES:
                    cursor.execute(self._native(statement))
        except psycopg.Error as error:
            raise TokenStoreUnavailable(f"cannot create the tokens' tables: {error}") from error

    def _native(self, statement: str) -> sql.Composed:
        return sql.SQL(statement.replace("?", "%s")).format(**self._names)

    def _run(self, statement: str, params: Sequence[Any], read: Callable[[Any], Any]) -> Any:
        for attempt in (1, 2):
            connection = self._connect()
            try:
                with connection.cursor() as cursor:
                    cursor.execute(self._native(statement), tuple(params))
                    return read(cursor)
            except psycopg.errors.UniqueViolation as error:
                raise TokenError(_TAKEN) from error
            except psycopg.OperationalError as error:
                # A connection the server dropped (a restart): open another, once.
                if attempt == 2 or not connection.broken:
                    raise TokenStoreUnavailable(f"the tokens cannot be read or written: {error}") from error
            except psycopg.Error as error:
                raise TokenStoreUnavailable(f"the tokens cannot be read or written: {error}") from error
        raise AssertionError("unreachable: the second attempt returns or raises")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
