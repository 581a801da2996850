"""The incident log application: appends entries and answers queries.

`IncidentLogApplication` is the one place that touches the event store.

- The station, vehicle, crew and capacity questions are answered from the read
  model in the database (`store.read_model`), whose rows are written in the
  same transaction as the events they come from.
- Audits, decision lists, case files and event records load only the
  entries they are about, found through the read model's index and the
  mentions index (`store.mentions`, `store.bounded_reads`); pages of entries
  and exports are read from the store a page at a time.
- The write-side rules (`domain.log`) read what they need from tables in the
  database (`store.rules_index`), under the writer lock: an append never
  reads the whole log, and start-up replays nothing.
- The entries in log order are held in memory only for the questions that
  fold most of the log (a history; a `known_at` far from every checkpoint),
  and only while the log is no longer than `INCIDENTLOG_MEMORY_EVENTS`;
  they are read from the store's notification log when first needed and
  brought up to date before each use (another process may have
  written in between).

Appends take turns across processes (`store.locks`), so that checking a batch
and storing it is one step; the store's unique key on event ids refuses a
second copy of an event whatever happens.

Concurrent appends are stored together (group commit). An append that finds
no group being stored leads the next one: it waits, at most
`INCIDENTLOG_GROUP_COMMIT_MS`, until as many appends are queued as the last
group held (so a lone writer never waits), takes them all, checks each batch
in turn against the log plus the batches accepted before it
(`domain.log.accept_each`), and stores the accepted ones in one transaction
under the writer lock. Appends queued meanwhile form the next group. Each
caller still gets its own result or its own error. If the store refuses the
transaction (another process stored one of its ids, a lost connection), the
group's appends are stored one by one instead, as without grouping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification, PersistenceError

from domain.entry import Draft, Entry
from domain.errors import DomainError
from domain.log import Acceptance, PartsCheck, Proposal, accept, accept_each
from projections.audit import DecisionAudit, DecisionFilter, DecisionSummary
from projections.case_file import CaseFile
from projections.explain import describe
from projections.history import Subject, history
from projections.horizon import Horizon
from projections.state import StationsAt, StationState, ViewAt
from store.bounded_reads import BoundedReads
from store.chain import HashChain
from store.database import Database, Rows
from store.entry_count import EntryCount
from store.entry_index import from_micros
from store.locks import prepare_lock, writer_lock
from store.mentions import MentionIndex
from store.read_model import ReadModel
from store.records import RECORD_TOPIC, EntryRecorded, from_record, from_state, to_record
from store.rules_index import RuleFacts, RulesIndex, StoredLog
from store.settings import Settings
from store.view_upkeep import ViewUpkeep
from store.views_catch_up import behind

PAGE = 500
LAST_POSITION = 2**63 - 1  # the largest position either store can hold
# The event store's recorders, with the read model's rows written in the same transaction.
_INLINE_RECORDER = {
    False: {"APPLICATION_RECORDER_TOPIC": "store.recorders.sqlite:InlineSQLiteRecorder"},
    True: {"APPLICATION_RECORDER_TOPIC": "store.recorders.postgres:InlinePostgresRecorder"},
}
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


@dataclass(eq=False)
class _Waiting:
    """An append queued for a group commit, and then its outcome."""

    drafts: Sequence[Draft]
    actor: str
    woken: threading.Event = field(default_factory=threading.Event)  # settled, or asked to lead
    result: AppendResult | None = None
    error: BaseException | None = None

    @property
    def settled(self) -> bool:
        return self.result is not None or self.error is not None

    def settle(self, result: AppendResult | None = None, error: BaseException | None = None) -> None:
        self.result, self.error = result, error
        self.woken.set()

    def outcome(self) -> AppendResult:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


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


def _result(drafts: Sequence[Draft], acceptance: Acceptance, placed: dict[UUID, Entry]) -> AppendResult:
    """One append's answer from its checked batch and the entries the group stored."""
    by_id = {e.id: placed.get(e.id, e) for e in (*acceptance.already_stored, *acceptance.new)}
    return AppendResult([by_id[d.id] for d in drafts], len(acceptance.new))


