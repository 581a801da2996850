"""What is believed about an event, given the corrections and retractions known.

Nothing is ever changed in the log: a correction is a new event naming its
target and the new values. Whether a query sees the target corrected depends
only on whether the correction had been reported by the query's `known_at`
("a correction changes what is believed about the past, not the past").

Corrections are themselves events, so they can be corrected or retracted too:
a correction counts only as it is itself believed. Visible amendments apply in
the order they became known (`reported_at`, then id): the latest knowledge
wins, and the order they were appended in does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.entry import Entry
from domain.errors import DomainError, InvalidValue
from domain.times import TimePoint
from domain.vocabulary import EntryCorrected, EntryRetracted, parse_payload

EVERYTHING: datetime | None = None  # known_at for "as known now, from all the log holds"


class AmendmentIndex(Protocol):
    def of(self, event_id: UUID) -> list[Entry]: ...


@dataclass
class Amendments:
    """Corrections and retractions, indexed by the event they amend."""

    by_target: dict[UUID, list[Entry]] = field(default_factory=dict)

    @classmethod
    def among(cls, entries: Iterable[Entry]) -> Amendments:
        amendments = cls()
        for entry in entries:
            amendments.add(entry)
        return amendments

    def add(self, entry: Entry) -> None:
        target = entry.payload.amended_event
        if target is not None:
            self.by_target.setdefault(target, []).append(entry)

    def of(self, event_id: UUID) -> list[Entry]:
        return self.by_target.get(event_id, [])


def believed(entry: Entry, amendments: AmendmentIndex, known_at: datetime | None = EVERYTHING) -> Entry | None:
    """`entry` as believed at `known_at`: corrected, unchanged, or None if retracted."""
    visible = []
    for amendment in amendments.of(entry.id):
        current = believed(amendment, amendments, known_at)
        if current is not None and (known_at is None or current.reported_at.start <= known_at):
            visible.append(current)
    if not visible:
        return entry
    visible.sort(key=lambda a: (a.reported_at.start, str(a.id)))  # content decides, not log order
    if any(isinstance(a.payload, EntryRetracted) for a in visible):
        return None
    for correction in visible:
        entry = corrected(entry, correction)
    return entry


TIME_FIELDS = ("occurred_at", "reported_at")


def corrected(target: Entry, correction: Entry) -> Entry:
    """`target` with the correction's values applied; the values are checked as
    if the target had been written with them (errors name `data.changes.*`)."""
    change = correction.payload
    assert isinstance(change, EntryCorrected)
    data_changes = {k: v for k, v in change.changes.items() if k not in TIME_FIELDS}
    payload = target.payload
    if payload.registers and "id" in data_changes:
        raise InvalidValue("data.changes.id", "an id cannot be corrected; retract the event and "
                           "register again under the right id")
    if data_changes:
        try:
            payload = parse_payload(target.type, {**payload.to_json(), **data_changes})
        except DomainError as error:
            raise type(error)(error.field.replace("data.", "data.changes.", 1), error.rule) from None
    occurred_at, reported_at = (
        TimePoint.parse(change.changes[name], f"data.changes.{name}") if name in change.changes else current
        for name, current in zip(TIME_FIELDS, (target.occurred_at, target.reported_at), strict=True))
    if not occurred_at.not_after(reported_at):
        raise InvalidValue("data.changes.occurred_at", f"the corrected event would be reported ({reported_at}) "
                           f"before it occurred ({occurred_at})")
    draft = replace(target.draft, payload=payload, occurred_at=occurred_at)
    return replace(target, draft=draft, reported_at=reported_at, amended_by=(*target.amended_by, correction.id))
