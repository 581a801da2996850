"""`incidentlog serve` and choosing the store: failures are messages, not tracebacks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.cli.support import Incidentlog


def test_serve_runs_the_api_factory_on_the_chosen_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setenv("INCIDENTLOG_STORE", "elsewhere.db")  # restored after the test
    monkeypatch.setattr("observability.logs.configure_logging", lambda settings, stream=None: None)
    monkeypatch.setattr("uvicorn.run", lambda target, **options: served.update(target=target, **options))
    store = str(tmp_path / "served.db")
    result = CliRunner().invoke(app, ["--store", store, "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert (served["target"], served["factory"], served["port"]) == ("api.main:create_app", True, 8123)
    assert os.environ["INCIDENTLOG_STORE"] == store


def test_a_store_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    result = Incidentlog(str(tmp_path / "no" / "such" / "dir.db"), CliRunner())("state")
    assert result.exit_code == 1
    assert "cannot open the store" in result.stderr


def test_a_postgres_url_without_a_database_is_a_usage_error() -> None:
    result = Incidentlog("postgresql://127.0.0.1/", CliRunner())("state")
    assert result.exit_code == 2
    assert "must name a database" in result.stderr
