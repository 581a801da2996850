"""`incidentlog verify`, `head`, `chain seal`, and the hashes an export
carries: a change made behind the log's back, in the store or in an export,
is named by its position (or line), with exit code 1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from store.application import IncidentLogApplication
from store.settings import Settings
from tests.cli.support import Incidentlog, json_lines, write_jsonl
from tests.factories import vehicle
from tests.tampering import delete_chain_rows, delete_events, edit_event, swap_events

COUNT = 6


@pytest.fixture
def logged(incidentlog: Incidentlog, tmp_path: Path) -> Incidentlog:
    incidentlog("import", write_jsonl(tmp_path / "events.jsonl", [vehicle(f"v{i}") for i in range(COUNT)]))
    return incidentlog


@pytest.fixture
def store(logged: Incidentlog) -> Iterator[IncidentLogApplication]:
    """The same store, opened to change it behind the log's back."""
    application = IncidentLogApplication(Settings(store=logged.store))
    yield application
    application.close()


def more_seats(fields: dict[str, Any]) -> None:
    fields["data"]["seats"] += 1


def no_seats_at_all(fields: dict[str, Any]) -> None:
    fields["data"]["seats"] = -1  # the vocabulary refuses it: the log cannot load this event


def test_an_untouched_log_is_intact_and_its_head_is_printed(logged: Incidentlog) -> None:
    head = logged("head")
    assert head.exit_code == 0
    result = logged("verify")
    assert result.exit_code == 0
    assert f"Intact: {COUNT} events chained" in result.stdout
    assert head.stdout.strip() in result.stdout
    assert head.stdout.strip().startswith(f"{COUNT}:")


TAMPERING: dict[str, tuple[Callable[[IncidentLogApplication], None], int, str]] = {
    "a payload edited": (lambda app: edit_event(app, 4, more_seats), 4, "changed"),
    "an event made unreadable": (lambda app: edit_event(app, 3, no_seats_at_all), 3, "changed"),
    "an event deleted": (lambda app: delete_events(app, 2, 2), 2, "missing"),
    "two events swapped": (lambda app: swap_events(app, 3, 5), 3, "reordered"),
    "a chain row deleted": (lambda app: delete_chain_rows(app, 5, 5), 5, "inserted"),
    "the tail deleted": (lambda app: delete_events(app, 5), 5, "missing"),
}


