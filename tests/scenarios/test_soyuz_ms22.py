"""The acceptance criteria of the seed scenario, on SQLite and PostgreSQL,
asked of the store, of `GET /state` and of `incidentlog state --json`."""

import uuid
from typing import Any

from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from tests.factories import NOW
from tests.scenarios.conftest import StateOf, scenario_events

MS22_CREW = ["sergey-prokopyev", "dmitri-petelin", "frank-rubio"]
MS23_CREW = ["oleg-kononenko", "nikolai-chub", "loral-ohara"]


def expect_before_the_leak(state: dict[str, Any]) -> None:
    ms22 = state["vehicles"]["soyuz-ms-22"]
    assert (ms22["location"], ms22["health"], ms22["crewed_return"]) == ("docked", "nominal", "cleared")
    assert sorted(ms22["return_crew"]) == sorted(MS22_CREW)
    iss = state["stations"]["iss"]
    assert (iss["crew_aboard"], iss["shortfall"]) == (7, 0)


def expect_after_the_leak(state: dict[str, Any]) -> None:
    ms22 = state["vehicles"]["soyuz-ms-22"]
    assert ms22["health"] == "damaged" and ms22["crewed_return"] != "cleared"
    iss = state["stations"]["iss"]
    assert (iss["crew_aboard"], iss["cleared_seats"], iss["shortfall"]) == (7, 4, 3)
    assert "7 aboard, 4 cleared seats" in iss["alerts"]


def expect_after_the_decision(state: dict[str, Any]) -> None:
    ms22, ms23 = state["vehicles"]["soyuz-ms-22"], state["vehicles"]["soyuz-ms-23"]
    assert ms22["crewed_return"] == "emergency_only" and ms22["return_crew"] == []
    assert (ms23["planned_launch"], ms23["launch_crew"]) == ("2023-02-20", [])
    assert sorted(ms23["return_crew"]) == sorted(MS22_CREW)
    for member in MS22_CREW:
        plan = state["crew"][member]
        assert (plan["return_vehicle"], plan["mission_extended"]) == ("soyuz-ms-23", True)
    for member in MS23_CREW:
        assert state["crew"][member]["launch_vehicle"] is None


def expect_decision_not_yet_known(state: dict[str, Any]) -> None:
    for member in MS22_CREW:
        assert state["crew"][member]["return_vehicle"] == "soyuz-ms-22"
        assert state["crew"][member]["mission_extended"] is False


def test_the_day_before_the_leak(state_of: StateOf) -> None:
    expect_before_the_leak(state_of("2022-12-13"))


def test_the_day_after_the_leak(state_of: StateOf) -> None:
    expect_after_the_leak(state_of("2022-12-15"))


def test_the_day_after_the_decision(state_of: StateOf) -> None:
    expect_after_the_decision(state_of("2023-01-12"))


def test_the_day_after_the_decision_as_known_the_day_before_it(state_of: StateOf) -> None:
    expect_decision_not_yet_known(state_of("2023-01-12", known_at="2023-01-10"))


def test_the_three_keep_their_damaged_lifeboat_for_an_emergency(state_of: StateOf) -> None:
    lifeboats = {c["crew_member"]: c for c in state_of("2023-01-12")["stations"]["iss"]["lifeboats"]}
    assert lifeboats["frank-rubio"]["lifeboat"] == "soyuz-ms-22"
    assert lifeboats["frank-rubio"]["lifeboat_docked"] is True
    assert lifeboats["frank-rubio"]["lifeboat_crewed_return"] == "emergency_only"


def test_the_article_spellings_find_the_crew(seeded: IncidentLogApplication) -> None:
    state = seeded.state(Horizon(NOW, NOW))
    found = {name: getattr(state.find_crew(name), "id", None) for name in ("Prokopjew", "Tschub", "O'Haradrei")}
    assert found == {"Prokopjew": "sergey-prokopyev", "Tschub": "nikolai-chub", "O'Haradrei": "loral-ohara"}


def test_importing_the_scenario_twice_stores_it_once(seeded: IncidentLogApplication) -> None:
    result = seeded.append([Draft.from_json(raw, uuid.uuid4) for raw in scenario_events()], "importer")
    assert result.stored == 0 and result.duplicates == len(scenario_events())


def test_every_event_cites_its_source(seeded: IncidentLogApplication) -> None:
    assert all(entry.source.strip() for entry in seeded.entries())


LAUNCH_PLAN = "9d1e9ac0-5fce-5a1f-9d6c-c7df5be97a6d"  # the article's "outward flight on February 20"


def test_a_later_correction_changes_the_plan_as_known_now_but_not_as_known_then(
        seeded: IncidentLogApplication) -> None:
    correction = {"type": "EntryCorrected", "occurred_at": "2023-02-24", "reported_at": "2023-02-24",
                  "source": "Roscosmos: Soyuz MS-23 launched uncrewed on 24 Feb 2023",
                  "data": {"target": LAUNCH_PLAN, "reason": "reported before the flight; it slipped",
                           "changes": {"target": "2023-02-24"}}}
    seeded.append([Draft.from_json(correction, uuid.uuid4)], "historian")

    def planned(known_at: str | None) -> str:
        state = seeded.state(Horizon.parse("2023-01-12", known_at, None, seeded.now())).to_json()
        return str(state["vehicles"]["soyuz-ms-23"]["planned_launch"])

    assert planned(None) == "2023-02-24"
    assert planned("2023-01-12") == "2023-02-20"
