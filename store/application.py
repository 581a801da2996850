"""The incident log application: appends entries and answers queries.

`IncidentLogApplication` is the one place that touches the event store. It
keeps two things in memory, both rebuilt from the store's notification log
when it starts and brought up to date before every append and query (another
process may have written in between):

- the write-side rules (`domain.log.IncidentLog`), so a batch is checked
  against everything already in the log;
- the entries themselves, in log order, which the projections fold at query
  time. (Materialised read models will replace the fold later; the answers
  must stay the same.)

Appends take turns across processes (`store.locks`), so that checking a batch
and storing it is one step; the store's unique key on event ids refuses a
second copy of an event whatever happens.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.corrections import Amendments, believed
from domain.entry import Draft, Entry
from domain.log import IncidentLog
from projections.audit import DecisionAudit, DecisionFilter, DecisionSummary, audit, decisions
from projections.case_file import CaseFile, case_file
from projections.explain import describe
from projections.history import Subject, history
from projections.horizon import Horizon
from projections.state import StationState, project
from store.locks import writer_lock
from store.records import EntryRecorded, from_record, to_record
from store.settings import Settings

PAGE = 500
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AppendResult:
    """The entries a write asked for, in its order; `stored` counts the new ones."""

    entries: list[Entry]
    stored: int

    @property
    def duplicates(self) -> int:
        return len(self.entries) - self.stored


@dataclass(frozen=True)
class EventRecord:
    """One event: as written, with the corrections and retractions naming it,
    and the version believed (None once retracted)."""

    written: Entry
    amendments: list[Entry]
    believed: Entry | None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.written.to_json(),
            "amendments": [a.to_json() for a in self.amendments],
            "retracted": self.believed is None,
            "believed": describe(self.believed) if self.believed else None,
        }


@dataclass(frozen=True)
class _StoredAmendments:
    """The amendments the log had stored by the horizon's `recorded_before`."""

    amendments: Amendments
    horizon: Horizon

    def of(self, event_id: UUID) -> list[Entry]:
        return [a for a in self.amendments.of(event_id) if self.horizon.stored(a)]


class IncidentLogApplication(Application[UUID]):
    name = "incidentlog"  # pins the PostgreSQL table names: incidentlog_events

    def __init__(self, settings: Settings | None = None, clock: Clock = utc_now,
                 env: dict[str, str] | None = None) -> None:
        self.settings = settings or Settings.from_env()
        super().__init__({**self.settings.eventsourcing_env(), **(env or {})})
        self._clock = clock
        self._lock = threading.RLock()  # this process's readers and writers
        self._writer = writer_lock(self.settings)  # every process's writers
        self._rules = IncidentLog()
        self._entries: list[Entry] = []
        self._last_recorded: datetime | None = None
        self.catch_up()

    # --- Writing ------------------------------------------------------------

    def append(self, drafts: Sequence[Draft], actor: str) -> AppendResult:
        """Store a batch atomically: every new event, or none of them.

        A draft whose id is already stored with the same content is an
        idempotent retry: its original entry comes back and nothing is stored.
        """
        with self._lock, self._writer:
            self.catch_up()
            acceptance = self._rules.accept(drafts, self._recording_time(), actor)
            stored: dict[UUID, Entry] = {e.id: e for e in acceptance.already_stored}
            if acceptance.new:
                try:
                    recordings = self.save(*(to_record(e) for e in acceptance.new))
                except IntegrityError:
                    # Another process stored one of these ids first: read what it
                    # stored and answer as a retry would (or refuse a conflict).
                    self.catch_up()
                    return self.append(drafts, actor)
                for entry, recording in zip(acceptance.new, recordings, strict=True):
                    placed = entry.at_position(recording.notification.id)
                    self._take(placed)
                    stored[placed.id] = placed
            return AppendResult([stored[d.id] for d in drafts], len(acceptance.new))

    def check(self, drafts: Sequence[Draft], actor: str) -> int:
        """Check a batch as `append` would, storing nothing; return how many of its
        events the log already holds (idempotent retries)."""
        with self._lock:
            self.catch_up()
            return len(self._rules.accept(drafts, self._recording_time(), actor).already_stored)

    def _recording_time(self) -> datetime:
        # System time never runs backwards along the log, even if the clock does:
        # "recorded before T" must mean "at a position before the first entry after T".
        now = self._clock()
        if self._last_recorded is not None and now < self._last_recorded:
            return self._last_recorded
        return now

    def close(self) -> None:
        self._writer.close()
        super().close()

    # --- Reading ------------------------------------------------------------

    def catch_up(self) -> int:
        """Fold in whatever the store holds beyond what this process has seen."""
        with self._lock:
            before = len(self._entries)
            while True:
                page = self.recorder.select_notifications(
                    self._rules.head, limit=PAGE, inclusive_of_start=False)
                for notification in page:
                    record = self.mapper.to_domain_event(notification)
                    assert isinstance(record, EntryRecorded)
                    self._take(from_record(record, notification.id))
                if len(page) < PAGE:
                    return len(self._entries) - before

    def _take(self, entry: Entry) -> None:
        self._rules.apply(entry)
        self._entries.append(entry)
        self._last_recorded = entry.recorded_at

    def entries(self, after: int = 0, limit: int | None = None) -> list[Entry]:
        """Entries in log order with a position greater than `after`."""
        self.catch_up()
        start = bisect.bisect_right(self._entries, after, key=lambda e: e.position)
        return self._entries[start:] if limit is None else self._entries[start:start + limit]

    def event_record(self, event_id: UUID, horizon: Horizon) -> EventRecord | None:
        """An event as written, the amendments naming it (reported by `known_at`,
        stored by `recorded_before`), and what is believed of it then."""
        self.catch_up()
        entry = self._rules.get(event_id)
        if entry is None or not horizon.stored(entry):
            return None
        index = _StoredAmendments(self._rules.amendments, horizon)
        visible = [a for a in index.of(event_id) if a.reported_at.start <= horizon.known_at]
        return EventRecord(entry, visible, believed(entry, index, horizon.known_at))

    def now(self) -> datetime:
        """This log's clock: recording time, and the default query time."""
        return self._clock()

    @property
    def head(self) -> int:
        return self._rules.head

    def state(self, horizon: Horizon) -> StationState:
        self.catch_up()
        return project(list(self._entries), horizon)

    def history(self, kind: Subject, name: str, horizon: Horizon) -> list[dict[str, Any]] | None:
        self.catch_up()
        return history(list(self._entries), horizon, kind, name)

    def audit(self, decision_id: UUID, horizon: Horizon) -> DecisionAudit | None:
        """How a decision was reached, as known at `known_at` (`as_of` does not apply)."""
        self.catch_up()
        return audit(list(self._entries), horizon, decision_id)

    def decisions(self, horizon: Horizon, where: DecisionFilter | None = None) -> list[DecisionSummary]:
        self.catch_up()
        return decisions(list(self._entries), horizon, where)

    def incident_file(self, incident_id: str, horizon: Horizon) -> CaseFile | None:
        self.catch_up()
        return case_file(list(self._entries), horizon, incident_id)

    def describe(self) -> dict[str, Any]:
        return {"store": self.settings.describe_store(), "events": len(self._entries), "head": self.head}
