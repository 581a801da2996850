"""`incidentlog append`: one event, printed as stored; a refusal names the field."""

from __future__ import annotations

import json

from tests.cli.support import Incidentlog
from tests.factories import event, new_id, vehicle


def test_an_appended_event_is_printed_with_its_place_in_the_log(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", json.dumps(vehicle("v")))
    assert result.exit_code == 0, result.stderr
    stored = json.loads(result.stdout)
    assert (stored["position"], stored["data"]["id"]) == (1, "v")
    assert stored["recorded_at"]


def test_the_event_may_come_on_standard_input(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", input=json.dumps(vehicle("v")))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "VehicleRegistered"


def test_a_refused_event_names_the_field_and_stores_nothing(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", json.dumps(event("VehicleDocked", vehicle="ghost", station="iss")))
    assert result.exit_code == 1
    assert "data.vehicle: no vehicle 'ghost'" in result.stderr
    assert incidentlog("log", "--json").stdout == ""


def test_a_field_rule_is_refused_before_the_store_is_asked(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", json.dumps(vehicle("v", reported_at="2022-08-01")))
    assert result.exit_code == 1
    assert "reported_at" in result.stderr


def test_malformed_json_is_refused(incidentlog: Incidentlog) -> None:
    result = incidentlog("append", '{"type": "VehicleRegistered",')
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr


def test_a_retry_prints_the_stored_event_and_stores_nothing(incidentlog: Incidentlog) -> None:
    raw = json.dumps(vehicle("v", event_id=new_id()))
    first = incidentlog("append", raw)
    again = incidentlog("append", raw)
    assert again.exit_code == 0
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert "already in the log" in again.stderr


def test_reusing_an_id_for_other_content_is_refused(incidentlog: Incidentlog) -> None:
    shared = new_id()
    incidentlog("append", json.dumps(vehicle("v", event_id=shared)))
    result = incidentlog("append", json.dumps(vehicle("w", event_id=shared)))
    assert result.exit_code == 1
    assert "id: event" in result.stderr
