"""The service keeps the contract its OpenAPI document states.

Schemathesis reads /openapi.json and, for every operation, sends requests the
document says are valid and requests it says are not, then runs all its
checks on each answer: no server error; every status, content type, header
and body as documented; schema-valid requests accepted and invalid ones
refused; a method the path does not have answered 405 with a matching
`Allow`; credentials enforced where the document asks for them. Each case
goes to the same API over a SQLite store and over a PostgreSQL store (when
one is reachable; required in CI), both fresh and seeded with a vehicle and
its crew docked, so that names and ids sometimes exist.

Bounded and repeatable: a fixed seed and a few dozen cases per operation.
Where the document cannot say everything, the test says why:

- a schema-valid event can still break a rule of the log (a vehicle not
  registered, a movement out of order), so a write may answer 409 or 422 to
  valid data; and a body over the size limit is refused 413 before it is read;
- the coverage phase, which walks every boundary of every field, is left out
  for the two write operations: with 26 event types it sends thousands of
  requests (minutes); the fuzzing phase still draws from every type, and
  `test_every_path_names_its_methods_when_refusing_another` covers their 405;
- `GET /events/stream` never ends, so it is left to tests/api/test_stream.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from api.main import create_app
from api.schemas import BEARER
from domain.roles import Role
from store import tokens as store_tokens
from store.application import IncidentLogApplication
from store.settings import Settings
from store.tokens import SECRET_PREFIX, TokenStore
from tests.factories import docked_with_crew, draft

SEED = 20261202
SECRET = SECRET_PREFIX + "contract-test-admin-secret"
EXAMPLES = 20  # per operation and mode (valid, invalid)
WRITE_STATUSES = ["2xx", "401", "403", "404", "409", "422"]  # 409, 422: rules no schema states
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422"]  # 413: over the size limit


def contract_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        # Generating an event of 26 types is slow on a busy machine, which is no fault of the service.
        "suppress-health-check": ["too_slow"],
        # The same cases every run: nothing replayed from a local .hypothesis folder.
        "generation": {"max-examples": EXAMPLES, "database": "none"},
        "auth": {"openapi": {BEARER: {"bearer": SECRET}}, "auto-signup": False},
        "operations": [{
            "include-method": "POST",
            "phases": {"coverage": {"enabled": False}},
            "checks": {"positive_data_acceptance": {"expected-statuses": WRITE_STATUSES},
                       "negative_data_rejection": {"expected-statuses": REFUSALS}},
        }],
    })


@contextmanager
def _serving(store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The API over a fresh store seeded with a vehicle and its crew, where `SECRET` is an admin's token."""
    application = IncidentLogApplication(Settings(store=store))
    tokens = TokenStore(application.settings)
    try:
        application.append([draft(e) for e in docked_with_crew("capsule-1", ["crew-a", "crew-b"])], "seed")
        with monkeypatch.context() as patch:  # the same secret on every store, so one credential serves all
            patch.setattr(store_tokens.secrets, "token_urlsafe", lambda _: SECRET.removeprefix(SECRET_PREFIX))
            assert tokens.create("contract-admin", Role.ADMIN).secret == SECRET
        yield create_app(application.settings, application=application)
    finally:
        tokens.close()
        application.close()


@pytest.fixture
def served(sqlite_url: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FastAPI]]:
    """The API over a fresh SQLite store, and over a fresh PostgreSQL schema when there is a server."""
    try:
        postgres: str | None = request.getfixturevalue("postgres_url")
    except pytest.skip.Exception:  # no server here; in CI the fixture fails instead
        postgres = None
    with ExitStack() as stack:
        yield [stack.enter_context(_serving(url, monkeypatch)) for url in (sqlite_url, postgres) if url is not None]


@pytest.fixture
def contract(served: list[FastAPI]) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", served[0], config=contract_config())


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # Schemathesis 4.32 names each operation's subtest through `node._nodeid`,
    # which pytest 9.2 no longer has (it keeps `nodeid`); give it one.
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("contract").exclude(path="/events/stream")


@schema.parametrize()
def test_every_operation_keeps_the_contract_on_every_store(case: Case, served: list[FastAPI]) -> None:
    for api in served:
        case.call_and_validate(app=api)


def test_every_path_names_its_methods_when_refusing_another(served: list[FastAPI]) -> None:
    with TestClient(served[0], headers={"Authorization": f"Bearer {SECRET}"}) as client:
        paths: dict[str, dict[str, Any]] = client.get("/openapi.json").json()["paths"]
        for path, operations in paths.items():
            concrete = path.replace("{", "").replace("}", "")  # /events/event_id: the same route
            documented = {method.upper() for method in operations}
            other = next(m for m in ("PATCH", "PUT", "DELETE", "POST", "GET") if m not in documented)

            answer = client.request(other, concrete)

            assert answer.status_code == 405, (other, path, answer.text)
            assert set(answer.headers["allow"].split(", ")) == documented, (path, answer.headers["allow"])
            assert answer.headers["content-type"] == "application/problem+json"


def test_a_body_that_is_not_text_is_refused_as_documented(served: list[FastAPI]) -> None:
    with TestClient(served[0], headers={"Authorization": f"Bearer {SECRET}"}) as client:
        documented = client.get("/openapi.json").json()["paths"]["/events"]["post"]["responses"]

        answer = client.post("/events", content=b'{"type": "\xff"}', headers={"content-type": "application/json"})

    assert answer.status_code == 400 and "400" in documented
    assert answer.headers["content-type"] == "application/problem+json"
