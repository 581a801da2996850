"""The answer models keep every field the projections give, and add only
what is asked for (`explain`) or derived (`parts`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from answers import CrewView, IncidentView, StateAnswer, VehicleView
from projections.horizon import Horizon
from projections.picture import CrewPlan, IncidentFile, Tracked, VehicleStatus
from projections.state import project
from tests.factories import docked_with_crew, event, new_id
from tests.projections.test_derived_explanations import STORY
from tests.projections.test_station_state import entries_of
from tests.scenarios.conftest import scenario_events

DAYS = [datetime(2022, 12, 13, tzinfo=UTC), datetime(2022, 12, 20, tzinfo=UTC), datetime(2023, 1, 12, tzinfo=UTC),
        datetime(2030, 1, 1, tzinfo=UTC)]


@pytest.mark.parametrize(("model", "view"), [(VehicleView, VehicleStatus()), (CrewView, CrewPlan()),
                                            (IncidentView, IncidentFile())])
def test_a_view_answer_has_every_field_of_its_projection_and_explain(model: type, view: Tracked) -> None:
    assert set(model.model_fields) == set(view.to_json()) | {"explain"}


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("explain", [False, True])
def test_the_state_answer_is_the_projections_json_on_the_first_scenario(day: datetime, explain: bool) -> None:
    state = project(entries_of(*scenario_events()), Horizon(day, datetime(2030, 1, 1, tzinfo=UTC)))
    assert StateAnswer.of(state, explain).model_dump(mode="json") == state.to_json(explain)


def test_explanations_name_evidence_not_yet_reported_as_the_projection_does() -> None:
    leak = new_id()
    late = [*docked_with_crew("soyuz", ["a"]),
            event("LeakDetected", "2022-12-14", reported_at="2023-02-01", event_id=leak, vehicle="soyuz",
                  system="cooling", description="d"),
            event("VehicleDamageAssessed", "2023-01-11", based_on=[leak], vehicle="soyuz", health="damaged",
                  crewed_return="emergency_only")]
    state = project(entries_of(*late), Horizon(DAYS[-1], datetime(2023, 1, 20, tzinfo=UTC)))
    answer = StateAnswer.of(state, explain=True).model_dump(mode="json")
    assert answer == state.to_json(explain=True)
    seats = answer["stations"]["iss"]["explain"]["emergency_seats"]["parts"]
    assert [part["evidence"] for part in seats if part["field"] == "crewed_return"] == [
        [{"id": leak, "known": False, "note": "not reported by known_at, or retracted"}]]


def test_explain_appears_only_when_asked_for_and_parts_only_for_a_derived_value() -> None:
    state = project(entries_of(*STORY), Horizon(DAYS[-1], DAYS[-1]))
    plain, explained = (StateAnswer.of(state, e).model_dump(mode="json") for e in (False, True))
    assert "explain" not in plain["vehicles"]["relief"] and "explain" not in plain["stations"]["iss"]
    assert "parts" not in explained["vehicles"]["soyuz"]["explain"]["health"]
    assert [p["id"] for p in explained["vehicles"]["relief"]["explain"]["return_crew"]["parts"]] == (
        plain["vehicles"]["relief"]["return_crew"])
