"""A scenario, imported into a fresh store of each kind, and asked through
each interface: the store itself, `GET /state`, `incidentlog state --json`.

`seeded` imports the file the `scenario` fixture names: the seed
(`soyuz-ms22.jsonl`) unless a test module overrides `scenario` to load
another file from `scenarios/`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from cli.main import app as cli_app
from domain.entry import Draft
from projections.horizon import Horizon
from store.application import IncidentLogApplication

SCENARIOS = Path(__file__).parents[2] / "scenarios"
SCENARIO = SCENARIOS / "soyuz-ms22.jsonl"  # the seed: what `seeded` imports unless told otherwise
StateOf = Callable[..., dict[str, Any]]


def scenario_path(name: str = SCENARIO.name) -> Path:
    """A scenario file by name, with or without `.jsonl`."""
    return SCENARIOS / (name if name.endswith(".jsonl") else f"{name}.jsonl")


def scenario_events(name: str = SCENARIO.name) -> list[dict[str, Any]]:
    text = scenario_path(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def scenario() -> str:
    """The scenario file `seeded` imports; a test module overrides this fixture to load another."""
    return SCENARIO.name


@pytest.fixture
def seeded(app: IncidentLogApplication, scenario: str) -> IncidentLogApplication:
    app.append([Draft.from_json(raw, uuid.uuid4) for raw in scenario_events(scenario)], "importer")
    return app


@pytest.fixture(params=["store", "http", "cli"])
def state_of(request: pytest.FixtureRequest, seeded: IncidentLogApplication) -> Iterator[StateOf]:
    """`state_of(as_of, known_at=None)`: the station state as JSON, through one interface."""
    if request.param == "store":
        def from_store(as_of: str, known_at: str | None = None) -> dict[str, Any]:
            return seeded.state(Horizon.parse(as_of, known_at, None, seeded.now())).to_json()
        yield from_store
    elif request.param == "http":
        with TestClient(create_app(replace(seeded.settings, open_reads=True), application=seeded)) as client:
            def from_http(as_of: str, known_at: str | None = None) -> dict[str, Any]:
                response = client.get("/state", params={"as_of": as_of, **({"known_at": known_at} if known_at else {})})
                assert response.status_code == 200, response.text
                body: dict[str, Any] = response.json()
                return body
            yield from_http
    else:
        runner = CliRunner()

        def from_cli(as_of: str, known_at: str | None = None) -> dict[str, Any]:
            args = ["--store", seeded.settings.store, "state", "--as-of", as_of, "--json"]
            result = runner.invoke(cli_app, args + (["--known-at", known_at] if known_at else []))
            assert result.exit_code == 0, result.stderr
            body: dict[str, Any] = json.loads(result.stdout)
            return body
        yield from_cli
