"""Bearer tokens and the page's session cookie: who may ask, who is recorded as
the writer, and how a refusal reads (X-Actor is no longer read)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE
from api.main import create_app
from domain.roles import Role
from store.application import IncidentLogApplication
from store.tokens import TokenStore, TokenStoreUnavailable
from tests.api.conftest import IssueToken, MakeClient
from tests.api.support import refused
from tests.api.test_page import config_of
from tests.api.test_stream import Server, append, messages, stream
from tests.factories import draft, event, new_id, vehicle


def _unauthenticated(response: httpx2.Response) -> None:
    refused(response, 401, "Authorization")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.fixture
def anonymous(make_client: MakeClient) -> TestClient:
    """A client with no token, served on another address than loopback: nothing is open."""
    return make_client(token=None)


def test_without_a_token_every_read_and_write_is_refused_with_401(anonymous: TestClient) -> None:
    _unauthenticated(anonymous.get("/state"))
    _unauthenticated(anonymous.post("/events", json=vehicle("v")))


def test_an_unknown_or_malformed_credential_is_refused_with_401(anonymous: TestClient) -> None:
    _unauthenticated(anonymous.get("/state", headers={"Authorization": "Bearer il_not-a-token"}))
    _unauthenticated(anonymous.get("/state", headers={"Authorization": "Basic dXNlcjpwYXNz"}))
    _unauthenticated(anonymous.get("/state", headers={"Authorization": "Bearer"}))


def test_a_revoked_token_is_refused_at_once(make_client: MakeClient, issue_token: IssueToken,
                                            tokens: TokenStore) -> None:
    client = make_client(token=issue_token(Role.READER, "short-lived"))
    assert client.get("/state").status_code == 200
    tokens.revoke("short-lived")
    _unauthenticated(client.get("/state"))


def test_too_low_a_role_is_refused_with_403_and_stores_nothing(make_client: MakeClient,
                                                               issue_token: IssueToken) -> None:
    reader = make_client(token=issue_token(Role.READER, "analyst"))
    problem = refused(reader.post("/events", json=vehicle("v")), 403, "Authorization")
    assert "reporter" in problem["detail"] and "'analyst' is a reader" in problem["detail"]
    assert reader.get("/events").json()["events"] == []


def test_the_writer_recorded_is_the_tokens_name_whatever_x_actor_says(make_client: MakeClient,
                                                                     issue_token: IssueToken) -> None:
    reporter = make_client(token=issue_token(Role.REPORTER, "flight-controller-2"))
    stored = reporter.post("/events", json=vehicle("v"), headers={"X-Actor": "someone-else"}).json()
    assert stored["actor"] == "flight-controller-2"


def test_an_event_beyond_the_writers_role_is_refused_naming_it(make_client: MakeClient,
                                                              issue_token: IssueToken) -> None:
    reporter = make_client(token=issue_token(Role.REPORTER))
    decision = event("DecisionTaken", summary="s", rationale="r")
    problem = refused(reporter.post("/events", json=decision), 403, "type")
    assert "DecisionTaken needs the authority role" in problem["detail"]


def test_a_batch_needs_a_role_covering_every_event_and_names_the_first_it_does_not(
        make_client: MakeClient, issue_token: IssueToken) -> None:
    investigator = make_client(token=issue_token(Role.INVESTIGATOR))
    batch = [vehicle("v"), event("FindingIssued", cause="c", method="m", summary="s"),
             event("DecisionTaken", summary="s", rationale="r"), event("IncidentClosed", summary="s")]
    refused(investigator.post("/events/batch", json={"events": batch}), 403, "events[2]")
    assert investigator.get("/events").json()["events"] == []


def test_correcting_a_decision_needs_the_authority_that_may_take_one(
        make_client: MakeClient, issue_token: IssueToken) -> None:
    authority = make_client(token=issue_token(Role.AUTHORITY))
    decision = authority.post("/events", json=event("DecisionTaken", summary="s", rationale="r")).json()
    correction = event("EntryCorrected", target=decision["id"], reason="typo", changes={"summary": "t"})
    investigator = make_client(token=issue_token(Role.INVESTIGATOR))
    problem = refused(investigator.post("/events", json=correction), 403, "type")
    assert "amends an event that needs the authority role" in problem["detail"]
    assert authority.post("/events", json=correction).status_code == 201


def test_a_batch_may_amend_its_own_events_and_its_amendments_need_their_targets_roles(
        make_client: MakeClient, issue_token: IssueToken) -> None:
    authority = make_client(token=issue_token(Role.AUTHORITY))
    decision = authority.post("/events", json=event("DecisionTaken", summary="s", rationale="r")).json()
    investigator = make_client(token=issue_token(Role.INVESTIGATOR))
    finding = event("FindingIssued", event_id=new_id(), cause="c", method="m", summary="s")
    own = [finding, event("EntryRetracted", target=finding["id"], reason="premature")]
    assert investigator.post("/events/batch", json={"events": own}).status_code == 201
    theirs = [event("ObservationRecorded", description="d"),
              event("EntryRetracted", target=decision["id"], reason="r")]
    refused(investigator.post("/events/batch", json={"events": theirs}), 403, "events[1]")


class TestOpenReads:
    """Served on a loopback address: reads need no token, writes still do."""

    @pytest.fixture
    def local(self, make_client: MakeClient) -> TestClient:
        return make_client(token=None, open_reads=True)

    def test_a_read_needs_no_token(self, local: TestClient) -> None:
        assert local.get("/state").status_code == 200
        assert local.get("/").status_code == 200

    def test_a_write_still_needs_one(self, local: TestClient) -> None:
        _unauthenticated(local.post("/events", json=vehicle("v")))

    def test_a_token_that_is_given_must_still_be_good(self, local: TestClient) -> None:
        _unauthenticated(local.get("/state", headers={"Authorization": "Bearer il_stale"}))


class TestSessionCookie:
    """The page signs in by exchanging a token for an HttpOnly, SameSite=Strict cookie."""

    @pytest.fixture
    def browser(self, make_client: MakeClient) -> TestClient:
        return make_client(token=None)

    def test_signing_in_sets_a_cookie_that_stands_for_the_token(
            self, browser: TestClient, issue_token: IssueToken) -> None:
        secret = issue_token(Role.REPORTER, "console-7")
        signed_in = browser.post("/session", headers={"Authorization": f"Bearer {secret}"})
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json() == {"name": "console-7", "role": "reporter"}
        cookie = signed_in.headers["set-cookie"]
        assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert secret not in cookie
        assert browser.get("/state").status_code == 200
        assert browser.post("/events", json=vehicle("v")).json()["actor"] == "console-7"

    def test_the_cookie_is_checked_like_the_token(self, browser: TestClient, issue_token: IssueToken) -> None:
        browser.post("/session", headers={"Authorization": f"Bearer {issue_token(Role.READER)}"})
        refused(browser.post("/events", json=vehicle("v")), 403, "Authorization")

    def test_signing_out_ends_the_session(self, browser: TestClient, issue_token: IssueToken) -> None:
        browser.post("/session", headers={"Authorization": f"Bearer {issue_token(Role.READER)}"})
        session = browser.cookies[SESSION_COOKIE]
        signed_out = browser.delete("/session")
        assert signed_out.status_code == 204
        assert SESSION_COOKIE not in browser.cookies
        browser.cookies.set(SESSION_COOKIE, session)  # the old cookie, kept by a careless browser
        _unauthenticated(browser.get("/state"))

    def test_revoking_the_token_ends_its_sessions(self, browser: TestClient, issue_token: IssueToken,
                                                  tokens: TokenStore) -> None:
        browser.post("/session", headers={"Authorization": f"Bearer {issue_token(Role.READER, 'gone')}"})
        tokens.revoke("gone")
        _unauthenticated(browser.get("/state"))

    @pytest.mark.parametrize("credential", [None, "Bearer il_unknown"])
    def test_signing_in_needs_a_good_token(self, browser: TestClient, credential: str | None) -> None:
        _unauthenticated(browser.post("/session", headers={"Authorization": credential} if credential else {}))
        assert SESSION_COOKIE not in browser.cookies


@pytest.fixture
def closed_server(app: IncidentLogApplication) -> Iterator[Server]:
    """The app served on a socket with reads closed, as on another address than loopback."""
    served = Server(app, open_reads=False)
    yield served
    served.stop()


def test_the_live_stream_takes_the_session_cookie(closed_server: Server, app: IncidentLogApplication,
                                                  tokens: TokenStore) -> None:
    session = tokens.open_session(tokens.create("wall-screen", Role.READER).secret)
    assert httpx2.get(f"{closed_server.url}/events/stream").status_code == 401
    with stream(closed_server, headers={"Cookie": f"{SESSION_COOKIE}={session}"}, params={"after": 0}) as blocks:
        [stored] = append(app, "v")
        assert [m["id"] for m in messages(blocks, 1)] == [str(stored["position"])]


class TestThePage:
    """The page is open to all, so that one can sign in from it, and says
    nothing of the log to those who may not read."""

    def test_closed_to_reads_it_shows_the_sign_in_form_and_nothing_of_the_log(
            self, app: IncidentLogApplication, make_client: MakeClient) -> None:
        app.append([draft(vehicle("v"))], "setup")
        html = make_client(token=None).get("/").text
        config = config_of(html)
        assert (config["readable"], config["head"], config["signed_in"]) == (False, 0, None)
        assert 'id="sign-in"' in html

    def test_signed_in_it_says_as_whom_and_offers_to_sign_out(
            self, app: IncidentLogApplication, make_client: MakeClient, issue_token: IssueToken) -> None:
        app.append([draft(vehicle("v"))], "setup")
        browser = make_client(token=None)
        browser.post("/session", headers={"Authorization": f"Bearer {issue_token(Role.READER, 'wall-screen')}"})
        html = browser.get("/").text
        config = config_of(html)
        assert (config["readable"], config["head"], config["signed_in"]) == (
            True, 1, {"name": "wall-screen", "role": "reader"})
        assert 'id="sign-out"' in html and 'id="sign-in"' not in html

    def test_open_to_reads_it_needs_no_sign_in(self, app: IncidentLogApplication, make_client: MakeClient) -> None:
        app.append([draft(vehicle("v"))], "setup")
        config = config_of(make_client(token=None, open_reads=True).get("/").text)
        assert (config["readable"], config["head"], config["signed_in"]) == (True, 1, None)


def test_a_store_that_cannot_check_tokens_answers_503_not_500(
        make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client()

    def silent(self: TokenStore, secret: str) -> None:
        raise TokenStoreUnavailable("connection refused")

    monkeypatch.setattr(TokenStore, "identify", silent)
    answer = client.get("/state")
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("store_unavailable") and "retry-after" in answer.headers


def test_behind_a_proxy_under_a_prefix_the_routes_keep_their_roles(app: IncidentLogApplication) -> None:
    with TestClient(create_app(app.settings, application=app), root_path="/incidentlog") as proxied:
        assert proxied.get("/incidentlog/").status_code == 200  # the page: open, to sign in from
        _unauthenticated(proxied.get("/incidentlog/state"))
        _unauthenticated(proxied.post("/incidentlog/events", json=vehicle("v")))
