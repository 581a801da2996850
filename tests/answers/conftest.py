"""The first scenario, seeded into a fresh store of each kind (see tests/scenarios/conftest.py),
and a client of the HTTP API over it."""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from store.application import IncidentLogApplication
from tests.scenarios.conftest import scenario, seeded

__all__ = ["http", "scenario", "seeded"]


@pytest.fixture
def http(seeded: IncidentLogApplication) -> Iterator[TestClient]:
    with TestClient(create_app(replace(seeded.settings, open_reads=True), application=seeded)) as client:
        yield client
