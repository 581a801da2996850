"""Tokens and sessions kept beside the events: hashed, revocable, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql

from domain.roles import Role
from store.settings import Settings
from store.tokens import SESSION_LIFETIME, TokenError, TokenStore, digest
from tests.factories import FakeClock


@pytest.fixture
def tokens(store_url: str, clock: FakeClock) -> Iterator[TokenStore]:
    store = TokenStore(Settings(store=store_url), clock=clock)
    yield store
    store.close()


def test_a_created_token_identifies_its_holder_and_role(tokens: TokenStore) -> None:
    issued = tokens.create("flight-director", Role.AUTHORITY)
    found = tokens.identify(issued.secret)
    assert found is not None and (found.name, found.role) == ("flight-director", Role.AUTHORITY)
    assert tokens.identify(issued.secret + "x") is None


def test_only_the_secrets_hash_is_kept(tokens: TokenStore, store_url: str) -> None:
    issued = tokens.create("reporter-1", Role.REPORTER)
    dumped = _dump(store_url)
    assert issued.secret not in dumped
    assert digest(issued.secret) in dumped


def test_a_revoked_token_and_its_sessions_no_longer_answer(tokens: TokenStore) -> None:
    issued = tokens.create("reader-1", Role.READER)
    session = tokens.open_session(issued.secret)
    assert session is not None and tokens.session(session) is not None
    revoked = tokens.revoke("reader-1")
    assert revoked.revoked_at is not None and not revoked.active
    assert tokens.identify(issued.secret) is None
    assert tokens.session(session) is None
    assert tokens.open_session(issued.secret) is None


def test_a_name_has_one_active_token_and_may_get_a_new_one_once_revoked(tokens: TokenStore) -> None:
    first = tokens.create("ops", Role.REPORTER)
    with pytest.raises(TokenError, match="already has a token"):
        tokens.create("ops", Role.ADMIN)
    tokens.revoke("ops")
    second = tokens.create("ops", Role.INVESTIGATOR)
    assert tokens.identify(first.secret) is None
    assert [(t.name, t.role, t.active) for t in tokens.tokens()] == [
        ("ops", Role.REPORTER, False), ("ops", Role.INVESTIGATOR, True)]
    assert tokens.identify(second.secret) is not None


def test_revoking_a_name_without_an_active_token_is_refused(tokens: TokenStore) -> None:
    with pytest.raises(TokenError, match="no active token named 'nobody'"):
        tokens.revoke("nobody")


@pytest.mark.parametrize("name", ["", " ", "-dash-first", "has space", "x" * 101, "semi;colon"])
def test_a_name_must_be_one_a_log_can_show(tokens: TokenStore, name: str) -> None:
    with pytest.raises(TokenError, match="a token's name"):
        tokens.create(name, Role.READER)


def test_a_session_expires(tokens: TokenStore, clock: FakeClock) -> None:
    session = tokens.open_session(tokens.create("night-shift", Role.READER).secret)
    assert session is not None
    clock.set(clock.now + SESSION_LIFETIME + timedelta(seconds=1))
    assert tokens.session(session) is None


def test_a_closed_session_no_longer_answers(tokens: TokenStore) -> None:
    session = tokens.open_session(tokens.create("day-shift", Role.READER).secret)
    assert session is not None
    tokens.close_session(session)
    assert tokens.session(session) is None


def test_another_process_sees_the_same_tokens(tokens: TokenStore, store_url: str) -> None:
    issued = tokens.create("shared", Role.REPORTER)
    other = TokenStore(Settings(store=store_url))
    try:
        assert other.identify(issued.secret) is not None
    finally:
        other.close()


def _dump(store_url: str) -> str:
    """Everything the tokens' table holds, as text."""
    if store_url.startswith("postgresql://"):
        url, schema = store_url.split("?schema=")
        with psycopg.connect(url) as conn:
            rows = conn.execute(sql.SQL("SELECT * FROM {}").format(
                sql.Identifier(schema, "incidentlog_tokens"))).fetchall()
    else:
        with sqlite3.connect(store_url) as conn:
            rows = conn.execute("SELECT * FROM incidentlog_tokens").fetchall()
    return repr(rows)
