"""`incidentlog tokens`: a secret shown once, a table without secrets, revocation at once."""

from __future__ import annotations

from domain.roles import Role
from store.settings import Settings
from store.tokens import TokenStore
from tests.cli.support import Incidentlog


def _holder(store: str, secret: str) -> tuple[str, Role] | None:
    tokens = TokenStore(Settings(store=store))
    try:
        found = tokens.identify(secret)
        return None if found is None else (found.name, found.role)
    finally:
        tokens.close()


def test_create_prints_the_secret_alone_on_standard_output(incidentlog: Incidentlog) -> None:
    result = incidentlog("tokens", "create", "flight-director", "--role", "authority")
    assert result.exit_code == 0, result.stderr
    secret = result.stdout.strip()
    assert "\n" not in secret and "shown only now" in result.stderr
    assert _holder(incidentlog.store, secret) == ("flight-director", Role.AUTHORITY)


def test_list_shows_names_and_roles_and_never_a_secret(incidentlog: Incidentlog) -> None:
    secret = incidentlog.json("tokens", "create", "analyst", "--role", "reader")["secret"]
    incidentlog("tokens", "create", "investigator-1", "--role", "Investigator")
    listed = incidentlog.json("tokens", "list")["tokens"]
    assert [(t["name"], t["role"], t["revoked_at"]) for t in listed] == [
        ("analyst", "reader", None), ("investigator-1", "investigator", None)]
    table = incidentlog("tokens", "list").stdout
    assert "analyst" in table and "investigator" in table and secret not in table


def test_revoke_ends_the_token_at_once(incidentlog: Incidentlog) -> None:
    secret = incidentlog.json("tokens", "create", "temp", "--role", "reporter")["secret"]
    result = incidentlog("tokens", "revoke", "temp")
    assert result.exit_code == 0, result.stderr
    assert _holder(incidentlog.store, secret) is None
    [listed] = incidentlog.json("tokens", "list")["tokens"]
    assert listed["revoked_at"] is not None
    assert "active" not in incidentlog("tokens", "list").stdout


def test_an_unknown_role_is_a_usage_error_naming_the_roles(incidentlog: Incidentlog) -> None:
    result = incidentlog("tokens", "create", "x", "--role", "commander", env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "reader, reporter, investigator, authority, admin" in result.stderr


def test_a_second_active_token_for_a_name_and_revoking_an_unknown_one_are_refused(
        incidentlog: Incidentlog) -> None:
    incidentlog("tokens", "create", "ops", "--role", "reporter")
    again = incidentlog("tokens", "create", "ops", "--role", "admin")
    assert again.exit_code == 1 and "already has a token" in again.stderr
    unknown = incidentlog("tokens", "revoke", "nobody")
    assert unknown.exit_code == 1 and "no active token named 'nobody'" in unknown.stderr


def test_tokens_are_not_incident_events(incidentlog: Incidentlog) -> None:
    incidentlog("tokens", "create", "ops", "--role", "reporter")
    incidentlog("tokens", "revoke", "ops")
    assert incidentlog("log", "--json").stdout == ""
