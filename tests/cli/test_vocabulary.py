"""`incidentlog vocabulary`: the event types and target date forms, from the domain's declarations."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from domain.vocabulary import EVENT_TYPES


def test_every_event_type_is_listed_with_its_fields() -> None:
    result = CliRunner().invoke(app, ["vocabulary", "--json"])
    body = json.loads(result.stdout)
    assert [t["name"] for t in body["types"]] == list(EVENT_TYPES)
    [lost] = [t for t in body["types"] if t["name"] == "VehicleLost"]
    assert {(f["name"], f["required"]) for f in lost["fields"]} == {
        ("vehicle", True), ("circumstances", True), ("planned", False), ("crew", False)}
    assert {w["kind"] for w in body["target_dates"]} == {
        "instant", "day", "month", "year", "not_announced", "to_be_set"}


def test_one_type_can_be_asked_for_by_name_in_any_case() -> None:
    result = CliRunner().invoke(app, ["vocabulary", "planwithdrawn"])
    assert result.exit_code == 0 and "PlanWithdrawn" in result.stdout and "VehicleLost" not in result.stdout


def test_an_unknown_type_is_a_usage_error_naming_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["vocabulary", "VehicleTeleported"])
    assert result.exit_code == 2 and "AssignmentEnded" in result.stderr
