"""`incidentlog import` and `export`: a whole file is checked before anything is
stored, retries store nothing, and an export imports again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.errors import RuleViolation
from store.application import IncidentLogApplication
from tests.cli.support import Incidentlog, json_lines, write_jsonl
from tests.factories import docked_with_crew, event, new_id, vehicle

SEED = Path(__file__).parents[2] / "scenarios" / "soyuz-ms22.jsonl"


def test_imported_events_are_in_the_log_in_file_order(incidentlog: Incidentlog, tmp_path: Path) -> None:
    result = incidentlog("import", write_jsonl(tmp_path / "events.jsonl", docked_with_crew("v", ["a"])))
    assert result.exit_code == 0, result.stderr
    assert "4 events stored" in result.stdout
    logged = json_lines(incidentlog("log", "--json").stdout)
    assert [(e["position"], e["type"]) for e in logged] == [
        (1, "VehicleRegistered"), (2, "CrewMemberRegistered"), (3, "VehicleLaunched"), (4, "VehicleDocked")]


def test_a_file_with_one_bad_line_stores_nothing_and_names_the_line(
        incidentlog: Incidentlog, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "events.jsonl", [
        vehicle("v"), "# a comment is not an event", event("VehicleDocked", vehicle="ghost", station="iss")])
    result = incidentlog("import", file)
    assert result.exit_code == 1
    assert "line 3: data.vehicle: no vehicle 'ghost'" in result.stderr
    assert "nothing was stored" in result.stderr
    assert incidentlog("log", "--json").stdout == ""


def test_malformed_json_is_named_by_its_line(incidentlog: Incidentlog, tmp_path: Path) -> None:
    result = incidentlog("import", write_jsonl(tmp_path / "events.jsonl", [vehicle("v"), "", '{"type": ']))
    assert result.exit_code == 1
    assert "line 3: is not valid JSON" in result.stderr


def test_a_later_line_may_rest_on_an_earlier_batch(incidentlog: Incidentlog, tmp_path: Path) -> None:
    events = [vehicle(f"v{i}") for i in range(5)]
    events.append(event("VehicleLaunched", "2022-09-21", vehicle="v0"))
    summary = incidentlog.json("import", write_jsonl(tmp_path / "events.jsonl", events), "--batch-size", "2")
    assert (summary["stored"], summary["head"]) == (6, 6)


def test_importing_the_same_file_twice_stores_nothing_the_second_time(
        incidentlog: Incidentlog, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "events.jsonl",
                       [{**e, "id": new_id()} for e in docked_with_crew("v", ["a", "b"])])
    first = incidentlog.json("import", file)
    again = incidentlog.json("import", file)
    assert (first["stored"], first["already_stored"]) == (5, 0)
    assert (again["stored"], again["already_stored"], again["head"]) == (0, 5, 5)


def test_if_empty_imports_only_into_an_empty_log(incidentlog: Incidentlog, tmp_path: Path) -> None:
    seeded = incidentlog("import", write_jsonl(tmp_path / "a.jsonl", [vehicle("v")]), "--if-empty")
    skipped = incidentlog("import", write_jsonl(tmp_path / "b.jsonl", [vehicle("w")]), "--if-empty")
    assert seeded.exit_code == skipped.exit_code == 0
    assert "Skipped" in skipped.stdout
    assert [e["data"]["id"] for e in json_lines(incidentlog("log", "--json").stdout)] == ["v"]


def test_import_reads_standard_input(incidentlog: Incidentlog, tmp_path: Path) -> None:
    text = Path(write_jsonl(tmp_path / "events.jsonl", [vehicle("v")])).read_text()
    assert incidentlog("import", "-", input=text).exit_code == 0
    assert len(json_lines(incidentlog("log", "--json").stdout)) == 1


def test_a_missing_file_is_a_usage_error(incidentlog: Incidentlog, tmp_path: Path) -> None:
    result = incidentlog("import", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_export_imports_into_an_empty_store_with_the_same_state(
        incidentlog: Incidentlog, another_store: Incidentlog, tmp_path: Path) -> None:
    incidentlog("import", str(SEED))
    incidentlog("append", json.dumps(vehicle("late-arrival", reported_at=None)))
    exported = tmp_path / "export.jsonl"
    assert incidentlog("export", "--output", str(exported)).exit_code == 0
    assert another_store.json("import", str(exported))["stored"] == 42
    for as_of, known_at in [("2022-12-20", "2022-12-20"), ("2022-12-20", "2023-01-11"), ("2023-01-12", "2030-01-01")]:
        horizon = ("--as-of", as_of, "--known-at", known_at)
        assert another_store.json("state", *horizon) == incidentlog.json("state", *horizon)


def test_an_export_imported_again_into_its_own_store_stores_nothing(
        incidentlog: Incidentlog, tmp_path: Path) -> None:
    incidentlog("import", write_jsonl(tmp_path / "events.jsonl", [vehicle("v", reported_at=None)]))
    exported = incidentlog("export").stdout
    assert incidentlog.json("import", write_jsonl(tmp_path / "export.jsonl", exported.splitlines()))[
        "already_stored"] == 1


def test_a_bad_line_in_a_later_batch_stores_nothing_from_earlier_batches(
        incidentlog: Incidentlog, tmp_path: Path) -> None:
    events = [vehicle(f"v{i}") for i in range(4)]
    events.append(event("VehicleLanded", "2022-09-21", vehicle="v9"))
    result = incidentlog("import", write_jsonl(tmp_path / "events.jsonl", events), "--batch-size", "2")
    assert result.exit_code == 1
    assert "line 5: data.vehicle" in result.stderr
    assert incidentlog("log", "--json").stdout == ""


def test_an_export_to_a_file_holds_what_the_log_holds(incidentlog: Incidentlog, tmp_path: Path) -> None:
    incidentlog("import", write_jsonl(tmp_path / "events.jsonl", docked_with_crew("v", ["a"])))
    exported = tmp_path / "export.jsonl"
    result = incidentlog("export", "-o", str(exported))
    assert result.exit_code == 0
    assert "Exported 4 events" in result.stderr
    assert exported.read_text(encoding="utf-8") == incidentlog("log", "--json").stdout


def test_a_batch_refused_after_the_check_names_its_line_and_what_was_stored(
        incidentlog: Incidentlog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer may change the log between the check and a later batch."""
    real_append = IncidentLogApplication.append

    def append_then_refuse(self: IncidentLogApplication, drafts: Any, actor: str) -> Any:
        if self.head:
            raise RuleViolation("events[1].data.id", "vehicle 'v3' is already registered")
        return real_append(self, drafts, actor)

    monkeypatch.setattr(IncidentLogApplication, "append", append_then_refuse)
    result = incidentlog("import", write_jsonl(tmp_path / "events.jsonl", [vehicle(f"v{i}") for i in range(4)]),
                         "--batch-size", "2")
    assert result.exit_code == 1
    assert "line 4: data.id: vehicle 'v3' is already registered" in result.stderr
    assert "before line 3 were stored" in result.stderr
