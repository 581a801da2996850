"""How an entry is kept in the `eventsourcing` store.

Each entry is stored as one `EntryRecorded` domain event, the only event of a
stream whose id is the entry's id: entries are never changed, so a stream
never grows, and a second insert of the same id is refused by the store's
unique key. The event's `timestamp` is the entry's `recorded_at` (system time);
valid and knowledge time are fields of their own. Times stay the text the
writer gave, so a bare date stays a day.

The topic `store.records:EntryRecorded` is written into every stored row:
moving or renaming this class needs `register_topic` for the old name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

from domain.entry import Draft, Entry
from domain.times import TimePoint
from domain.vocabulary import parse_payload, restore_payload


@dataclass(frozen=True)  # the library's metaclass does this too; said here for type checkers
class EntryRecorded(DomainEvent):
    type: str
    occurred_at: str
    reported_at: str
    reported_at_given: bool
    source: str
    actor: str
    based_on: list[str]
    incidents: list[str]
    data: dict[str, Any]
    # Added later: events stored before it have none, and load with the default.
    on_behalf_of: str | None = None


def to_record(entry: Entry) -> EntryRecorded:
    return EntryRecorded(
        originator_id=entry.id,
        originator_version=1,
        timestamp=entry.recorded_at,
        type=entry.type,
        occurred_at=entry.occurred_at.isoformat(),
        reported_at=entry.reported_at.isoformat(),
        reported_at_given=entry.draft.reported_at is not None,
        source=entry.source,
        actor=entry.actor,
        based_on=[str(i) for i in entry.based_on],
        incidents=list(entry.incidents),
        data=entry.payload.to_json(),
        on_behalf_of=entry.on_behalf_of,
    )


def from_record(record: EntryRecorded, position: int, checked: bool = True) -> Entry:
    """The entry a stored record holds. `checked=False` trusts the payload as
    checked when it was stored (`restore_payload`): for reading the log back,
    not for verifying it."""
    reported_at = TimePoint.parse(record.reported_at, "reported_at")
    draft = Draft(
        id=record.originator_id,
        payload=parse_payload(record.type, record.data) if checked else restore_payload(record.type, record.data),
        occurred_at=TimePoint.parse(record.occurred_at, "occurred_at"),
        reported_at=reported_at if record.reported_at_given else None,
        source=record.source,
        based_on=tuple(UUID(i) for i in record.based_on),
        incidents=tuple(record.incidents),
        on_behalf_of=record.on_behalf_of,
    )
    return Entry(draft, reported_at, record.timestamp, record.actor, position)


RECORD_TOPIC = "store.records:EntryRecorded"  # as every stored row names it (see the module's notes)


def from_state(state: bytes, originator_id: UUID, position: int) -> Entry:
    """The entry stored as `state` (the JSON the library's transcoder wrote for an
    `EntryRecorded`, neither compressed nor encrypted), read without the
    library's mapper: its only transcoded value is the timestamp, and going
    round every value through the transcoder's hooks costs more than the
    rest of reading the entry. Equal to `from_record` over the mapper (a
    property test holds it to that); the payload is trusted, as there."""
    body = json.loads(state)
    stamp = body.pop("timestamp")
    assert stamp["_type_"] == "datetime_iso", "EntryRecorded's timestamp is a datetime"
    record = EntryRecorded(originator_id=originator_id, originator_version=1,  # an entry's stream holds only it
                           timestamp=datetime.fromisoformat(stamp["_data_"]), **body)
    return from_record(record, position, checked=False)