@pytest.mark.parametrize("change", TAMPERING)
def test_a_change_in_the_store_is_named_by_its_position(logged: Incidentlog, store: IncidentLogApplication,
                                                        change: str) -> None:
    tamper, position, kind = TAMPERING[change]
    tamper(store)
    result = logged("verify", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["broken"] | {"detail": ""} == {"position": position, "kind": kind, "detail": ""}
    assert f"Broken at position {position}: {kind}." in logged("verify").stdout


def test_a_tail_cut_off_with_its_chain_is_found_against_the_head_kept_elsewhere(
        logged: Incidentlog, store: IncidentLogApplication) -> None:
    kept = logged("head").stdout.strip()
    delete_events(store, 5)
    delete_chain_rows(store, 5)
    assert logged("verify").exit_code == 0
    result = logged("verify", "--expect-head", kept, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["broken"]["kind"] == "truncated"


def test_the_head_given_must_be_a_position_and_a_hash(logged: Incidentlog) -> None:
    result = logged("verify", "--expect-head", "6:not-a-hash")
    assert result.exit_code == 2
    assert "POS:HASH" in result.stderr


def test_a_store_from_before_the_chain_is_sealed_once_by_asking(logged: Incidentlog,
                                                                store: IncidentLogApplication) -> None:
    kept = logged("head").stdout.strip()
    delete_chain_rows(store)
    assert logged("verify", "--json").exit_code == 1
    assert "never sealed" in logged("head").stderr
    assert logged.json("chain", "seal")["sealed"] == COUNT
    assert logged("verify", "--expect-head", kept).exit_code == 0
    assert "Nothing to seal" in logged("chain", "seal").stdout


# --- Exports ---------------------------------------------------------------


@pytest.fixture
def exported(logged: Incidentlog, tmp_path: Path) -> list[dict[str, Any]]:
    assert logged("export", "-o", str(tmp_path / "export.jsonl")).exit_code == 0
    return json_lines((tmp_path / "export.jsonl").read_text(encoding="utf-8"))


def test_an_export_carries_each_events_position_and_hash_and_checks_without_a_store(
        logged: Incidentlog, exported: list[dict[str, Any]], tmp_path: Path) -> None:
    assert [line["position"] for line in exported] == list(range(1, COUNT + 1))
    assert f"{exported[-1]['position']}:{exported[-1]['hash']}" == logged("head").stdout.strip()
    nowhere = Incidentlog(str(tmp_path / "no" / "such" / "store.db"), CliRunner())
    result = nowhere("verify", "--file", write_jsonl(tmp_path / "copy.jsonl", exported),
                     "--expect-head", logged("head").stdout.strip())
    assert result.exit_code == 0, result.stdout
    assert not (tmp_path / "no").exists()


def changed_line(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lines[2]["data"]["seats"] += 1
    return lines


EXPORT_TAMPERING: dict[str, tuple[Callable[[list[dict[str, Any]]], list[dict[str, Any]]], int, str]] = {
    "a line edited": (changed_line, 3, "changed"),
    "a line removed": (lambda lines: lines[:2] + lines[3:], 3, "changed"),  # the line after it no longer follows
    "two lines swapped": (lambda lines: [lines[0], lines[3], lines[2], lines[1], *lines[4:]], 2, "reordered"),
    "its hashes dropped": (lambda lines: [{k: v for k, v in x.items() if k != "hash"} for x in lines], 1, "unsealed"),
}


@pytest.mark.parametrize("change", EXPORT_TAMPERING)
def test_a_changed_export_is_named_by_its_line(exported: list[dict[str, Any]], logged: Incidentlog,
                                               tmp_path: Path, change: str) -> None:
    tamper, line, kind = EXPORT_TAMPERING[change]
    result = logged("verify", "--file", write_jsonl(tmp_path / "changed.jsonl", tamper(exported)), "--json")
    assert result.exit_code == 1
    broken = json.loads(result.stdout)["broken"]
    assert (broken["line"], broken["kind"]) == (line, kind)


def test_an_edited_export_is_not_imported(exported: list[dict[str, Any]], another_store: Incidentlog,
                                          tmp_path: Path) -> None:
    result = another_store("import", write_jsonl(tmp_path / "changed.jsonl", changed_line(exported)))
    assert result.exit_code == 1
    assert "nothing was stored" in result.stderr
    assert "line 3: hash: its hash does not follow from its content" in result.stderr
    assert another_store("log", "--json").stdout == ""


def test_an_imported_export_is_chained_anew_in_the_store_it_enters(
        exported: list[dict[str, Any]], another_store: Incidentlog, tmp_path: Path) -> None:
    assert another_store.json("import", write_jsonl(tmp_path / "export.jsonl", exported))["stored"] == COUNT
    assert another_store("verify").exit_code == 0
    again = json_lines(another_store("export").stdout)
    assert [line["id"] for line in again] == [line["id"] for line in exported]
    assert again[-1]["hash"] != exported[-1]["hash"]  # other recording times, another chain


def test_events_without_hashes_may_follow_an_exports_lines_but_not_come_between_them(
        exported: list[dict[str, Any]], another_store: Incidentlog, tmp_path: Path) -> None:
    between = [*exported[:2], vehicle("by-hand"), *exported[2:]]
    refused = another_store("import", write_jsonl(tmp_path / "between.jsonl", between))
    assert refused.exit_code == 1
    assert "line 4: hash: carries a hash, and line 3 before it carries none" in refused.stderr
    after = [*exported, vehicle("by-hand")]
    assert another_store.json("import", write_jsonl(tmp_path / "after.jsonl", after))["stored"] == COUNT + 1
