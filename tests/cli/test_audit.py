"""`incidentlog decisions`, `audit` and `incident`: how decisions were reached, and the case file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prov.model import ProvDocument

from tests.cli.support import Incidentlog, write_jsonl
from tests.factories import event
from tests.projections.test_audit import DECISION, FINDING, LEAK, PHOTOS, STORY
from tests.projections.test_audit_formats import NAMELESS, UNSIGNED_DECISION, leaks_none


@pytest.fixture
def story(incidentlog: Incidentlog, tmp_path: Path) -> Incidentlog:
    retraction = event("EntryRetracted", "2023-02-01", target=PHOTOS, reason="the images showed another module")
    assert incidentlog("import", write_jsonl(tmp_path / "story.jsonl", [*STORY, retraction])).exit_code == 0
    return incidentlog


@pytest.fixture
def nameless(incidentlog: Incidentlog, tmp_path: Path) -> Incidentlog:
    """The story, and a sighting, a finding and a decision whose source names no one."""
    assert incidentlog("import", write_jsonl(tmp_path / "story.jsonl", [*STORY, *NAMELESS])).exit_code == 0
    return incidentlog


def test_decisions_lists_who_decided_what(story: Incidentlog) -> None:
    assert [d["id"] for d in story.json("decisions", "--authority", "AGENCY")["decisions"]] == [DECISION]
    result = story("decisions")
    assert result.exit_code == 0 and DECISION[:8] in result.stdout


def test_a_bad_date_range_is_a_usage_error(story: Incidentlog) -> None:
    result = story("decisions", "--from", "2023-02-01", "--to", "2023-01-01")
    assert result.exit_code == 2 and "--to" in result.stderr


def test_audit_takes_the_start_of_a_decision_id(story: Incidentlog) -> None:
    result = story("audit", DECISION[:8], "--format", "json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert [n["id"] for n in body["evidence"]["nodes"]] == [FINDING, LEAK, PHOTOS]
    assert [c["change"] for c in body["basis_changed"]] == ["retracted"]


def test_audit_as_known_before_the_retraction(story: Incidentlog) -> None:
    body = json.loads(story("audit", DECISION, "-f", "json", "--known-at", "2023-01-31").stdout)
    assert body["basis_changed"] == [] and body["known_at"] == "2023-01-31T23:59:59.999999Z"


def test_audit_reads_as_text_a_markdown_report_a_graph_or_prov(story: Incidentlog) -> None:
    assert "Evidence chain" in story("audit", DECISION).stdout
    assert story("audit", DECISION, "--format", "markdown").stdout.startswith("# Decision audit: ")
    assert f'"{DECISION}" -> "{FINDING}";' in story("audit", DECISION, "--format", "dot").stdout
    prov = ProvDocument.deserialize(content=story("audit", DECISION, "--format", "prov").stdout, format="json")
    assert len(list(prov.get_records())) > 0


@pytest.mark.parametrize(("given", "code", "says"), [
    (LEAK, 1, "is a LeakDetected, not a decision"),
    ("0000000", 1, "no event with an id starting"),
    ("not-hex", 2, "is not an event id"),
])
def test_audit_of_something_that_is_not_a_decision_says_why(story: Incidentlog, given: str, code: int,
                                                            says: str) -> None:
    result = story("audit", given)
    assert result.exit_code == code and says in result.stderr


def test_audit_of_a_decision_not_yet_known_fails(story: Incidentlog) -> None:
    result = story("audit", DECISION, "--known-at", "2023-01-10")
    assert result.exit_code == 1 and "not known at this horizon" in result.stderr


def test_incident_gives_the_case_file(story: Incidentlog) -> None:
    body = story.json("incident", "leak-1", "--as-of", "2022-12-20")
    assert (body["status"], [e["id"] for e in body["observations"]]) == ("open", [LEAK])  # the images: retracted
    result = story("incident", "leak-1")
    assert result.exit_code == 0 and "cause_determined" in result.stdout


def test_an_unknown_incident_fails_naming_those_known(story: Incidentlog) -> None:
    result = story("incident", "no-such-incident")
    assert result.exit_code == 1 and "leak-1" in result.stderr


def test_a_decision_naming_no_authority_is_listed_without_one(nameless: Incidentlog) -> None:
    result = nameless("decisions")
    assert result.exit_code == 0 and UNSIGNED_DECISION[:8] in result.stdout and leaks_none(result.stdout) == []
    listed = {d["id"]: d["data"]["authority"] for d in nameless.json("decisions")["decisions"]}
    assert listed[UNSIGNED_DECISION] is None


@pytest.mark.parametrize("authority", ["Agency", "None", "not named by the source"])
def test_a_filter_by_authority_never_matches_a_decision_naming_none(nameless: Incidentlog, authority: str) -> None:
    found = [d["id"] for d in nameless.json("decisions", "--authority", authority)["decisions"]]
    assert UNSIGNED_DECISION not in found


@pytest.mark.parametrize("output", ["text", "markdown", "dot", "prov"])
def test_the_audit_of_a_decision_naming_no_one_reads_in_every_format(nameless: Incidentlog, output: str) -> None:
    result = nameless("audit", UNSIGNED_DECISION[:8], "--format", output)
    assert result.exit_code == 0, result.stderr
    assert "no second inspection" in result.stdout and leaks_none(result.stdout) == []
    if output == "prov":
        assert len(list(ProvDocument.deserialize(content=result.stdout, format="json").get_records())) > 0
