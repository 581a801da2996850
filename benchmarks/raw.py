"""The `eventsourcing` library on its own: the limit each figure is held against.

A bare `Application` saves the very events the log stores (one new stream,
one `EntryRecorded` event per entry, as the log does) with no rules and no
fold, and reads the log's own notification log back decoded, in pages of
500. See shared/EVENTSOURCING-NOTES.md for the library's behaviour.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from domain.entry import Draft, Entry
from store.application import IncidentLogApplication
from store.records import EntryRecorded, from_record, to_record
from store.settings import Settings

PAGE = 500


class RawLog(Application[UUID]):
    """Saves events and nothing else."""

    name = "rawbench"


class LogReader(Application[UUID]):
    """Reads the incident log's tables (the same name pins the same tables)."""

    name = IncidentLogApplication.name


def records(events: list[dict[str, Any]]) -> list[EntryRecorded]:
    """The stored form of each event, as the log would write it."""
    now = datetime.now(UTC)
    return [to_record(Entry.record(Draft.from_json(raw, uuid.uuid4), now, "bench", 0)) for raw in events]


@contextmanager
def opened(kind: type[Application[UUID]], store: str) -> Iterator[Application[UUID]]:
    application = kind(Settings(store=store).eventsourcing_env())
    try:
        yield application
    finally:
        application.close()


def save_in_batches(store: str, events: list[EntryRecorded], batch: int) -> None:
    with opened(RawLog, store) as application:
        for start in range(0, len(events), batch):
            application.save(*events[start:start + batch])


def save_one_by_one(store: str, events: list[EntryRecorded]) -> None:
    with opened(RawLog, store) as application:
        for event in events:
            application.save(event)


def read_decoded(store: str) -> int:
    """Read the log's notifications and decode each to its domain event; how many."""
    count = 0
    for _ in _decoded(store):
        count += 1
    return count


def read_entries(store: str) -> list[Entry]:
    """Every entry of the log, at its position: what a naive replay folds."""
    return [from_record(record, position) for position, record in _decoded(store)]


def _decoded(store: str) -> Iterator[tuple[int, EntryRecorded]]:
    with opened(LogReader, store) as application:
        after = 0
        while True:
            page = application.recorder.select_notifications(after, limit=PAGE, inclusive_of_start=False)
            for notification in page:
                record = application.mapper.to_domain_event(notification)
                assert isinstance(record, EntryRecorded)
                yield notification.id, record
            if len(page) < PAGE:
                return
            after = page[-1].id
