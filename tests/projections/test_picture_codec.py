"""A checkpoint is a picture written as JSON and read back: what is read back
must fold on exactly as the picture it was written from."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from domain.entry import Entry
from projections import picture_codec
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import Picture, Tracked, derive_return_crews, evolve
from tests.projections.test_properties import accepted
from tests.strategies import logs

EVERYTHING = Horizon.parse("2100-01-01", "2100-01-01", None, datetime(2100, 1, 1, tzinfo=UTC))
SCENARIOS = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.jsonl"))


def views(picture: Picture) -> dict[str, Any]:
    """Every view's fields and the events behind them, in the order the views were named."""
    def view(v: Tracked) -> tuple[Any, ...]:
        return type(v).__name__, [(f.name, getattr(v, f.name)) for f in fields(v) if f.name != "derived"]
    return {kind: [view(v) for v in getattr(picture, kind).values()] for kind in ("vehicles", "crew", "incidents")} \
        | {"stations": picture.stations, "lifeboats": picture.lifeboat_assigned_at}


def folded(facts: list[Entry], picture: Picture) -> Picture:
    for fact in facts:
        evolve(picture, fact)
    derive_return_crews(picture)
    return picture


def assert_round_trips_at_every_step(entries: list[Entry]) -> None:
    """Written and read back after any number of facts, the picture folds the
    rest to the same end as the fold that never stopped."""
    facts = in_valid_time(beliefs(entries, EVERYTHING), EVERYTHING)
    whole = views(folded(facts, Picture()))
    so_far = Picture()
    for i, fact in enumerate([*facts, None]):
        written = picture_codec.encode(so_far)  # views unchanged since the last step come from the codec's cache
        picture_codec._FRAGMENTS.clear()
        assert picture_codec.encode(so_far) == written  # ... and are what writing them afresh gives
        restored = picture_codec.decode(written)
        assert views(restored) == views(so_far)
        assert views(folded(facts[i:], restored)) == whole
        if fact is not None:
            evolve(so_far, fact)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_round_trips(scenario: Path) -> None:
    events = [json.loads(line) for line in scenario.read_text().splitlines() if line.strip()]
    assert_round_trips_at_every_step(accepted(events))


@given(logs())
def test_any_log_round_trips(events: list[dict[str, Any]]) -> None:
    assert_round_trips_at_every_step(accepted(events))
