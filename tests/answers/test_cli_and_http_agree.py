"""The same question gets the same answer from `incidentlog ... --json` and
from the HTTP API: both print the models of `answers`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli_app
from store.application import IncidentLogApplication

AFTER_THE_DECISION = {"as_of": "2023-01-12", "known_at": "2023-01-12"}
BEFORE_THE_FINDING = {"as_of": "2022-12-20", "known_at": "2022-12-20"}
EXPLAIN = {"explain": "true"}

# question: (command line, HTTP path, query)
QUESTIONS: dict[str, tuple[list[str], str, dict[str, str]]] = {
    "state": (["state"], "/state", AFTER_THE_DECISION),
    "state explained": (["state", "--explain"], "/state", {**AFTER_THE_DECISION, **EXPLAIN}),
    "state believed before the finding": (["state"], "/state", BEFORE_THE_FINDING),
    "capacity": (["capacity"], "/capacity", AFTER_THE_DECISION),
    "vehicle": (["vehicle", "soyuz-ms-22"], "/vehicles/soyuz-ms-22", AFTER_THE_DECISION),
    "vehicle explained": (["vehicle", "soyuz-ms-23", "--explain"], "/vehicles/soyuz-ms-23",
                          {**AFTER_THE_DECISION, **EXPLAIN}),
    "crew": (["crew", "frank-rubio", "--explain"], "/crew/frank-rubio", {**BEFORE_THE_FINDING, **EXPLAIN}),
    "explain a field": (["explain", "soyuz-ms-22", "crewed_return"], "/vehicles/soyuz-ms-22/explain/crewed_return",
                        AFTER_THE_DECISION),
    "explain a return crew": (["explain", "soyuz-ms-23", "return_crew"],
                              "/vehicles/soyuz-ms-23/explain/return_crew", AFTER_THE_DECISION),
    "explain a crew field": (["explain", "frank-rubio", "return_vehicle"], "/crew/frank-rubio/explain/return_vehicle",
                             BEFORE_THE_FINDING),
    "vehicle history": (["history", "soyuz-ms-22"], "/vehicles/soyuz-ms-22/history", {"known_at": "2023-01-12"}),
    "crew history": (["history", "frank-rubio"], "/crew/frank-rubio/history", {"known_at": "2022-12-20"}),
}


def ask_cli(store: str, command: list[str], query: dict[str, str]) -> Any:
    options = [f"--{name.replace('_', '-')}={value}" for name, value in query.items() if name != "explain"]
    result = CliRunner().invoke(cli_app, ["--store", store, *command, *options, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ask_http(client: TestClient, path: str, query: dict[str, str]) -> Any:
    response = client.get(path, params=query)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_cli_and_the_api_give_the_same_answer(question: str, seeded: IncidentLogApplication,
                                                  http: TestClient) -> None:
    command, path, query = QUESTIONS[question]
    from_cli, from_http = ask_cli(seeded.settings.store, command, query), ask_http(http, path, query)
    if "history" in question:  # as_of does not apply to a history: each echoes its own clock's now
        assert from_cli.pop("as_of") and from_http.pop("as_of")
    assert from_cli == from_http
