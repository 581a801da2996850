"""`incidentlog log`, `state`, `vehicle` and `crew`: the picture at any horizon."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.cli.support import Incidentlog, json_lines, write_jsonl
from tests.factories import crew_member, docked_with_crew, event

STATE_KEYS = {"as_of", "known_at", "recorded_before", "position", "vehicles", "crew", "stations", "incidents"}


@pytest.fixture
def docked(incidentlog: Incidentlog, tmp_path: Path) -> Incidentlog:
    """Two crew aboard a one-seat vehicle docked on 2022-09-21 at 18:00; the leak reported a day late."""
    events = [*docked_with_crew("soyuz-a", ["anna", "boris"], day="2022-09-21T18:00:00Z", seats=1),
              crew_member("nikolai-chub", aliases=["Tschub", "Nikolai Tschub"]),
              event("LeakDetected", "2022-12-14", reported_at="2022-12-15", vehicle="soyuz-a",
                    system="coolant", description="a leak")]
    assert incidentlog("import", write_jsonl(tmp_path / "events.jsonl", events)).exit_code == 0
    return incidentlog


def test_state_json_has_the_documented_shape(docked: Incidentlog) -> None:
    state = docked.json("state", "--as-of", "2022-10-01")
    assert set(state) == STATE_KEYS
    assert state["vehicles"]["soyuz-a"]["location"] == "docked"
    assert state["stations"]["iss"]["shortfall"] == 1


def test_a_bare_date_as_of_means_the_end_of_that_day(docked: Incidentlog) -> None:
    that_day = docked.json("state", "--as-of", "2022-09-21")
    that_morning = docked.json("state", "--as-of", "2022-09-21T12:00:00Z")
    assert that_day["as_of"] == "2022-09-21T23:59:59.999999Z"
    assert that_day["crew"]["anna"]["aboard"] and not that_morning["crew"]["anna"]["aboard"]


def test_known_at_hides_what_was_reported_later(docked: Incidentlog) -> None:
    believed = docked.json("vehicle", "soyuz-a", "--as-of", "2022-12-14", "--known-at", "2022-12-14")
    known = docked.json("vehicle", "soyuz-a", "--as-of", "2022-12-14", "--known-at", "2022-12-15")
    assert (believed["health"], known["health"]) == ("nominal", "damaged")


def test_explain_says_which_event_set_each_field(docked: Incidentlog) -> None:
    explained = docked.json("vehicle", "soyuz-a", "--explain")
    logged = {e["type"]: e["id"] for e in json_lines(docked("log", "--json").stdout)}
    assert explained["explain"]["health"]["set_by"]["id"] == logged["LeakDetected"]
    assert "LeakDetected 2022-12-14" in docked("vehicle", "soyuz-a", "--explain").stdout


def test_a_crew_member_is_found_by_any_alias(docked: Incidentlog) -> None:
    assert docked.json("crew", "tschub")["id"] == "nikolai-chub"
    assert "Nikolai Chub" in docked("crew", "Nikolai Tschub").stdout


def test_an_unknown_vehicle_is_a_clear_error(docked: Incidentlog) -> None:
    result = docked("vehicle", "ghost")
    assert result.exit_code == 1
    assert "no vehicle 'ghost'" in result.stderr and "soyuz-a" in result.stderr


def test_a_bad_as_of_is_a_usage_error(docked: Incidentlog) -> None:
    result = docked("state", "--as-of", "last tuesday")
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_recorded_before_a_position_sees_only_what_was_stored_by_then(docked: Incidentlog) -> None:
    assert set(docked.json("state", "--recorded-before", "1")["vehicles"]) == {"soyuz-a"}
    assert docked.json("state", "--recorded-before", "1")["crew"] == {}


def test_the_state_tables_show_the_capacity_alert(docked: Incidentlog) -> None:
    result = docked("state", "--as-of", "2022-10-01")
    assert result.exit_code == 0, result.stderr
    assert "Station capacity" in result.stdout
    assert "2 aboard, 1 cleared seats" in result.stdout


def test_the_log_pages_by_position(docked: Incidentlog) -> None:
    page = json_lines(docked("log", "--after", "2", "--limit", "2", "--json").stdout)
    assert [e["position"] for e in page] == [3, 4]
    table = docked("log").stdout
    assert "VehicleDocked" in table and "LeakDetected" in table


def test_the_store_may_come_from_the_environment(docked: Incidentlog) -> None:
    result = CliRunner().invoke(app, ["vehicle", "soyuz-a", "--json"], env={"INCIDENTLOG_STORE": docked.store})
    assert result.exit_code == 0, result.stderr


def test_an_empty_log_has_an_empty_picture(incidentlog: Incidentlog) -> None:
    state = incidentlog.json("state")
    assert (state["position"], state["vehicles"], state["stations"]) == (0, {}, {})
