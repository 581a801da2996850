"""The audit of the seed's decisions, on SQLite and PostgreSQL, asked of the
store, of `GET /decisions/{id}/audit` and of `incidentlog audit`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prov.model import ProvDocument
from typer.testing import CliRunner

from api.main import create_app
from cli.main import app as cli_app
from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication

DECISION = "244d50da-db87-53d8-8c19-454722ffb90a"  # MS-22 returns uncrewed; MS-23 flies up uncrewed on 20 Feb
EMERGENCY_ONLY = "6d49d980-1df4-5445-94e9-71990ea6e394"  # the State Commission's condition on using MS-22
FINDING = "ef712ccb-7da4-5cf7-a784-c4f3d443f841"
LEAK = "4c59c08e-5aaa-5862-a66b-1e604763b3f8"
NASA_IMAGES = "1378e02e-de75-55f2-8d69-74c8e2e672eb"
AuditOf = Callable[..., dict[str, Any]]


@pytest.fixture(params=["store", "http", "cli"])
def audit_of(request: pytest.FixtureRequest, seeded: IncidentLogApplication) -> Iterator[AuditOf]:
    """`audit_of(decision, known_at=None)`: the audit as JSON, through one interface."""
    if request.param == "store":
        def from_store(decision: str, known_at: str | None = None) -> dict[str, Any]:
            found = seeded.audit(uuid.UUID(decision), Horizon.parse(None, known_at, None, seeded.now()))
            assert found is not None
            return found.to_json()
        yield from_store
    elif request.param == "http":
        with TestClient(create_app(replace(seeded.settings, open_reads=True), application=seeded)) as client:
            def from_http(decision: str, known_at: str | None = None) -> dict[str, Any]:
                response = client.get(f"/decisions/{decision}/audit", params={"known_at": known_at} if known_at else {})
                assert response.status_code == 200, response.text
                body: dict[str, Any] = response.json()
                return body
            yield from_http
    else:
        def from_cli(decision: str, known_at: str | None = None) -> dict[str, Any]:
            args = ["--store", seeded.settings.store, "audit", decision[:8], "--format", "json"]
            result = CliRunner().invoke(cli_app, args + (["--known-at", known_at] if known_at else []))
            assert result.exit_code == 0, result.stderr
            body: dict[str, Any] = json.loads(result.stdout)
            return body
        yield from_cli


def correct(seeded: IncidentLogApplication, type_: str, target: str, **data: Any) -> None:
    seeded.append([Draft.from_json({"type": type_, "occurred_at": "2023-03-01", "source": "a later inquiry",
                                    "data": {"target": target, "reason": "a later inquiry", **data}},
                                   uuid.uuid4)], "historian")


def test_the_decision_rests_on_the_finding_and_beneath_it_the_leak_and_nasas_images(audit_of: AuditOf) -> None:
    body = audit_of(DECISION)
    assert [n["id"] for n in body["evidence"]["nodes"]] == [FINDING, LEAK, NASA_IMAGES]
    finding = body["evidence"]["nodes"][0]["data"]
    assert "micrometeoroid" in finding["cause"] and "not a technical defect" in finding["cause"]
    assert finding["method"] == "proven experimentally" and "less than a millimetre" in finding["summary"]
    assert {"from": NASA_IMAGES, "to": LEAK} in body["evidence"]["edges"]


def test_the_decision_was_taken_knowing_the_leak_the_images_and_the_finding(audit_of: AuditOf) -> None:
    body = audit_of(DECISION)
    assert {LEAK, NASA_IMAGES, FINDING} <= {e["id"] for e in body["known_when_taken"]}
    assert body["decision"]["data"]["alternatives"] == ["Return the three on Soyuz MS-22 as originally planned "
                                                        "in March 2023"]


def test_the_state_commission_condition_is_a_decision_of_its_own_with_its_consequence(audit_of: AuditOf) -> None:
    body = audit_of(DECISION)
    assert EMERGENCY_ONLY in [c["event"]["id"] for c in body["consequences"]]
    condition = audit_of(EMERGENCY_ONLY)
    assert condition["decision"]["data"]["authority"] == "State Commission"
    changed = [(c["subject"], c["id"], c["field"], c["value"]) for consequence in condition["consequences"]
               for c in consequence["changed"]]
    assert ("vehicle", "soyuz-ms-22", "crewed_return", "emergency_only") in changed


def test_the_reassignments_and_the_uncrewed_launch_are_consequences(audit_of: AuditOf) -> None:
    changed = {(c["id"], c["field"]): c["value"] for consequence in audit_of(DECISION)["consequences"]
               for c in consequence["changed"]}
    assert changed["frank-rubio", "return_vehicle"] == "soyuz-ms-23"
    assert (changed["soyuz-ms-23", "planned_launch"], changed["soyuz-ms-23", "launch_crew"]) == ("2023-02-20", [])


def test_a_retraction_of_the_finding_changes_the_basis_as_known_after_it(seeded: IncidentLogApplication,
                                                                       audit_of: AuditOf) -> None:
    correct(seeded, "EntryRetracted", FINDING)
    [change] = audit_of(DECISION)["basis_changed"]
    assert (change["change"], change["evidence"]["id"], change["now"]) == ("retracted", FINDING, None)
    assert audit_of(DECISION)["evidence"]["nodes"][0]["status"] == "retracted"
    assert audit_of(DECISION, known_at="2023-02-28")["basis_changed"] == []


def test_a_fact_reported_after_the_decision_is_learned_afterwards(seeded: IncidentLogApplication,
                                                                 audit_of: AuditOf) -> None:
    launch = {"type": "VehicleLaunched", "occurred_at": "2023-02-24", "source": "public record",
              "incident": "soyuz-ms-22-coolant-leak", "data": {"vehicle": "soyuz-ms-23"}}
    [entry] = seeded.append([Draft.from_json(launch, uuid.uuid4)], "historian").entries
    body = audit_of(DECISION)
    assert str(entry.id) in [e["id"] for e in body["learned_afterwards"]]
    assert str(entry.id) not in [e["id"] for e in body["known_when_taken"]]


def test_the_prov_json_of_the_decision_validates(seeded: IncidentLogApplication) -> None:
    result = CliRunner().invoke(cli_app, ["--store", seeded.settings.store, "audit", DECISION[:8], "--format", "prov"])
    document = ProvDocument.deserialize(content=result.stdout, format="json")
    kinds = {type(record).__name__ for record in document.get_records()}
    assert {"ProvActivity", "ProvEntity", "ProvAgent", "ProvUsage", "ProvAssociation"} <= kinds


def test_the_case_file_of_the_leak(seeded: IncidentLogApplication) -> None:
    found = seeded.incident_file("soyuz-ms-22-coolant-leak", Horizon.parse("2023-01-12", None, None, seeded.now()))
    assert found is not None
    body = found.to_json()
    assert body["status"] == "cause_determined"
    assert [d["id"] for d in body["decisions"]] == [DECISION, EMERGENCY_ONLY]
    assert [f["type"] for f in body["findings"]] == ["FindingIssued", "VehicleDamageAssessed"]
