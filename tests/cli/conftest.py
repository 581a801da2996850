"""Run the `incidentlog` command in-process against the shared stores (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.support import Incidentlog


@pytest.fixture
def incidentlog(store_url: str) -> Incidentlog:
    return Incidentlog(store_url, CliRunner())


@pytest.fixture
def another_store(tmp_path: Path) -> Incidentlog:
    """A second, empty store (SQLite), to import into."""
    return Incidentlog(str(tmp_path / "another.db"), CliRunner())
