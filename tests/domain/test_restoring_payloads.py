"""A stored payload is rebuilt without being checked again (`restore_payload`):
it must give exactly what checking it (`parse_payload`) gives, for every
payload the store can hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from benchmarks.synthetic import fleet_log
from domain.vocabulary import parse_payload, restore_payload
from tests.projections.test_every_event_type import EXAMPLES
from tests.strategies import logs

SCENARIOS = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.jsonl"))


def assert_restored(type_name: str, data: dict[str, Any]) -> None:
    stored = parse_payload(type_name, data).to_json()  # what the store keeps
    restored = restore_payload(type_name, stored)
    assert restored == parse_payload(type_name, stored)
    assert type(restored) is type(parse_payload(type_name, stored))
    assert restored.to_json() == stored


@pytest.mark.parametrize("type_name", sorted(EXAMPLES))
def test_every_event_type_is_restored_as_checked(type_name: str) -> None:
    example = EXAMPLES[type_name]
    assert_restored(type_name, example["data"])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_event_is_restored_as_checked(scenario: Path) -> None:
    for line in scenario.read_text().splitlines():
        if line.strip():
            event = json.loads(line)
            assert_restored(event["type"], event["data"])


def test_a_synthetic_fleet_is_restored_as_checked() -> None:
    for event in fleet_log(3000):
        assert_restored(event["type"], event["data"])


@given(logs())
def test_generated_logs_are_restored_as_checked(events: list[dict[str, Any]]) -> None:
    for event in events:
        assert_restored(event["type"], event["data"])
