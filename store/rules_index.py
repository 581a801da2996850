"""What the write-side rules ask of the log, answered from tables in the database.

The rules (`domain.log`) ask a `LogView` five questions: an event by id, the
amendments naming it, what is believed of it now, the believed registration
of an id, and a vehicle's movements in valid time. Holding the whole log in
memory to answer them costs minutes and gigabytes on a large log, so a writer
asks the database instead, inside the writer lock (nothing else writes while
a batch is checked and stored):

- an event, its amendments and its believed version come from its *family*
  (the event and every correction and retraction of it, at any depth: the
  entry index's `root`), loaded by position and decoded;
- `registrations` holds one row per registering event: (kind, id) -> event;
  a correction cannot change the id, so the row never goes stale, and which
  registrations are still believed is read from their families;
- `vehicle_moves` holds, for each vehicle, the families that move or moved
  it: a movement's own row, and one for every vehicle an amendment's data
  names anywhere (a correction that changes the vehicle, or a correction of
  that correction). A superset: the timeline keeps only the families whose
  believed version moves that vehicle.

Both tables are written in the same transaction as the events
(`IncidentLogApplication._stored`), and rebuilt with the read model.

The process keeps bounded caches (families, timelines, ids' families). They
stay right when another process writes: each view first reads the index rows
stored after the position the caches last saw and drops what they touch
(a family that grew; a timeline that a new entry of one of the families it
read, or a new row for its vehicle, may change).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.corrections import Amendments, believed
from domain.entry import Entry
from domain.log import Move, timeline
from domain.order import ValidTimeOrder
from domain.vocabulary import EVENT_TYPES
from store.database import Database, Rows, chunks, marks
from store.entry_count import EntryCount
from store.entry_index import EntryIndex, texts_named
from store.records import EntryRecorded

RULES_INDEX_VERSION = "1"
FAMILIES_KEPT = 20_000  # decoded families a process keeps
TIMELINES_KEPT = 1_000  # vehicles' timelines a process keeps
ROOTS_KEPT = 100_000  # event id -> family root (never changes once stored)
NAMES_KEPT = 100_000  # (kind, id) -> its registering events (known to have none, too)
REFRESH_LIMIT = 10_000  # rows stored by others read to refresh the caches; past that, forget them all
K = TypeVar("K")
V = TypeVar("V")
Decode = Callable[[Notification], Entry]


@dataclass(frozen=True)
class RuleFacts:
    """What these tables read of an entry."""

    position: int
    id: UUID
    registers: tuple[str, str] | None  # (kind, id) a registration introduces
    vehicles: frozenset[str]  # the vehicle a movement moves; every vehicle an amendment names

    @classmethod
    def of_entry(cls, entry: Entry) -> RuleFacts:
        payload = entry.payload
        registers = (payload.registers, payload.registered_id) if payload.registers and payload.registered_id \
            else None
        vehicles = frozenset(texts_named(payload.to_json(), "vehicle")) if payload.amends else \
            frozenset({payload.moved_vehicle} if payload.moved_vehicle else ())
        return cls(entry.position, entry.id, registers, vehicles)

    @classmethod
    def of_record(cls, record: EntryRecorded, position: int) -> RuleFacts:
        """Straight from the stored record (checked when stored), for a fast rebuild."""
        kind = EVENT_TYPES[record.type]
        identifier, vehicle = record.data.get("id"), record.data.get("vehicle")
        registers = (kind.registers, identifier) if kind.registers and isinstance(identifier, str) else None
        vehicles = frozenset(texts_named(record.data, "vehicle")) if kind.amends else \
            frozenset({vehicle} if kind.movement and isinstance(vehicle, str) else ())
        return cls(position, record.originator_id, registers, vehicles)


class _Lru(OrderedDict[K, V]):
    """A dict that forgets the least recently used keys past `size`."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def find(self, key: K) -> V | None:
        found = self.get(key)
        if found is not None:
            self.move_to_end(key)
        return found

    def keep(self, key: K, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


@dataclass
class _Family:
    """An event and its amendments, as stored, and what is believed of each."""

    entries: dict[UUID, Entry]
    amendments: Amendments
    beliefs: dict[UUID, Entry | None] = field(default_factory=dict)

    def current(self, event_id: UUID) -> Entry | None:
        if event_id not in self.beliefs:
            self.beliefs[event_id] = believed(self.entries[event_id], self.amendments)
        return self.beliefs[event_id]


@dataclass(frozen=True)
class _Timeline:
    moves: list[Move]
    roots: frozenset[str]  # the families it was derived from: a new entry in one may change it


class RulesIndex:
    """The tables, kept with the log, and the caches of this process."""

    def __init__(self, database: Database, index: EntryIndex, decode: Decode, count: EntryCount) -> None:
        self.db, self.index, self._decode = database, index, decode
        self._count = count  # the log's size, kept with each append rather than counted
        self.registrations = database.table("registrations")
        self.vehicle_moves = database.table("vehicle_moves")
        self._families: _Lru[str, _Family] = _Lru(FAMILIES_KEPT)
        self._timelines: _Lru[str, _Timeline] = _Lru(TIMELINES_KEPT)
        self._roots: _Lru[UUID, str] = _Lru(ROOTS_KEPT)
        self._registered: _Lru[tuple[str, str], tuple[UUID, ...]] = _Lru(NAMES_KEPT)
        self.seen: int | None = None  # the log's head when the caches were last brought up to date
        self.events = 0  # entries the log held then

    # --- Keeping it -----------------------------------------------------------

    def create(self, rows: Rows) -> None:
        for statement in (
            f"CREATE TABLE IF NOT EXISTS {self.registrations} (kind TEXT NOT NULL, identifier TEXT NOT NULL, "
            "id TEXT NOT NULL, position {int} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_registrations_name ON {self.registrations} (kind, identifier)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_registrations_position ON {self.registrations} (position)",
            f"CREATE TABLE IF NOT EXISTS {self.vehicle_moves} (vehicle TEXT NOT NULL, root TEXT NOT NULL, "
            "position {int} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_vehicle_moves_vehicle ON {self.vehicle_moves} (vehicle)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_vehicle_moves_position ON {self.vehicle_moves} (position)",
        ):
            rows.execute(self.db.ddl(statement))

    def add(self, rows: Rows, facts: Sequence[RuleFacts]) -> None:
        """Rows for newly stored entries, inside their transaction, after the
        entry index's (which gives each amendment's family)."""
        rows.executemany(f"INSERT INTO {self.registrations} (kind, identifier, id, position) VALUES (?, ?, ?, ?)",
                         [(*f.registers, f.id.hex, f.position) for f in facts if f.registers])
        moving = [f for f in facts if f.vehicles]
        roots = self._roots_at(rows, [f.position for f in moving])
        rows.executemany(f"INSERT INTO {self.vehicle_moves} (vehicle, root, position) VALUES (?, ?, ?)",
                         [(vehicle, roots[f.position], f.position) for f in moving for vehicle in sorted(f.vehicles)])

    def add_records(self, rows: Rows, records: Sequence[tuple[EntryRecorded, int]]) -> None:
        self.add(rows, [RuleFacts.of_record(record, position) for record, position in records])

    def clear(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.registrations}")
        rows.execute(f"DELETE FROM {self.vehicle_moves}")
        rows.execute(f"DELETE FROM {self.index.meta} WHERE key = 'rules_index'")

    def set_version(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.index.meta} WHERE key = 'rules_index'")
        rows.execute(f"INSERT INTO {self.index.meta} (key, value) VALUES ('rules_index', ?)", (RULES_INDEX_VERSION,))

    def behind(self) -> bool:
        """Was the store made before these tables (or with another shape of them)?"""
        with self.db.reading() as rows:
            found = rows.execute(f"SELECT value FROM {self.index.meta} WHERE key = 'rules_index'").one()
        return found is None or found[0] != RULES_INDEX_VERSION

    def _roots_at(self, rows: Rows, positions: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in chunks(positions):
            found.update((int(p), r) for p, r in rows.execute(
                f"SELECT position, root FROM {self.index.entries} WHERE position IN ({marks(chunk)})", chunk).all())
        return found

    # --- Answering ------------------------------------------------------------

    def view(self, rows: Rows) -> StoredLog:
        """The log as stored now, for the rules; `rows` must stay open while it is used."""
        head = self.index.head(rows)
        if self.seen is None or head < self.seen:
            self._forget()
            self.events = self._count.count(rows)
        elif head > self.seen:
            self._refresh(rows, self.seen)
        self.seen = head
        return StoredLog(self, rows, head)

    def _refresh(self, rows: Rows, after: int) -> None:
        """Drop what the entries stored after `after` (by another process, or
        this one) may have changed."""
        stored = rows.execute(f"SELECT root FROM {self.index.entries} WHERE position > ? LIMIT ?",
                              (after, REFRESH_LIMIT + 1)).all()
        if len(stored) > REFRESH_LIMIT:  # a large import: cheaper to start again than to sort out
            self._forget()
            self.events = self._count.count(rows)
            return
        self.events += len(stored)
        touched = {r[0] for r in stored}
        # Without DISTINCT: with it, SQLite walks the whole name index rather
        # than seek the few rows past `after` (6 ms an append at 300,000 events).
        vehicles = {r[0] for r in rows.execute(
            f"SELECT vehicle FROM {self.vehicle_moves} WHERE position > ?", (after,)).all()}
        for name in rows.execute(f"SELECT kind, identifier FROM {self.registrations} WHERE position > ?",
                                 (after,)).all():
            self._registered.pop((name[0], name[1]), None)
        for root in touched:
            self._families.pop(root, None)
        for vehicle, kept in list(self._timelines.items()):
            if vehicle in vehicles or not kept.roots.isdisjoint(touched):
                self._timelines.pop(vehicle, None)

    def _forget(self) -> None:
        self._families.clear()
        self._timelines.clear()
        self._registered.clear()


class StoredLog:
    """A `LogView` over one open read of the store, taken under the writer lock."""

    def __init__(self, index: RulesIndex, rows: Rows, head: int) -> None:
        self._index, self._rows, self.head = index, rows, head
        self._absent: set[UUID] = set()  # ids the log does not hold (nothing is stored while the view is used)

    def prefetch(self, ids: Iterable[UUID]) -> None:
        """Look these ids up at once (a batch's ids and what they rest on), not one by one."""
        self._load_roots(ids)

    @property
    def events(self) -> int:
        return self._index.events

    @property
    def last_recorded(self) -> datetime | None:
        """The recording time of the last entry (system time never runs backwards)."""
        found = self._rows.execute(f"SELECT recorded FROM {self._index.index.entries} "
                                   "ORDER BY position DESC LIMIT 1").one()
        return None if found is None else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(found[0]))

    def get(self, event_id: UUID) -> Entry | None:
        family = self._family_of(event_id)
        return None if family is None else family.entries[event_id]

    def amendments_of(self, event_id: UUID) -> list[Entry]:
        family = self._family_of(event_id)
        return [] if family is None else family.amendments.of(event_id)

    def current(self, event_id: UUID) -> Entry | None:
        family = self._family_of(event_id)
        return None if family is None else family.current(event_id)

    def registration(self, kind: str, identifier: str) -> Entry | None:
        # Which events register the id is kept (a reference is checked on
        # almost every event); whether they are still believed, from their families.
        registering = self._index._registered.find((kind, identifier))
        if registering is None:
            registering = tuple(UUID(r[0]) for r in self._rows.execute(
                f"SELECT id FROM {self._index.registrations} WHERE kind = ? AND identifier = ? ORDER BY position",
                (kind, identifier)).all())
            self._index._registered.keep((kind, identifier), registering)
        for event_id in registering:
            found = self.current(event_id)
            if found is not None:
                return found
        return None

    def timeline(self, vehicle: str) -> list[Move]:
        kept = self._index._timelines.find(vehicle)
        if kept is not None:
            return kept.moves
        roots = sorted({r[0] for r in self._rows.execute(
            f"SELECT root FROM {self._index.vehicle_moves} WHERE vehicle = ?", (vehicle,)).all()})
        families = self._families(roots)
        movements = [m for root in roots if (m := families[root].current(UUID(root))) is not None
                     and m.payload.moved_vehicle == vehicle]
        # A movement's place may depend on the events it rests on, as believed:
        # load them together, and remember their families with the timeline's.
        read = set(roots)
        evidence = {e for m in movements for e in m.based_on}
        self._load_roots(evidence)
        evidence_roots = {root for e in evidence if (root := self._index._roots.find(e)) is not None}
        self._families(sorted(evidence_roots))
        read |= evidence_roots

        def lookup(event_id: UUID) -> Entry | None:
            root = self._root_of(event_id)
            if root is not None:
                read.add(root)
            return self.current(event_id)

        moves = timeline(movements, ValidTimeOrder(lookup))
        self._index._timelines.keep(vehicle, _Timeline(moves, frozenset(read)))
        return moves

    # --- Families ---------------------------------------------------------------

    def _family_of(self, event_id: UUID) -> _Family | None:
        root = self._root_of(event_id)
        if root is None:
            return None
        return self._index._families.find(root) or self._families([root])[root]  # most are kept: ask no more

    def _root_of(self, event_id: UUID) -> str | None:
        root = self._index._roots.find(event_id)
        if root is None and event_id not in self._absent:
            self._load_roots([event_id])
            root = self._index._roots.find(event_id)
        return root

    def _load_roots(self, ids: Iterable[UUID]) -> None:
        wanted = {i for i in ids if i not in self._absent and self._index._roots.find(i) is None}
        for chunk in chunks(sorted(i.hex for i in wanted)):
            for event_id, root in self._rows.execute(
                    f"SELECT id, root FROM {self._index.index.entries} WHERE id IN ({marks(chunk)})", chunk).all():
                self._index._roots.keep(UUID(event_id), root)
                wanted.discard(UUID(event_id))
        self._absent |= wanted

    def _families(self, roots: Sequence[str]) -> dict[str, _Family]:
        """These families, from the cache or loaded (all entries of each, as stored)."""
        cache = self._index._families
        found = {root: family for root in roots if (family := cache.find(root)) is not None}
        missing = [root for root in roots if root not in found]
        loaded: dict[str, list[Entry]] = {root: [] for root in missing}
        positions: dict[int, str] = {}
        for chunk in chunks(missing):
            positions.update((int(p), r) for p, r in self._rows.execute(
                f"SELECT position, root FROM {self._index.index.entries} WHERE root IN ({marks(chunk)})",
                chunk).all())
        for notification in sorted(self._index.index.stored(self._rows, positions), key=lambda n: n.id):
            loaded[positions[notification.id]].append(self._index._decode(notification))
        for root, entries in loaded.items():
            family = _Family({e.id: e for e in entries}, Amendments.among(entries))
            cache.keep(root, family)
            found[root] = family
        return found
