"""The second scenario, the Soyuz MS-09 air leak and the Soyuz MS-10 launch
abort of 2018, on SQLite and PostgreSQL, asked of the store, of `GET /state`
and of `incidentlog state --json`."""

import json
import uuid
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from tests.factories import NOW
from tests.scenarios.conftest import StateOf, scenario_events, scenario_path

FILE = "soyuz-ms09.jsonl"
LEAK, ABORT = "soyuz-ms-09-air-leak", "soyuz-ms-10-launch-abort"
MS08_CREW = ["oleg-artemyev", "drew-feustel", "ricky-arnold"]
MS09_CREW = ["sergey-prokopyev", "alexander-gerst", "serena-aunon-chancellor"]
MS10_CREW = ["aleksey-ovchinin", "nick-hague"]
MS11_CREW = ["oleg-kononenko", "david-saint-jacques", "anne-mcclain"]

MICROMETEOROID = "95279ddd-ad16-5c3a-a94a-12022eb572cf"  # early reports: probably a micrometeoroid
DRILLED = "2c15a63c-6c08-50a3-8328-084e02232f0b"  # Rogozin, 3 Sep 2018: made by a drill
BENT_PIN = "1db0cfac-3bf5-5b0e-b9fe-445016368326"  # happened 11 Oct 2018, reported 1 Nov 2018


@pytest.fixture
def scenario() -> str:
    return FILE


def aboard(state: dict[str, Any]) -> list[str]:
    return sorted(state["stations"]["iss"]["crew"])


def lifeboats(state: dict[str, Any]) -> dict[str, tuple[str, bool, str]]:
    return {c["crew_member"]: (c["lifeboat"], c["lifeboat_docked"], c["lifeboat_crewed_return"])
            for c in state["stations"]["iss"]["lifeboats"]}


# --- The file -------------------------------------------------------------------------------------


def test_every_line_is_an_event_with_a_fixed_id_of_its_own() -> None:
    events = scenario_events(FILE)
    ids = [uuid.UUID(raw["id"]) for raw in events]
    assert len(ids) == len(set(ids)) == len(events)


