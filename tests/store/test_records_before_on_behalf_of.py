"""Events stored before `on_behalf_of` existed load with none."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from domain.entry import Entry
from domain.errors import InvalidValue
from store.application import IncidentLogApplication
from store.records import to_record
from store.settings import Settings
from tests.factories import NOW, draft, vehicle


def test_an_event_stored_without_on_behalf_of_loads_with_none(app: IncidentLogApplication, store_url: str) -> None:
    record = to_record(Entry.record(draft(vehicle("v")), NOW, "someone", position=0))
    object.__delattr__(record, "on_behalf_of")  # stored as an older version wrote it: no such key
    app.save(record)
    reopened = IncidentLogApplication(Settings(store=store_url))
    try:
        [entry] = reopened.entries()
        assert (entry.actor, entry.on_behalf_of) == ("someone", None)
        assert entry.to_json()["on_behalf_of"] is None
    finally:
        reopened.close()


def test_on_behalf_of_is_stored_and_read_back(app: IncidentLogApplication, store_url: str) -> None:
    mine = draft(vehicle("v"))
    app.append([dataclasses.replace(mine, on_behalf_of="partner-agency")], "operator")
    reopened = IncidentLogApplication(Settings(store=store_url))
    try:
        assert [(e.actor, e.on_behalf_of) for e in reopened.entries()] == [("operator", "partner-agency")]
    finally:
        reopened.close()


def test_on_behalf_of_is_not_part_of_what_makes_a_retry_the_same_event() -> None:
    first = draft({**vehicle("v"), "id": str(uuid.uuid4())})
    entry = Entry.record(first, NOW, "operator", position=1)
    again = dataclasses.replace(first, on_behalf_of="someone-else")
    assert entry.matches(again)


def test_a_writer_cannot_name_on_behalf_of_in_the_event_itself() -> None:
    with pytest.raises(InvalidValue, match="set by the log"):
        draft({**vehicle("v"), "on_behalf_of": "someone"})
