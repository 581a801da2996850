"""`incidentlog explain`, `history` and `event`: why a value is what it is, and how it changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import Incidentlog, write_jsonl
from tests.factories import docked_with_crew, event, new_id

LEAK, FIX = new_id(), new_id()


@pytest.fixture
def leaky(incidentlog: Incidentlog, tmp_path: Path) -> Incidentlog:
    story = [*docked_with_crew("soyuz", ["ann"]),
             event("LeakDetected", "2022-12-14", event_id=LEAK, vehicle="soyuz", system="cooling", description="d"),
             event("VehicleDamageAssessed", "2023-01-11", based_on=[LEAK], vehicle="soyuz", health="damaged",
                   crewed_return="emergency_only"),
             event("EntryCorrected", "2023-02-01", event_id=FIX, target=LEAK, reason="the first report was vague",
                   changes={"description": "a hole under 1 mm"})]
    assert incidentlog("import", write_jsonl(tmp_path / "story.jsonl", story)).exit_code == 0
    return incidentlog


def test_explain_gives_the_event_behind_a_field_and_its_evidence(leaky: Incidentlog) -> None:
    body = leaky.json("explain", "soyuz", "crewed_return")
    assert body["value"] == "emergency_only"
    assert body["set_by"]["type"] == "VehicleDamageAssessed"
    assert [e["id"] for e in body["evidence"]] == [LEAK]


def test_explain_finds_crew_by_name_and_reads_as_a_table(leaky: Incidentlog) -> None:
    result = leaky("explain", "Ann", "lifeboat")
    assert result.exit_code == 0 and "VehicleDocked" in result.stdout


def test_explain_of_a_field_that_does_not_exist_is_a_usage_error(leaky: Incidentlog) -> None:
    result = leaky("explain", "soyuz", "colour")
    assert result.exit_code == 2 and "crewed_return" in result.stderr


def test_history_lists_changes_as_known_then(leaky: Incidentlog) -> None:
    now = leaky.json("history", "soyuz")["changes"]
    then = leaky.json("history", "soyuz", "--known-at", "2022-12-31")["changes"]
    assert now[-1]["changes"]["crewed_return"]["to"] == "emergency_only"
    assert then[-1]["event"]["type"] == "LeakDetected"


def test_an_event_shows_its_correction_only_as_known_after_it(leaky: Incidentlog) -> None:
    now = leaky.json("event", LEAK)
    assert now["believed"]["data"]["description"] == "a hole under 1 mm"
    assert [a["id"] for a in now["amendments"]] == [FIX]
    then = leaky.json("event", LEAK, "--known-at", "2023-01-31")
    assert then["amendments"] == [] and then["believed"]["data"]["description"] == "d"


def test_an_unknown_event_is_a_clear_error(leaky: Incidentlog) -> None:
    assert leaky("event", new_id()).exit_code == 1
    assert leaky("event", "not-a-uuid").exit_code == 2


def test_the_event_table_names_the_amendment(leaky: Incidentlog) -> None:
    result = leaky("event", LEAK)
    assert result.exit_code == 0 and "Amended by EntryCorrected" in result.stdout
    assert json.loads(leaky("event", LEAK, "--json").stdout)["retracted"] is False


def test_a_derived_value_reads_as_a_table_per_part(incidentlog: Incidentlog, tmp_path: Path) -> None:
    story = [*docked_with_crew("soyuz", ["ann", "bob"]),
             *(event("ReturnVehicleAssigned", "2022-10-01", crew_member=m, vehicle="soyuz", planned_return="2023-03")
               for m in ("ann", "bob"))]
    assert incidentlog("import", write_jsonl(tmp_path / "story.jsonl", story)).exit_code == 0
    shown = incidentlog("explain", "soyuz", "return_crew").stdout
    assert "return_crew = ann, bob" in shown or "return_crew = bob, ann" in shown  # same day: order by id
    assert "crew ann: return_vehicle = soyuz" in shown and "crew bob: return_vehicle = soyuz" in shown
    assert shown.count("ReturnVehicleAssigned") == 2