def test_the_file_imports_cleanly_with_the_command_line(store_url: str) -> None:
    result = CliRunner().invoke(cli_app, ["--store", store_url, "import", str(scenario_path(FILE)), "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert f"{len(scenario_events(FILE))} events stored, 0 already in the log" in result.stdout


def test_importing_the_scenario_twice_stores_it_once(seeded: IncidentLogApplication) -> None:
    result = seeded.append([Draft.from_json(raw, uuid.uuid4) for raw in scenario_events(FILE)], "importer")
    assert result.stored == 0 and result.duplicates == len(scenario_events(FILE))


def test_every_event_names_the_public_source_it_comes_from(seeded: IncidentLogApplication) -> None:
    sources = [entry.source for entry in seeded.entries()]
    assert sources and all(s.startswith("Public record: ") and len(s) > len("Public record: ") + 10
                           for s in sources)


def test_the_spellings_in_use_find_the_crew(seeded: IncidentLogApplication) -> None:
    state = seeded.state(Horizon(NOW, NOW))
    names = {"Serena Aunon-Chancellor": "serena-aunon-chancellor", "Sergei Prokopyev": "sergey-prokopyev",
             "Alexey Ovchinin": "aleksey-ovchinin", "Andrew Feustel": "drew-feustel",
             "Oleg Artemiev": "oleg-artemyev", "David Saint Jacques": "david-saint-jacques"}
    assert {name: getattr(state.find_crew(name), "id", None) for name in names} == names


# --- The station on five dates and more -------------------------------------------------------------


def test_the_day_before_the_leak_six_are_aboard_with_six_cleared_seats(state_of: StateOf) -> None:
    state = state_of("2018-08-29")
    assert aboard(state) == sorted(MS08_CREW + MS09_CREW)
    ms09 = state["vehicles"]["soyuz-ms-09"]
    assert (ms09["location"], ms09["health"], ms09["crewed_return"]) == ("docked", "nominal", "cleared")
    iss = state["stations"]["iss"]
    assert (iss["crew_aboard"], iss["cleared_seats"], iss["shortfall"]) == (6, 6, 0)


def test_the_day_after_the_leak_ms09_is_holed_but_its_crew_still_go_home_in_it(state_of: StateOf) -> None:
    state = state_of("2018-08-31")
    ms09 = state["vehicles"]["soyuz-ms-09"]
    assert (ms09["health"], ms09["crewed_return"]) == ("damaged", "cleared")  # the leak judged acceptable
    assert LEAK in ms09["open_incidents"] and state["incidents"][LEAK]["status"] == "open"
    assert sorted(ms09["return_crew"]) == sorted(MS09_CREW)
    assert {m: lifeboats(state)[m] for m in MS09_CREW} == {m: ("soyuz-ms-09", True, "cleared") for m in MS09_CREW}
    assert (state["stations"]["iss"]["crew_aboard"], state["stations"]["iss"]["shortfall"]) == (6, 0)


def test_after_ms08_left_three_remain_aboard(state_of: StateOf) -> None:
    state = state_of("2018-10-05")
    assert aboard(state) == sorted(MS09_CREW)
    assert state["vehicles"]["soyuz-ms-08"]["location"] == "landed"
    assert state["stations"]["iss"]["docked_vehicles"] == ["soyuz-ms-09"]
    for member in MS08_CREW:
        assert state["crew"][member]["aboard"] is False and state["crew"][member]["return_vehicle"] is None


def test_on_the_day_of_the_abort_three_are_aboard_and_ms10_has_landed(state_of: StateOf) -> None:
    state = state_of("2018-10-11")
    assert aboard(state) == sorted(MS09_CREW)
    ms10 = state["vehicles"]["soyuz-ms-10"]
    assert (ms10["location"], ms10["return_crew"]) == ("landed", [])
    for member in MS10_CREW:
        plan = state["crew"][member]
        assert (plan["aboard"], plan["return_vehicle"], plan["lifeboat"]) == (False, None, None)
    assert state["incidents"][ABORT]["status"] == "under_investigation"
    assert state["vehicles"]["soyuz-ms-11"]["planned_launch"] == "2018-12-20"


def test_the_day_of_the_abort_as_known_the_day_before_ms10_is_still_to_launch(state_of: StateOf) -> None:
    state = state_of("2018-10-11", known_at="2018-10-10")
    ms10 = state["vehicles"]["soyuz-ms-10"]
    assert (ms10["location"], ms10["planned_launch"]) == ("scheduled", "2018-10-11T08:40Z")
    assert sorted(ms10["return_crew"]) == sorted(MS10_CREW)
    assert ABORT not in state["incidents"]


def test_after_ms11_docked_six_are_aboard_each_with_a_docked_cleared_lifeboat(state_of: StateOf) -> None:
    state = state_of("2018-12-04")
    assert aboard(state) == sorted(MS09_CREW + MS11_CREW)
    expected = {**{m: ("soyuz-ms-09", True, "cleared") for m in MS09_CREW},
                **{m: ("soyuz-ms-11", True, "cleared") for m in MS11_CREW}}
    assert lifeboats(state) == expected
    iss = state["stations"]["iss"]
    assert (iss["crew_aboard"], iss["cleared_seats"], iss["shortfall"], iss["alerts"]) == (6, 6, 0, [])
    ms11 = state["vehicles"]["soyuz-ms-11"]
    assert (ms11["flights"], ms11["planned_launch"]) == (1, None)  # the plan was carried out
    assert {state["crew"][m]["planned_return"] for m in MS09_CREW} == {"2018-12-20"}


def test_after_ms09_landed_its_crew_have_gone_home_and_it_carries_no_one(state_of: StateOf) -> None:
    state = state_of("2018-12-21")
    assert aboard(state) == sorted(MS11_CREW)
    ms09 = state["vehicles"]["soyuz-ms-09"]
    assert (ms09["location"], ms09["return_crew"]) == ("landed", [])
    for member in MS09_CREW:
        plan = state["crew"][member]
        assert (plan["aboard"], plan["return_vehicle"], plan["lifeboat"]) == (False, None, None)


# --- What was known when ----------------------------------------------------------------------------


def test_on_31_october_ms11_still_launched_on_20_december_and_the_abort_had_no_cause(state_of: StateOf) -> None:
    then = state_of("2018-11-02", known_at="2018-10-31")
    assert then["vehicles"]["soyuz-ms-11"]["planned_launch"] == "2018-12-20"
    assert then["incidents"][ABORT]["status"] == "under_investigation"
    now = state_of("2018-11-02")
    assert now["vehicles"]["soyuz-ms-11"]["planned_launch"] == "2018-12-03"
    assert now["incidents"][ABORT]["status"] == "cause_determined"


def test_the_bent_pin_belongs_to_the_launch_day_but_was_known_only_from_1_november(state_of: StateOf) -> None:
    assert BENT_PIN not in state_of("2018-10-12", known_at="2018-10-31")["incidents"][ABORT]["timeline"]
    assert BENT_PIN in state_of("2018-10-12", known_at="2018-11-01")["incidents"][ABORT]["timeline"]
    assert BENT_PIN not in state_of("2018-10-10")["incidents"].get(ABORT, {}).get("timeline", [])


def test_the_disputed_cause_of_the_hole_stays_unresolved(state_of: StateOf, seeded: IncidentLogApplication) -> None:
    state = state_of("2018-12-21")
    assert state["incidents"][LEAK]["status"] == "under_investigation"
    assert {MICROMETEOROID, DRILLED} <= set(state["incidents"][LEAK]["timeline"])
    drilled = next(e for e in seeded.entries() if str(e.id) == DRILLED)
    assert uuid.UUID(MICROMETEOROID) in drilled.based_on


def test_the_abort_day_through_the_cli_reads_as_json(seeded: IncidentLogApplication) -> None:
    result = CliRunner().invoke(cli_app, ["--store", seeded.settings.store, "crew", "Hague",
                                          "--as-of", "2018-10-11", "--json"])
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["id"], body["aboard"], body["return_vehicle"]) == ("nick-hague", False, None)
