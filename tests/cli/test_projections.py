"""`incidentlog projections rebuild`: the read model dropped and built again
answers as the one kept with every append did."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import Incidentlog

SCENARIO = Path(__file__).parents[2] / "scenarios" / "soyuz-ms22.jsonl"


def test_rebuild_answers_as_the_kept_read_model(incidentlog: Incidentlog) -> None:
    assert incidentlog("import", str(SCENARIO), "--quiet").exit_code == 0
    asked = ("capacity", "--as-of", "2022-12-15", "--known-at", "2022-12-20", "--json")
    kept = json.loads(incidentlog(*asked).stdout)
    rebuilt = incidentlog("projections", "rebuild", "--json")
    assert rebuilt.exit_code == 0, rebuilt.stdout
    assert json.loads(rebuilt.stdout)["indexed"] == 41
    assert json.loads(incidentlog(*asked).stdout) == kept


def test_rebuild_says_what_it_did(incidentlog: Incidentlog) -> None:
    incidentlog("import", str(SCENARIO), "--quiet")
    result = incidentlog("projections", "rebuild")
    assert result.exit_code == 0
    assert "Rebuilt the read model from 41 events" in result.stdout
