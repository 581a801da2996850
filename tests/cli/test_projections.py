"""`incidentlog projections rebuild`: the read model dropped and built again
answers as the one kept with every append did; `status` and `prepare` say
how far the views hold and carry them on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import Incidentlog
from tests.factories import event

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


def test_status_and_prepare_say_how_far_the_views_hold_and_carry_them_on(incidentlog: Incidentlog) -> None:
    """After an import the views are current; news appended keeps them so; a
    back-dated event leaves them behind, folded from its time on, until
    `prepare` carries them to the end of the log."""
    incidentlog("import", str(SCENARIO), "--quiet")
    assert incidentlog.json("projections", "status")["versions"] == {"through": 41, "fold_from": None}
    assert "current (through position 41)" in incidentlog("projections", "status").stdout
    news = event("VehicleDamageAssessed", "2023-02-01", reported_at=None, vehicle="soyuz-ms-22",
                 health="damaged", crewed_return="not_cleared")
    assert incidentlog("append", json.dumps(news)).exit_code == 0
    found = incidentlog.json("projections", "status")
    assert found["head"] == 42 and found["versions"] == found["levels"] == {"through": 42, "fold_from": None}
    late = {**news, "occurred_at": "2022-12-20"}  # before the scenario's last facts
    assert incidentlog("append", json.dumps(late)).exit_code == 0
    behind = incidentlog.json("projections", "status")
    assert behind["versions"] == {"through": 42, "fold_from": "2022-12-20T00:00:00+00:00"}
    assert "as of 2022-12-20T00:00:00+00:00 or later are folded" in incidentlog("projections", "status").stdout
    prepared = incidentlog.json("projections", "prepare")
    assert prepared["head"] == 43 and prepared["folded"] > 0
    assert incidentlog.json("projections", "status")["versions"] == {"through": 43, "fold_from": None}
    assert "already held through position 43" in incidentlog("projections", "prepare").stdout
