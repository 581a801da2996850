"""The seed scenario, imported once per test into a fresh store of each kind."""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from tests.factories import NOW

SCENARIO = Path(__file__).parents[2] / "scenarios" / "soyuz-ms22.jsonl"


def scenario_events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SCENARIO.read_text().splitlines() if line.strip()]


@pytest.fixture
def seeded(app: IncidentLogApplication) -> IncidentLogApplication:
    app.append([Draft.from_json(raw, uuid.uuid4) for raw in scenario_events()], "importer")
    return app


def state_json(app: IncidentLogApplication, as_of: str, known_at: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = app.state(Horizon.parse(as_of, known_at, None, NOW)).to_json()
    return result
