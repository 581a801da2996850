"""Every route and every event type against every role, and against no token.

The expected roles are written out here, apart from `api.auth`: a route added
without a line below fails `test_every_route_is_in_the_matrix`, and a role
that changes must change here too. Below the role a route needs: 401 without
a token, 403 with one. At or above it: anything but 401 or 403.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.main import create_app
from domain.roles import Role
from store.application import IncidentLogApplication
from tests.api.conftest import IssueToken, MakeClient
from tests.factories import draft, event, new_id, vehicle
from tests.projections.test_every_event_type import EXAMPLES, STORY

PUBLIC = None  # open to anyone, with or without a token
# (method, route) -> the least role that may ask it
ROUTES: dict[tuple[str, str], Role | None] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/static/{path}"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/assets/{path}"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("DELETE", "/session"): PUBLIC,
    ("POST", "/session"): Role.READER,  # signing in needs a token, of any role
    ("GET", "/health"): Role.READER,
    ("GET", "/events"): Role.READER,
    ("GET", "/events/stream"): Role.READER,
    ("GET", "/events/{event_id}"): Role.READER,
    ("GET", "/state"): Role.READER,
    ("GET", "/capacity"): Role.READER,
    ("GET", "/vehicles/{vehicle_id}"): Role.READER,
    ("GET", "/vehicles/{vehicle_id}/explain/{field}"): Role.READER,
    ("GET", "/vehicles/{vehicle_id}/history"): Role.READER,
    ("GET", "/crew/{name}"): Role.READER,
    ("GET", "/crew/{name}/explain/{field}"): Role.READER,
    ("GET", "/crew/{name}/history"): Role.READER,
    ("GET", "/incidents/{incident_id}"): Role.READER,
    ("GET", "/decisions"): Role.READER,
    ("GET", "/decisions/{decision_id}/audit"): Role.READER,
    ("POST", "/events"): Role.REPORTER,  # and whatever each event needs (below)
    ("POST", "/events/batch"): Role.REPORTER,
}
# Routes added by others that the matrix reads like the rest (a monitoring scrape is a read).
ALSO_READS = {("GET", "/ready"), ("GET", "/metrics"), ("GET", "/integrity")}
PARAMETERS = {"path": "page.js", "event_id": "0b9a4a1e-8a8e-4c5e-9d0e-6f4f2b8a1c11", "vehicle_id": "capsule",
              "field": "health", "name": "a", "incident_id": "leak",
              "decision_id": "0b9a4a1e-8a8e-4c5e-9d0e-6f4f2b8a1c11"}
# A request that does not start the endless stream: a bad `after` is refused
# with 422 once the caller has been let in (authentication comes first).
QUERIES = {"/events/stream": {"after": "-1"}}
BODIES: dict[str, Callable[[], object]] = {
    "/events": lambda: vehicle(f"v-{new_id()[:8]}"),
    "/events/batch": lambda: {"events": [vehicle(f"v-{new_id()[:8]}")]},
}
CALLERS: list[Role | None] = [None, *Role]  # None: no token


def _routes(app: IncidentLogApplication) -> set[tuple[str, str]]:
    served = create_app(app.settings, application=app)
    found = set()
    for route in iter_route_contexts(served.routes):
        methods = route.methods or {"GET"}  # a mount (static files) answers GET
        found |= {(method, route.path_format) for method in methods if method != "HEAD"}
    return found


def _matrix(app: IncidentLogApplication) -> dict[tuple[str, str], Role | None]:
    return {**ROUTES, **{route: Role.READER for route in _routes(app) & ALSO_READS}}


def test_every_route_is_in_the_matrix(app: IncidentLogApplication) -> None:
    assert _routes(app) == set(_matrix(app))


def _client(make_client: MakeClient, issue_token: IssueToken, caller: Role | None) -> TestClient:
    return make_client(token=None if caller is None else issue_token(caller))


def _ask(client: TestClient, method: str, route: str) -> int:
    path = re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m[1]], route)
    body = BODIES[route]() if method == "POST" and route in BODIES else None
    return client.request(method, path, params=QUERIES.get(route), json=body).status_code


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: "no-token" if c is None else c.label)
def test_every_route_answers_each_role_as_the_matrix_says(
        app: IncidentLogApplication, make_client: MakeClient, issue_token: IssueToken, caller: Role | None) -> None:
    app.append([draft(e) for e in STORY], "setup")
    client = _client(make_client, issue_token, caller)
    wrong = {}
    for (method, route), needed in sorted(_matrix(app).items(), key=str):
        status = _ask(client, method, route)
        if needed is None or (caller is not None and caller.covers(needed)):
            expected = "not 401/403"
            ok = status not in (401, 403)
        else:
            expected = "401" if caller is None else "403"
            ok = status == int(expected)
        if not ok or status >= 500:
            wrong[f"{method} {route}"] = f"{status}, expected {expected}"
    assert wrong == {}


# --- Every event type ----------------------------------------------------------------

DECISION, FINDING, RETRACTED_FINDING, RETRACTION = new_id(), new_id(), new_id(), new_id()
AMENDED = [
    event("DecisionTaken", "2022-10-01", event_id=DECISION, summary="s", rationale="r"),
    event("FindingIssued", "2022-10-01", event_id=FINDING, cause="c", method="m", summary="s"),
    event("FindingIssued", "2022-10-01", event_id=RETRACTED_FINDING, cause="c", method="m", summary="s"),
    event("EntryRetracted", "2022-10-01", event_id=RETRACTION, target=RETRACTED_FINDING, reason="r"),
]
# The issue's roles, written out: each event type, and amendments worth what they amend.
WRITERS: dict[str, tuple[dict[str, object], Role]] = {
    **{name: (EXAMPLES[name], role) for role, names in {
        Role.REPORTER: ["VehicleRegistered", "CrewMemberRegistered", "VehicleLaunched", "VehicleDocked",
                        "VehicleUndocked", "VehicleLanded", "VehicleLost", "SeatCapacityChanged", "LaunchScheduled",
                        "ReturnScheduled", "PlanWithdrawn", "ReturnVehicleAssigned", "LifeboatAssigned",
                        "AssignmentEnded", "MissionExtended", "ObservationRecorded", "LeakDetected",
                        "IncidentOpened", "EntryCorrected", "EntryRetracted"],
        Role.INVESTIGATOR: ["FindingIssued", "VehicleDamageAssessed", "StatementIssued", "CommissionConvened"],
        Role.AUTHORITY: ["DecisionTaken", "IncidentClosed"],
    }.items() for name in names},
    "EntryCorrected of a decision": (
        event("EntryCorrected", "2022-10-02", target=DECISION, reason="r", changes={"summary": "t"}), Role.AUTHORITY),
    "EntryRetracted of a finding": (
        event("EntryRetracted", "2022-10-02", target=FINDING, reason="r"), Role.INVESTIGATOR),
    "EntryRetracted of a retraction of a finding": (
        event("EntryRetracted", "2022-10-02", target=RETRACTION, reason="r"), Role.INVESTIGATOR),
}


def test_every_event_type_is_in_the_matrix() -> None:
    from domain.vocabulary import EVENT_TYPES

    assert set(EVENT_TYPES) <= set(WRITERS)


@pytest.mark.parametrize("case", sorted(WRITERS))
def test_each_event_type_is_written_by_its_role_and_the_ones_above(
        app: IncidentLogApplication, make_client: MakeClient, issue_token: IssueToken, case: str) -> None:
    app.append([draft(e) for e in [*STORY, *AMENDED]], "setup")
    example, needed = WRITERS[case]
    sent = {**example, "id": new_id()}  # the same event from each caller: stored once, then a retry
    answers = {}
    for caller in CALLERS:
        answers["no-token" if caller is None else caller.label] = _client(make_client, issue_token, caller).post(
            "/events", json=sent).status_code
    first = next(role for role in Role if role.covers(needed))
    assert answers == {"no-token": 401, **{
        role.label: 403 if not role.covers(needed) else 201 if role is first else 200 for role in Role}}
