"""Reading an import's file: a line at a time, twice, holding only where each
event is (`cli.jsonlines`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli.jsonlines import EventFile, HeldEvents, Line, LineError, batches
from domain.entry import Entry
from domain.errors import UnknownReference
from store.application import IncidentLogApplication
from store.settings import Settings
from tests.cli.support import Incidentlog, write_jsonl
from tests.factories import event, new_id, vehicle


def amended_far_back(tmp_path: Path) -> EventFile:
    """A file whose last events amend and rest on its first ones, with many between."""
    observation, leak = new_id(), new_id()
    events: list[dict[str, Any]] = [
        vehicle("capsule"),
        event("ObservationRecorded", "2022-12-14", event_id=observation, vehicle="capsule", description="drops"),
        event("LeakDetected", "2022-12-14", event_id=leak, vehicle="capsule", system="cooling", description="leak"),
        *(vehicle(f"spare-{i}") for i in range(20)),
        event("EntryCorrected", "2022-12-20", target=leak, reason="the rate was revised",
              changes={"description": "leak, rate revised"}),
        event("VehicleDamageAssessed", "2022-12-22", vehicle="capsule", health="damaged",
              crewed_return="not_cleared", based_on=[observation, leak]),
    ]
    return EventFile(Path(write_jsonl(tmp_path / "events.jsonl", events)))


def read_all(file: EventFile) -> tuple[list[tuple[int, Line]], list[LineError]]:
    errors: list[LineError] = []
    return list(file.read(errors)), errors


def test_each_event_comes_with_where_its_line_starts(tmp_path: Path) -> None:
    file = amended_far_back(tmp_path)
    read, errors = read_all(file)
    assert errors == [] and len(read) == 25
    for offset, line in read:
        again = file.line_at(offset, line.number).draft  # read again from there: the same event
        assert (again.payload, again.occurred_at, again.based_on) == (
            line.draft.payload, line.draft.occurred_at, line.draft.based_on)
        assert again.id == line.draft.id or not file.path.read_text().count(str(line.draft.id))  # no id: a new one


def test_bad_lines_are_all_named_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"type": "VehicleRegistered", "occurred_at": "2022-09-01", "source": "s", '
                     b'"data": {"id": "v", "name": "V", "kind": "soyuz", "seats": 3}}\n'
                     b'{"type": \n# a comment\n\n\xff\xfe\n')
    read, errors = read_all(EventFile(path))
    assert [line.number for _, line in read] == [1]  # a byte-order mark is not part of line 1
    assert [(e.number, e.rule.split(":")[0]) for e in errors] == [(2, "is not valid JSON"), (5, "is not UTF-8 text")]


@pytest.fixture
def application(store_url: str) -> Any:
    app = IncidentLogApplication(Settings(store=store_url))
    yield app
    app.close()


@pytest.mark.parametrize("size", [1, 3, 100])
def test_a_file_is_checked_holding_where_its_events_are_and_reading_back_what_is_named(
        application: IncidentLogApplication, tmp_path: Path, size: int) -> None:
    file = amended_far_back(tmp_path)
    read, _ = read_all(file)
    held = HeldEvents(file, keep=1)
    reads_back: list[int] = []
    line_at = file.line_at

    def counted(offset: int, number: int = 0) -> Line:
        reads_back.append(offset)
        return line_at(offset, number)

    file.line_at = counted  # type: ignore[method-assign]

    def parts() -> Any:
        for part in batches((line for _, line in read), size):
            for line in part:
                held.note(line.draft.id, dict((id(ln), at) for at, ln in read)[id(line)])
            yield [line.draft for line in part]

    assert application.check_parts(parts(), "importer", held) == 0
    assert len(held) == 25 and len(held._kept) == 1  # what it holds is the point
    if size < 20:  # what the last events name was read back from the file, not held
        assert reads_back
    remembered = held[read[2][1].draft.id]
    assert isinstance(remembered, Entry) and remembered.payload == read[2][1].draft.payload


def test_a_file_checked_in_parts_refuses_an_event_naming_a_later_part(
        application: IncidentLogApplication, tmp_path: Path) -> None:
    observation = new_id()
    file = EventFile(Path(write_jsonl(tmp_path / "events.jsonl", [
        vehicle("capsule"),
        event("VehicleDamageAssessed", "2022-12-22", vehicle="capsule", health="damaged",
              crewed_return="not_cleared", based_on=[observation]),
        event("ObservationRecorded", "2022-12-14", event_id=observation, vehicle="capsule", description="drops"),
    ])))
    read, _ = read_all(file)
    with pytest.raises(UnknownReference, match="no event"):
        application.check_parts(([line.draft] for _, line in read), "importer")
    together = [[line.draft for _, line in read]]  # in one part, the order of its lines does not matter
    assert application.check_parts(together, "importer") == 0


def test_import_names_an_event_resting_on_a_later_batch(incidentlog: Incidentlog, tmp_path: Path) -> None:
    observation = new_id()
    file = write_jsonl(tmp_path / "events.jsonl", [
        vehicle("capsule"),
        event("VehicleDamageAssessed", "2022-12-22", vehicle="capsule", health="damaged",
              crewed_return="not_cleared", based_on=[observation]),
        event("ObservationRecorded", "2022-12-14", event_id=observation, vehicle="capsule", description="drops"),
    ])
    refused = incidentlog("import", file, "--batch-size", "2")
    assert refused.exit_code == 1
    assert "line 2: based_on[0]: no event" in refused.stderr and "nothing was stored" in refused.stderr
    assert incidentlog.json("import", file, "--batch-size", "3")["stored"] == 3
