"""The command line writes as the machine's operator: the operating-system user
is the recorded writer, and `--actor` says on whose behalf, beside it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import Incidentlog, json_lines, write_jsonl
from tests.factories import vehicle

OPERATOR = {"LOGNAME": "duty-operator", "USER": "duty-operator"}  # what getpass.getuser() reads first


def test_an_append_is_written_by_the_operating_system_user(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", json.dumps(vehicle("v")), env=OPERATOR)
    assert result.exit_code == 0, result.stderr
    stored = json.loads(result.stdout)
    assert (stored["actor"], stored["on_behalf_of"]) == ("duty-operator", None)


def test_actor_is_kept_as_on_behalf_of_beside_the_real_writer(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", json.dumps(vehicle("v")), "--actor", "flight-director", env=OPERATOR)
    assert result.exit_code == 0, result.stderr
    [logged] = json_lines(incidentlog("log", "--json").stdout)
    assert (logged["actor"], logged["on_behalf_of"]) == ("duty-operator", "flight-director")


def test_an_import_for_someone_else_records_both_on_every_event(incidentlog: Incidentlog, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "theirs.jsonl", [vehicle("v"), vehicle("w")])
    assert incidentlog("import", file, "--actor", "partner-agency", env=OPERATOR).exit_code == 0
    assert {(e["actor"], e["on_behalf_of"]) for e in json_lines(incidentlog("log", "--json").stdout)} == {
        ("duty-operator", "partner-agency")}


def test_the_log_and_the_event_view_show_the_writer_and_for_whom(incidentlog: Incidentlog) -> None:
    stored = json.loads(incidentlog("append", json.dumps(vehicle("v")), "--actor", "historian", env=OPERATOR).stdout)
    assert "duty-operator for historian" in incidentlog("log", env={"COLUMNS": "200"}).stdout
    view = incidentlog("event", stored["id"], env={"COLUMNS": "200"}).stdout
    assert "duty-operator" in view and "on_behalf_of" in view and "historian" in view


def test_an_export_imports_again_whoever_wrote_it(
        incidentlog: Incidentlog, another_store: Incidentlog, tmp_path: Path) -> None:
    incidentlog("append", json.dumps(vehicle("v")), "--actor", "historian", env=OPERATOR)
    exported = tmp_path / "export.jsonl"
    assert incidentlog("export", "--output", str(exported), "--quiet").exit_code == 0
    result = another_store("import", str(exported), env={"LOGNAME": "archivist"})
    assert result.exit_code == 0, result.stderr
    [copied] = json_lines(another_store("log", "--json").stdout)
    assert (copied["actor"], copied["on_behalf_of"]) == ("archivist", None)


def test_a_blank_actor_is_a_usage_error(incidentlog: Incidentlog) -> None:
    assert incidentlog("append", json.dumps(vehicle("v")), "--actor", " ").exit_code == 2
