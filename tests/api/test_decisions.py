"""Decisions, their audits and incident case files over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prov.model import ProvDocument

from tests.api.support import refused
from tests.factories import event, new_id
from tests.projections.test_audit import DECISION, FINDING, LEAK, PHOTOS, STORY


@pytest.fixture
def story(client: TestClient) -> TestClient:
    assert client.post("/events/batch", json={"events": STORY}).status_code == 201
    return client


def audit(client: TestClient, decision: str = DECISION, **params: str) -> Any:
    response = client.get(f"/decisions/{decision}/audit", params=params)
    assert response.status_code == 200, response.text
    return response.json() if response.headers["content-type"] == "application/json" else response.text


def test_decisions_are_listed_and_filtered(story: TestClient) -> None:
    assert [d["id"] for d in story.get("/decisions").json()["decisions"]] == [DECISION]
    assert story.get("/decisions", params={"authority": "agency", "incident": "leak-1"}).json()["decisions"]
    assert story.get("/decisions", params={"occurred_to": "2023-01-10"}).json()["decisions"] == []


def test_a_bad_date_filter_is_refused_naming_it(story: TestClient) -> None:
    refused(story.get("/decisions", params={"occurred_from": "last week"}), 422, "occurred_from")


def test_the_audit_gives_the_evidence_graph_and_what_was_known_then(story: TestClient) -> None:
    body = audit(story)
    assert body["decision"]["data"]["authority"] == "Agency"
    assert [n["id"] for n in body["evidence"]["nodes"]] == [FINDING, LEAK, PHOTOS]
    assert {"from": DECISION, "to": FINDING} in body["evidence"]["edges"]
    assert {LEAK, PHOTOS, FINDING} <= {e["id"] for e in body["known_when_taken"]}


def test_the_audit_as_known_before_a_correction_has_no_change_of_basis(story: TestClient) -> None:
    story.post("/events", json=event("EntryRetracted", "2023-02-01", target=PHOTOS, reason="wrong module"))
    assert [c["change"] for c in audit(story)["basis_changed"]] == ["retracted"]
    assert audit(story, known_at="2023-01-31")["basis_changed"] == []


def test_the_audit_comes_as_markdown_dot_or_prov(story: TestClient) -> None:
    report = story.get(f"/decisions/{DECISION}/audit", params={"format": "markdown"})
    assert report.headers["content-type"].startswith("text/markdown") and "## Evidence chain" in report.text
    graph = story.get(f"/decisions/{DECISION}/audit", params={"format": "dot"})
    assert graph.headers["content-type"].startswith("text/vnd.graphviz")
    assert f'"{DECISION}" -> "{FINDING}";' in graph.text
    prov = ProvDocument.deserialize(content=json.dumps(audit(story, format="prov")), format="json")
    assert len(list(prov.get_records())) > 0


def test_an_unknown_decision_is_not_found(story: TestClient) -> None:
    refused(story.get(f"/decisions/{new_id()}/audit"), 404, "decision_id")
    refused(story.get(f"/decisions/{LEAK}/audit"), 404, "decision_id")
    refused(story.get(f"/decisions/{DECISION}/audit", params={"known_at": "2023-01-10"}), 404, "decision_id")


def test_a_bad_format_or_id_is_refused(story: TestClient) -> None:
    refused(story.get(f"/decisions/{DECISION}/audit", params={"format": "pdf"}), 422, "format")
    refused(story.get("/decisions/not-a-uuid/audit"), 422, "decision_id")


def test_an_incident_case_file_as_of_a_day(story: TestClient) -> None:
    now = story.get("/incidents/leak-1").json()
    then = story.get("/incidents/leak-1", params={"as_of": "2022-12-20"}).json()
    assert (now["status"], [d["id"] for d in now["decisions"]]) == ("cause_determined", [DECISION])
    assert (then["status"], then["decisions"]) == ("open", [])


def test_an_unknown_incident_is_not_found(story: TestClient) -> None:
    refused(story.get("/incidents/no-such-incident"), 404, "incident_id")


def test_the_audit_json_schema_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/decisions", "/decisions/{decision_id}/audit", "/incidents/{incident_id}"} <= set(spec["paths"])
    audit_schema = spec["components"]["schemas"]["DecisionAuditOut"]["properties"]
    assert {"decision", "evidence", "known_when_taken", "learned_afterwards", "basis_changed", "supersedes",
            "superseded_by", "consequences"} <= set(audit_schema)