class IncidentLogApplication(Application[UUID]):
    name = "incidentlog"  # pins the PostgreSQL table names: incidentlog_events

    def __init__(self, settings: Settings | None = None, clock: Clock = utc_now,
                 env: dict[str, str] | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._writer = writer_lock(self.settings)  # every process's writers
        self._preparer = prepare_lock(self.settings)  # every process's prepares and rebuilds
        # The library creates the tables if they are missing; two processes
        # doing so at once on PostgreSQL collide ("tuple concurrently updated"),
        # so creating them is a write like any other: one process at a time.
        with self._writer:
            super().__init__({**self.settings.eventsourcing_env(), **_INLINE_RECORDER[self.settings.is_postgres],
                              **(env or {})})
            self.database = Database(self.recorder, postgres=self.settings.is_postgres)
            self._plain_states = self.mapper.compressor is None and self.mapper.cipher is None
            self.read_model = ReadModel(self.database, self._decode, self._stored_record)
            self.view_upkeep = ViewUpkeep(self.read_model)
            self.mentions = MentionIndex(self.database)
            self.entry_count = EntryCount(self.database, self.read_model.index)
            self.rules_index = RulesIndex(self.database, self.read_model.index, self._decode, self.entry_count)
            self.chain = HashChain(self.database, self.recorder, self._checked)  # never sealed here: see store.chain
            with self.database.writing() as rows:
                self.read_model.create(rows)
                self.mentions.create(rows)
                self.rules_index.create(rows)
                self.chain.create(rows)
            head = self.recorder.max_notification_id() or 0
            if self.read_model.behind(head) or self.rules_index.behind() or self.mentions.behind(head):
                self.rebuild_read_model()  # a store from before these tables, or of another shape
        self.bounded = BoundedReads(self.read_model, self.mentions)
        self._clock = clock
        self._lock = threading.RLock()  # this process's readers and writers
        self._entries: list[Entry] = []  # the log, held only for folds of most of it (`_everything`)
        self._queue_lock = threading.Lock()
        self._arrived = threading.Condition(self._queue_lock)  # a leader gathering waits on it
        self._queue: list[_Waiting] = []
        self._leading = False  # a thread is gathering or storing a group
        self._last_group = 1  # requests in the last group: how many a leader waits for
        self._seen = {"events": 0, "head": 0}  # see last_seen()
        self._written = {"events": 0, "head": 0}  # the log as this process last wrote it
        # The log is read into memory only for a question the read model does
        # not answer, never to write: a writer never holds it.

    # --- The read model ---------------------------------------------------------

    def _decode(self, notification: Notification) -> Entry:
        """A stored entry, its payload trusted as checked when it was written;
        straight from the stored JSON when the store holds it plain."""
        if self._plain_states and notification.topic == RECORD_TOPIC:
            stream = notification.originator_id
            return from_state(notification.state, stream if isinstance(stream, UUID) else UUID(stream), notification.id)
        return from_record(self._stored_record(notification), notification.id, checked=False)

    def _checked(self, notification: Notification) -> Entry:
        """A stored entry, every value checked again: what verifying the chain reads."""
        return from_record(self._stored_record(notification), notification.id)

    def _stored_record(self, notification: Notification) -> EntryRecorded:
        record = self.mapper.to_domain_event(notification)
        assert isinstance(record, EntryRecorded)
        return record

    def _pages(self, after: int = 0, limit: int | None = None) -> Iterator[list[Notification]]:
        """The stored events after position `after` (at most `limit`), a page at a time."""
        position, left = min(after, LAST_POSITION), limit  # nothing is stored past a 64-bit position
        while left is None or left > 0:
            size = PAGE if left is None else min(PAGE, left)
            page = list(self.recorder.select_notifications(position, limit=size, inclusive_of_start=False))
            if page:
                yield page
                position = page[-1].id
                left = None if left is None else left - len(page)
            if len(page) < size:
                return

    def rebuild_read_model(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop the read model and build it again: the index and the write
        side's tables, from the stored records. Checkpoints are made again by
        `prepare_read_model` (the CLI's rebuild calls it) or else by the first
        questions. Returns the entries indexed."""
        with self._preparer, self._writer:
            beside = (self.rules_index, self.mentions, self.entry_count)
            return self.read_model.index_log(self._pages(), progress, beside=beside)

    def prepare_read_model(self, progress: Callable[[int], None] | None = None) -> int:
        """Fold the log as known now where its checkpoints do not reach, so that
        the first questions after an import or a rebuild start near their
        answer, and keep the views (`ReadModel.prepare`), once it is this
        process's turn. Returns the facts folded."""
        with self._preparer:
            return self.read_model.prepare(progress)

    def catch_up_views(self, progress: Callable[[int], None] | None = None) -> int | None:
        """`prepare_read_model` if the views are behind the log, as seen once
        it is this process's turn (another's prepare may have just carried
        them); None if they were not."""
        with self._preparer:
            if not behind(self.views_status()):
                return None
            return self.prepare_read_model(progress)  # the lock is re-entrant within a thread

    def views_status(self) -> dict[str, Any]:
        """How far the kept views hold (`ReadModel.views_status`)."""
        return self.read_model.views_status()

    def _stored(self, entries: Sequence[Entry]) -> list[Entry]:
        """Store `entries` and their read-model rows in one transaction; return
        them placed at their positions, in the same order."""
        placed: list[Entry] = []
        self.view_upkeep.ready(entries)  # under the writer lock, as every caller holds it

        def write(cursor: Any, positions: Sequence[int]) -> None:  # run by the recorder, inside the transaction
            placed[:] = [e.at_position(p) for e, p in zip(entries, positions, strict=True)]
            self.read_model.add(self.database.rows_for(cursor), placed)
            self.entry_count.add(self.database.rows_for(cursor), len(placed))  # after the index: it may count it
            self.view_upkeep.add(self.database.rows_for(cursor), placed)  # after the index: it reads reports there
            self.mentions.add(self.database.rows_for(cursor), placed)  # after the index: it reads roots there
            self.rules_index.add(self.database.rows_for(cursor), [RuleFacts.of_entry(e) for e in placed])
            self.chain.add(self.database.rows_for(cursor), placed)  # tamper evidence, in the same transaction

        recordings = self.save(*(to_record(e) for e in entries), inline=write)
        self.view_upkeep.committed()
        assert [e.position for e in placed] == [r.notification.id for r in recordings]
        return placed

    # --- Writing ------------------------------------------------------------

    def append(self, drafts: Sequence[Draft], actor: str) -> AppendResult:
        """Store a batch atomically: every new event, or none of them.

        A draft whose id is already stored with the same content is an
        idempotent retry: its original entry comes back and nothing is stored.
        Appends made at the same time from other threads may be stored in the
        same transaction (see the module's notes); each gets its own answer.
        """
        if self.settings.group_commit_ms <= 0:
            return self._append_alone(drafts, actor)
        mine = _Waiting(drafts, actor)
        with self._queue_lock:
            self._queue.append(mine)
            if self._leading:
                self._arrived.notify()
            else:
                self._leading = True
                mine.woken.set()
        mine.woken.wait()  # until a leader has stored it, or handed this thread the lead
        if not mine.settled:
            self._lead()
        return mine.outcome()

    @property
    def appends_waiting(self) -> int:
        """Appends queued for the next group commit."""
        with self._queue_lock:
            return len(self._queue)

    def _lead(self) -> None:
        """Gather the queued appends, store them, then hand the lead on."""
        deadline = time.monotonic() + self.settings.group_commit_ms / 1000
        with self._queue_lock:
            # As many as last time are likely to come: wait for them, not longer.
            while len(self._queue) < self._last_group and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            group, self._queue = self._queue, []
            self._last_group = len(group)
        try:
            self._store_group(group)
        finally:
            with self._queue_lock:
                if self._queue:
                    self._queue[0].woken.set()  # it leads the next group
                else:
                    self._leading = False

    def _store_group(self, group: list[_Waiting]) -> None:
        """Settle every append of the group, whatever happens."""
        try:
            if len(group) == 1:
                only = group[0]
                only.settle(self._append_alone(only.drafts, only.actor))
                return
            with self._lock, self._writer:
                pending = list(range(len(group)))
                times: list[datetime] = []  # one for each append of the group, taken once
                while pending:
                    try:
                        # Read under the writer lock, so nothing changes before the insert.
                        with self.database.reading() as rows:
                            log = self._view(rows, [d for i in pending for d in group[i].drafts])
                            times = times or self._recording_times(log, len(group))
                            outcomes = accept_each(
                                log, [Proposal(group[i].drafts, times[i], group[i].actor) for i in pending])
                        placed = self._save_accepted(log, outcomes)
                    except PersistenceError:
                        # Nothing of this transaction is stored: store each append
                        # alone, as without grouping, so each gets its own answer.
                        for i in pending:
                            self._settle_alone(group[i])
                        return
                    for i, outcome in zip(pending, outcomes, strict=False):
                        if isinstance(outcome, DomainError):
                            group[i].settle(error=outcome)
                        else:
                            group[i].settle(_result(group[i].drafts, outcome, placed))
                    pending = pending[len(outcomes):]
        except BaseException as error:
            for waiting in group:
                if not waiting.settled:
                    waiting.settle(error=error)
            raise

    def _settle_alone(self, waiting: _Waiting) -> None:
        try:
            waiting.settle(self._append_alone(waiting.drafts, waiting.actor))
        except Exception as error:  # its caller raises it, as if it had appended alone
            waiting.settle(error=error)

    def _save_accepted(self, log: StoredLog, outcomes: Sequence[Acceptance | DomainError]) -> dict[UUID, Entry]:
        """Store the accepted batches' new entries in one transaction; return them placed."""
        new = [entry for outcome in outcomes if isinstance(outcome, Acceptance) for entry in outcome.new]
        if not new:
            return {}
        return {entry.id: entry for entry in self._stored_after(log, new)}

    def _stored_after(self, log: StoredLog, new: Sequence[Entry]) -> list[Entry]:
        """`_stored`, noting the log's size as this writer leaves it (for `last_seen`)."""
        placed = self._stored(new)
        self._written = {"events": log.events + len(placed), "head": max(log.head, placed[-1].position)}
        return placed

    def _recording_times(self, log: StoredLog, count: int) -> list[datetime]:
        """One recording time for each append of a group, never running backwards."""
        times = [self._recording_time(log)]
        for _ in range(count - 1):
            times.append(max(self._clock(), times[-1]))
        return times

    def _append_alone(self, drafts: Sequence[Draft], actor: str) -> AppendResult:
        """`append` in a transaction of its own."""
        with self._lock, self._writer:
            # Read under the writer lock, so nothing changes before the insert.
            with self.database.reading() as rows:
                log = self._view(rows, drafts)
                acceptance = accept(log, drafts, self._recording_time(log), actor)
            stored: dict[UUID, Entry] = {e.id: e for e in acceptance.already_stored}
            if acceptance.new:
                try:
                    placed_all = self._stored_after(log, acceptance.new)
                except IntegrityError:
                    # Another process stored one of these ids first: check again,
                    # to answer as a retry would (or refuse a conflict).
                    return self._append_alone(drafts, actor)
                stored.update((placed.id, placed) for placed in placed_all)
            return AppendResult([stored[d.id] for d in drafts], len(acceptance.new))

    def check(self, drafts: Sequence[Draft], actor: str) -> int:
        """Check a batch as `append` would, storing nothing; return how many of its
        events the log already holds (idempotent retries)."""
        # Under the writer lock: the tables are read statement by statement, and
        # must not change in between (PostgreSQL's reads see each commit).
        with self._lock, self._writer, self.database.reading() as rows:
            log = self._view(rows, drafts)
            return len(accept(log, drafts, self._recording_time(log), actor).already_stored)

    def check_parts(self, parts: Iterable[Sequence[Draft]], actor: str,
                    held: MutableMapping[UUID, Entry] | None = None) -> int:
        """Check one long batch given a part at a time (`domain.log.PartsCheck`),
        storing nothing; return how many of its events the log already holds.
        The writer lock is held throughout: no one appends in between."""
        with self._lock, self._writer, self.database.reading() as rows:
            log = self.rules_index.view(rows)
            checking = PartsCheck(log, self._recording_time(log), actor, held)
            for drafts in parts:
                log.prefetch({i for d in drafts for i in (d.id, *d.based_on)})
                checking.check(drafts)
            return checking.already_stored

    def _view(self, rows: Rows, drafts: Sequence[Draft]) -> StoredLog:
        """The log as stored, for the rules to check `drafts` against (called
        under the writer lock); the events they name are looked up at once."""
        log = self.rules_index.view(rows)
        log.prefetch({i for d in drafts for i in (d.id, *d.based_on)})
        return log

    def _recording_time(self, log: StoredLog) -> datetime:
        # System time never runs backwards along the log, even if the clock does:
        # "recorded before T" must mean "at a position before the first entry after T".
        now, last = self._clock(), log.last_recorded
        return last if last is not None and now < last else now

    def close(self) -> None:
        self._writer.close()
        self._preparer.close()
        super().close()

    # --- Reading ------------------------------------------------------------

    def catch_up(self) -> int:
        """Read into the log held in memory whatever the store holds beyond it."""
        with self._lock:
            before = len(self._entries)
            for page in self.pages(self._entries[-1].position if self._entries else 0):
                self._entries += page
            return len(self._entries) - before

    def entries(self, after: int = 0, limit: int | None = None) -> list[Entry]:
        """Entries in log order with a position greater than `after`, read from
        the store (at most `limit`; all of them only when asked: `pages` streams)."""
        return [entry for page in self.pages(after, limit) for entry in page]

    def pages(self, after: int = 0, limit: int | None = None) -> Iterator[list[Entry]]:
        """Entries in log order after position `after` (at most `limit`), a page
        at a time, read from the store: an export or a scan holds one page,
        never the log, and only what is asked for is decoded."""
        for page in self._pages(after, limit):
            yield [self._decode(n) for n in page]

    def span_after(self, after: int) -> tuple[int, datetime, datetime] | None:
        """(head, earliest, latest) of the times the entries stored after
        position `after` happened (as told or corrected) or were reported,
        from the index (None: nothing stored after it)."""
        with self.database.reading() as rows:
            found = self.read_model.index.span_after(rows, after)
        return None if found is None else (found[0], from_micros(found[1]), from_micros(found[2]))

    def with_id_prefix(self, prefix: str, type_name: str, limit: int) -> tuple[int, list[Entry]]:
        """How many events of a type have an id starting `prefix` (hexadecimal,
        no dashes), and the first `limit` of them in log order, from the index."""
        with self.database.reading() as rows:
            count = self.mentions.count_typed(rows, type_name, prefix)
            positions = self.mentions.typed(rows, type_name, prefix, limit)
            stored = self.read_model.index.stored(rows, positions)
        return count, sorted((self._decode(n) for n in stored), key=lambda e: e.position)

    def first_with_id_prefix(self, prefix: str, limit: int) -> list[Entry]:
        """The first `limit` entries, in log order, whose id starts `prefix`."""
        with self.database.reading() as rows:
            positions = self.read_model.index.with_id_prefix(rows, prefix, limit)
            stored = self.read_model.index.stored(rows, positions)
        return sorted((self._decode(n) for n in stored), key=lambda e: e.position)

    def event_record(self, event_id: UUID, horizon: Horizon) -> EventRecord | None:
        """An event as written, the amendments naming it (reported by `known_at`,
        stored by `recorded_before`), and what is believed of it then: from its
        family alone (`store.bounded_reads`)."""
        found = self.bounded.event_record(event_id, horizon)
        return None if found is None else EventRecord(*found)

    def now(self) -> datetime:
        """This log's clock: recording time, and the default query time."""
        return self._clock()

    @property
    def head(self) -> int:
        """The last position the log holds (from the read model's index, kept
        in the same transaction as every append)."""
        with self.database.reading() as rows:
            return self.read_model.index.head(rows)

    def state(self, horizon: Horizon) -> StationState:
        """The station at a horizon, from the read model (equal, by test, to
        `projections.state.project` over the whole log)."""
        return self.read_model.state(horizon, self._everything)

    def view_or_state(self, kind: str, name: str, horizon: Horizon, explain: bool = False) -> ViewAt | StationState:
        """What one vehicle's or crew member's answer is built from: its
        version in the read model (a look-up, not a fold) where that can say,
        else the station (`state`): a name rather than an id, a log not
        prepared since (`prepare_read_model`) or changed at that `as_of`.
        Either finds the view (`find_vehicle`, `find_crew`) and, with
        `explain`, explains it from the events behind each field."""
        version = self.read_model.view_at(kind, name, horizon, explained=explain)
        return version if version is not None else self.state(horizon)

    def capacity_or_state(self, horizon: Horizon, explain: bool = False) -> StationsAt | StationState:
        """What the stations' capacity is built from: the versions the read
        model keeps of each station where they can say, as `view_or_state`,
        else the station (`state`), which `explain` always needs."""
        kept = None if explain else self.read_model.stations_at(horizon)
        return kept if kept is not None else self.state(horizon)

    def _everything(self) -> list[Entry] | None:
        """The whole log, held in memory to fold at once, or None when it is
        longer than this process may hold (`Settings.memory_events`): carrying
        a fold from the database, a slice at a time, holds only a slice but
        takes several times longer. Asked only by the questions that fold
        most of the log."""
        if not 0 < self.head <= self.settings.memory_events:
            return None
        self.catch_up()
        return list(self._entries)

    def history(self, kind: Subject, name: str, horizon: Horizon) -> list[dict[str, Any]] | None:
        """`projections.history.history` over the whole log: from the read
        model's versions of the view with that id where they hold (an id
        names its member, whatever another's alias says); else the log held
        in memory while it is short enough (`_everything`), else read a slice
        at a time (a crew member by name or alias: the versions are kept by id)."""
        if (kept := self.read_model.history_of(kind, name, horizon)) is not None:
            return kept
        held = self._everything()
        return self.bounded.history(kind, name, horizon) if held is None else history(held, horizon, kind, name)

    def audit(self, decision_id: UUID, horizon: Horizon) -> DecisionAudit | None:
        """How a decision was reached, as known at `known_at` (`as_of` does not
        apply), from the entries it is about (`store.bounded_reads`)."""
        return self.bounded.audit(decision_id, horizon)

    def decisions(self, horizon: Horizon, where: DecisionFilter | None = None) -> list[DecisionSummary]:
        return self.bounded.decisions(horizon, where)

    def incident_file(self, incident_id: str, horizon: Horizon) -> CaseFile | None:
        return self.bounded.incident_file(incident_id, horizon)

    def describe(self) -> dict[str, Any]:
        with self.database.reading() as rows:
            events, head = self.entry_count.count(rows), self.read_model.index.head(rows)
        self._seen = {"events": events, "head": head}
        return {"store": self.settings.describe_store(), **self._seen}

    def last_seen(self) -> dict[str, int]:
        """The log's size and head as this process last read them (`describe`,
        its last write, or the log it holds for readers), without asking the
        store: for a metrics scrape, which must not wait on it. The latest of
        them is the one with the highest head."""
        held = {"events": len(self._entries), "head": self._entries[-1].position if self._entries else 0}
        return dict(max(self._seen, self._written, held, key=lambda seen: seen["head"]))
