"""An index of the log's entries by the times that decide where they count.

The read model never loads the whole log: it asks this index which entries
can matter for a stretch of valid time or a range of knowledge, and loads
only those. One row per stored entry, written in the same transaction as the
entry (`store.recorders`):

- `root`: the event an amendment ultimately amends (itself, for an event).
  An event and every correction and retraction of it, at any depth, make one
  *family*: what is believed of the event depends on its family alone.
- `start`: an event's own valid time (the start of `occurred_at`); amendments
  have none, and the valid times a correction moves its target to go in the
  `moves` table.
- `touch`: the earliest valid time this entry can affect: an event's start;
  for an amendment, the earliest of its target's touch and any time it moves
  the target to. `family_touch` on a root row is the earliest touch in its
  family; it is lowered as amendments arrive (the only update: it only ever
  makes the read model more careful).
- `report_low`, `report_high`: the earliest and latest reporting times the
  entry carries (its own, and any a correction sets), so that "did this entry
  count at knowledge time K?" can only change where K crosses that range.
- `recorded`: system time, for `recorded_before` given as a time;
  `report_through`: the latest reporting time of any entry up to this one.

Two small tables answer "from which valid time can two knowledge levels
disagree?" without scanning every entry reported between them (a question
"as known" years ago is a level that differs from today's in most of the log):

- `report_days`: for each UTC day, the earliest family touch of any entry
  whose `report_high` falls on it (lowered when an amendment lowers a family's
  touch, as `family_touch` is), counting only the families the picture can
  see (`seen_families`: an event the fold does something with, or evidence
  another event rests on). Most of a log is observations and statements,
  and their late reports and corrections reach far back: a question "as
  known" in the past would otherwise find no checkpoint of today's that
  holds, although the picture is the same.
- `report_spans`: the few entries whose reporting times span more than an
  instant (`report_low` < `report_high`: a correction that moves a report),
  which may count at a level whatever day their `report_high` falls on.
- `report_touches`: by valid time, every time a version of a seen family
  starts at (and its touch), with each day an entry of the family was
  reported on: where, past a valid time, two levels next start to disagree
  (a fold that has come back to another level's checkpoint can jump ahead
  on it to there: `store.read_model`). `report_days` keeps the least.

Times are whole microseconds since the Unix epoch, so both dialects sort them
as integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.entry import Entry
from domain.errors import DomainError
from domain.times import TimePoint
from domain.vocabulary import EVENT_TYPES
from projections.picture import seen_by_picture
from store.database import Database, Rows, chunks, marks
from store.records import EntryRecorded

INDEX_VERSION = "4"  # 2: report_days and report_spans; 3: seen_families; 4: report_touches
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NEVER = 2**62  # later than any time: "knowing everything the log holds"
DAY = 86_400_000_000  # micros


def day_of(moment: int) -> int:
    """The UTC day (days since the epoch) of a time in micros."""
    return moment // DAY


def micros(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class Indexed:
    """What the index reads of an entry: its envelope, and the data of an amendment."""

    position: int
    id: UUID
    amends: UUID | None
    occurred: datetime
    reported: datetime
    recorded: datetime
    data: dict[str, Any]  # read only for amendments: the times a correction sets
    seen: bool  # can the picture see the event (`projections.picture.seen_by_picture`)?
    evidence: tuple[UUID, ...]  # the events it rests on

    @classmethod
    def of_entry(cls, entry: Entry) -> Indexed:
        amends = entry.payload.amended_event
        return cls(entry.position, entry.id, amends, entry.occurred_at.start, entry.reported_at.start,
                   entry.recorded_at, entry.payload.to_json() if amends else {},
                   seen_by_picture(entry.type, entry.incidents), entry.based_on)

    @classmethod
    def of_record(cls, record: EntryRecorded, position: int) -> Indexed:
        """Straight from the stored record, without checking the payload again
        (it was checked when stored): what makes a rebuild fast."""
        amends = UUID(record.data["target"]) if EVENT_TYPES[record.type].amends else None
        occurred = TimePoint.parse(record.occurred_at, "occurred_at").start
        reported = TimePoint.parse(record.reported_at, "reported_at").start
        return cls(position, record.originator_id, amends, occurred, reported, record.timestamp,
                   record.data if amends else {}, seen_by_picture(record.type, record.incidents),
                   tuple(UUID(i) for i in record.based_on))


@dataclass(frozen=True)
class IndexRow:
    position: int
    id: UUID
    root: UUID
    target: UUID | None
    start: int | None
    touch: int
    report_low: int
    report_high: int
    recorded: int
    moves: tuple[int, ...]  # valid times an amendment moves its target to


def index_row(item: Indexed, target: IndexRow | None) -> IndexRow:
    """The index row of an entry, given the row of the entry it amends."""
    reported = micros(item.reported)
    recorded = micros(item.recorded)
    if target is None:
        start = micros(item.occurred)
        return IndexRow(item.position, item.id, item.id, None, start, start, reported, reported, recorded, ())
    moved = tuple(sorted({micros(t) for t in _times_named(item.data, "occurred_at")}))
    reports = [reported, *(micros(t) for t in _times_named(item.data, "reported_at"))]
    return IndexRow(item.position, item.id, target.root, target.id, None, min((target.touch, *moved)),
                    min(reports), max(reports), recorded, moved)


def texts_named(data: Any, name: str) -> Iterator[str]:
    """Every text under `name` anywhere in an amendment's data (a correction of
    a correction carries the values it sets inside its own changes)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == name and isinstance(value, str):
                yield value
            else:
                yield from texts_named(value, name)


def _times_named(data: Any, name: str) -> Iterator[datetime]:
    """Every time under `name` anywhere in a correction's data (`texts_named`)."""
    for text in texts_named(data, name):
        try:
            yield TimePoint.parse(text, name).start
        except DomainError:
            continue


class EntryIndex:
    """The index's table, kept with the log, and the questions asked of it."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self.entries = database.table("entries")
        self.moves = database.table("moves")
        self.meta = database.table("meta")
        self.report_days = database.table("report_days")
        self.report_spans = database.table("report_spans")
        self.report_touches = database.table("report_touches")
        self.seen = database.table("seen_families")

    def create(self, rows: Rows) -> None:
        db = self.db
        # Index names are per schema on PostgreSQL and per file on SQLite: a prefix is enough.
        for statement in (
            f"CREATE TABLE IF NOT EXISTS {self.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"""CREATE TABLE IF NOT EXISTS {self.entries} (
                position {{int}} PRIMARY KEY, id TEXT NOT NULL UNIQUE, root TEXT NOT NULL, target TEXT,
                start {{int}}, touch {{int}} NOT NULL, family_touch {{int}} NOT NULL,
                report_low {{int}} NOT NULL, report_high {{int}} NOT NULL, report_through {{int}} NOT NULL,
                recorded {{int}} NOT NULL)""",
            f"CREATE INDEX IF NOT EXISTS incidentlog_entries_root ON {self.entries} (root)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_entries_start ON {self.entries} (start)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_entries_report ON {self.entries} (report_high)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_entries_recorded ON {self.entries} (recorded)",
            f"CREATE TABLE IF NOT EXISTS {self.moves} (start {{int}} NOT NULL, root TEXT NOT NULL, "
            f"position {{int}} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS incidentlog_moves_start ON {self.moves} (start)",
            f"CREATE TABLE IF NOT EXISTS {self.report_days} (day {{int}} PRIMARY KEY, touch {{int}} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.report_touches} (touch {{int}} NOT NULL, day {{int}} NOT NULL, "
            "PRIMARY KEY (touch, day))",
            f"CREATE TABLE IF NOT EXISTS {self.report_spans} (position {{int}} PRIMARY KEY, root TEXT NOT NULL, "
            "report_low {int} NOT NULL, report_high {int} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.seen} (root TEXT PRIMARY KEY)",
        ):
            rows.execute(db.ddl(statement))

    # --- Writing ------------------------------------------------------------

    def add(self, rows: Rows, items: Sequence[Indexed]) -> None:
        """Index newly stored entries, inside their transaction."""
        made: dict[UUID, IndexRow] = {}
        through = self._report_through(rows)
        inserts: list[tuple[Any, ...]] = []
        lowered: dict[UUID, int] = {}  # root -> the earliest touch its new amendments bring
        family: dict[UUID, int] = {}  # root -> its family touch, stored or new
        for item in sorted(items, key=lambda i: i.position):
            target = None
            if item.amends is not None:
                target = made.get(item.amends) or self._row(rows, item.amends, family)
                assert target is not None, "the write side refuses an amendment of an unknown event"
            row = made[item.id] = index_row(item, target)
            family[row.root] = min(row.touch, family.get(row.root, row.touch))
            through = max(through, row.report_high)
            inserts.append((row.position, row.id.hex, row.root.hex, row.target.hex if row.target else None,
                            row.start, row.touch, row.touch, row.report_low, row.report_high, through,
                            row.recorded))
            if target is not None:
                lowered[row.root] = min(row.touch, lowered.get(row.root, row.touch))
        seen, newly = self._seen_families(rows, items, made)
        fresh = {row.root for row in made.values() if row.target is None}  # nothing of theirs is stored yet
        older = self._report_days_of(rows, (newly | {root for root in lowered if root in seen}) - fresh, lowered)
        rows.executemany(
            f"INSERT INTO {self.entries} (position, id, root, target, start, touch, family_touch, report_low, "
            "report_high, report_through, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts)
        rows.executemany(f"UPDATE {self.entries} SET family_touch = ? WHERE id = ? AND family_touch > ?",
                         [(touch, root.hex, touch) for root, touch in lowered.items()])
        rows.executemany(f"INSERT INTO {self.moves} (start, root, position) VALUES (?, ?, ?)",
                         [(moved, row.root.hex, row.position) for row in made.values() for moved in row.moves])
        rows.executemany(f"INSERT INTO {self.seen} (root) VALUES (?)", [(root.hex,) for root in sorted(newly)])
        self._add_report_days(rows, [row for row in made.values() if row.root in seen], family, older)

    def _seen_families(self, rows: Rows, items: Sequence[Indexed],
                       made: dict[UUID, IndexRow]) -> tuple[set[UUID], set[UUID]]:
        """Of the families these entries belong to or rest on, those the picture
        can see (an event it sees, or evidence another event rests on), and
        those it sees from now on. Seeing is for good: a family once seen stays."""
        evidence = {i for item in items for i in item.evidence}
        roots = {made[i].root for i in evidence if i in made}
        roots |= {UUID(root) for root in self.roots_of(rows, [i for i in evidence if i not in made])}
        now = roots | {made[item.id].root for item in items if item.amends is None and item.seen}
        asked = sorted(r.hex for r in now | {row.root for row in made.values()})
        already: set[UUID] = set()
        for chunk in chunks(asked):
            already |= {UUID(r[0]) for r in rows.execute(
                f"SELECT root FROM {self.seen} WHERE root IN ({marks(chunk)})", chunk).all()}
        return already | now, now - already

    def _report_days_of(self, rows: Rows, roots: set[UUID], lowered: dict[UUID, int]) -> set[tuple[int, int]]:
        """The days the stored entries of these families were reported on, each
        with the family's touch (lowered by the new entries) and every valid
        time a stored version starts at: a family seen from now on, or one
        whose touch came down, must count on those days."""
        pairs: set[tuple[int, int]] = set()
        for root in sorted(roots):
            times = {*self._family_times(rows, [root.hex]), lowered.get(root, NEVER)} - {NEVER}
            for (high,) in rows.execute(f"SELECT report_high FROM {self.entries} WHERE root = ?",
                                        (root.hex,)).all():
                pairs |= {(day_of(int(high)), t) for t in times}
        return pairs

    def _add_report_days(self, rows: Rows, made: Iterable[IndexRow], family: dict[UUID, int],
                         older: set[tuple[int, int]]) -> None:
        """Keep `report_days`, `report_touches` and `report_spans` with the new
        rows of families the picture sees (see the module's notes). A touch a
        family no longer has stays in `report_touches`: it only ever makes a
        jump stop short."""
        pairs = set(older)
        for row in made:
            # An amendment changes which version counts: every time any version
            # starts at is where levels on either side of it can disagree.
            times = {family[row.root], *self._family_times(rows, [row.root.hex])} if row.target is not None \
                else {family[row.root], *([] if row.start is None else [row.start])}
            pairs |= {(day_of(row.report_high), t) for t in times}
        earliest: dict[int, int] = {}
        for day, touch in pairs:
            earliest[day] = min(touch, earliest.get(day, NEVER))
        rows.executemany(
            f"INSERT INTO {self.report_touches} (touch, day) VALUES (?, ?) ON CONFLICT (touch, day) DO NOTHING",
            sorted((touch, day) for day, touch in pairs))
        rows.executemany(
            f"INSERT INTO {self.report_days} AS d (day, touch) VALUES (?, ?) ON CONFLICT (day) DO UPDATE "
            "SET touch = CASE WHEN excluded.touch < d.touch THEN excluded.touch ELSE d.touch END",
            sorted(earliest.items()))
        rows.executemany(
            f"INSERT INTO {self.report_spans} (position, root, report_low, report_high) VALUES (?, ?, ?, ?)",
            [(row.position, row.root.hex, row.report_low, row.report_high) for row in made
             if row.report_low < row.report_high])

    def _row(self, rows: Rows, event_id: UUID, family: dict[UUID, int]) -> IndexRow | None:
        """The stored row of `event_id`; notes its family's touch in `family`."""
        found = rows.execute(f"SELECT position, root, touch, report_low, report_high, recorded, target, start, "
                             f"(SELECT family_touch FROM {self.entries} r WHERE r.id = e.root) "
                             f"FROM {self.entries} e WHERE id = ?", (event_id.hex,)).one()
        if found is None:
            return None
        position, root, touch, low, high, recorded, target, start, family_touch = found
        family[UUID(root)] = min(int(family_touch), family.get(UUID(root), NEVER))
        return IndexRow(position, event_id, UUID(root), UUID(target) if target else None, start, touch,
                        low, high, recorded, ())

    def _report_through(self, rows: Rows) -> int:
        last = rows.execute(f"SELECT report_through FROM {self.entries} ORDER BY position DESC LIMIT 1").one()
        return int(last[0]) if last else -NEVER

    # --- Reading ------------------------------------------------------------

    def head(self, rows: Rows) -> int:
        found = rows.execute(f"SELECT MAX(position) FROM {self.entries}").one()
        return int(found[0]) if found and found[0] is not None else 0

    def position_at(self, rows: Rows, bound: int) -> int:
        """The last position at or before `bound`."""
        found = rows.execute(f"SELECT MAX(position) FROM {self.entries} WHERE position <= ?", (bound,)).one()
        return int(found[0]) if found and found[0] is not None else 0

    def position_recorded_by(self, rows: Rows, moment: datetime) -> int:
        """The last position recorded at or before `moment` (system time only runs forwards)."""
        found = rows.execute(f"SELECT MAX(position) FROM {self.entries} WHERE recorded <= ?",
                             (micros(moment),)).one()
        return int(found[0]) if found and found[0] is not None else 0

    def reported_through(self, rows: Rows, position: int) -> int:
        """The latest reporting time any entry up to `position` carries."""
        found = rows.execute(f"SELECT report_through FROM {self.entries} WHERE position <= ? "
                             "ORDER BY position DESC LIMIT 1", (position,)).one()
        return int(found[0]) if found else -NEVER

    def earliest_touch_between(self, rows: Rows, positions: tuple[int, int] | None,
                               reports: tuple[int, int] | None, cap: int = 20_000) -> int:
        """The earliest valid time any family touches, among families with an
        entry stored in the position range (lo, hi] or carrying a reporting time
        in (lo, hi]: what two knowledge levels can disagree about starts there
        (NEVER: nothing). It may answer earlier than that, never later: an
        earlier start only costs a longer carry. Past `cap` entries stored
        between the positions the answer is "from the beginning" (-NEVER)."""
        earliest = NEVER
        if positions is not None and positions[0] < positions[1]:
            found = rows.execute(
                f"SELECT COUNT(*), MIN(r.family_touch) FROM (SELECT d.root FROM {self.entries} d "
                f"WHERE d.position > ? AND d.position <= ? LIMIT ?) w JOIN {self.entries} r ON r.id = w.root",
                (*positions, cap + 1)).one()
            if found is not None and found[0] is not None:
                if int(found[0]) > cap:
                    return -NEVER
                if found[1] is not None:
                    earliest = int(found[1])
        if reports is not None and reports[0] < reports[1]:
            low, high = reports
            # Entries reported in (low, high] fall on these days (and a few
            # reported earlier the first day: counting them is only careful) ...
            by_day = rows.execute(f"SELECT MIN(touch) FROM {self.report_days} WHERE day >= ? AND day <= ?",
                                  (day_of(low), day_of(min(high, NEVER - 1)))).one()
            # ... but an entry whose reports span `high` counts too.
            spanning = rows.execute(
                f"SELECT MIN(r.family_touch) FROM {self.report_spans} s JOIN {self.seen} f ON f.root = s.root "
                f"JOIN {self.entries} r ON r.id = s.root WHERE s.report_low <= ? AND s.report_high > ?",
                (high, high)).one()
            for found in (by_day, spanning):
                if found is not None and found[0] is not None:
                    earliest = min(earliest, int(found[0]))
        return earliest

    def next_touch_reported_between(self, rows: Rows, reports: tuple[int, int], after: int) -> int:
        """The earliest valid time after `after` at which any version of a
        family the picture sees, reported in (lo, hi], starts: past `after`,
        two levels that differ by those reports next disagree there (NEVER:
        nowhere). Like `earliest_touch_between`, never later than that."""
        low, high = reports
        if low >= high:
            return NEVER
        by_day = rows.execute(f"SELECT MIN(touch) FROM {self.report_touches} WHERE touch > ? AND day >= ? "
                              "AND day <= ?", (after, day_of(low), day_of(min(high, NEVER - 1)))).one()
        spanning = {r[0] for r in rows.execute(
            f"SELECT s.root FROM {self.report_spans} s JOIN {self.seen} f ON f.root = s.root "
            "WHERE s.report_low <= ? AND s.report_high > ?", (high, high)).all()}
        times = [int(by_day[0])] if by_day is not None and by_day[0] is not None else []
        times += [t for t in self._family_times(rows, spanning) if t > after]
        return min(times, default=NEVER)

    def _family_times(self, rows: Rows, roots: Iterable[str]) -> list[int]:
        """Every valid time a version of these families starts at, and their touch."""
        found: list[int] = []
        for chunk in chunks(sorted(roots)):
            found += [int(r[0]) for r in rows.execute(
                f"SELECT start FROM {self.entries} WHERE id IN ({marks(chunk)}) AND start IS NOT NULL "
                f"UNION ALL SELECT family_touch FROM {self.entries} WHERE id IN ({marks(chunk)}) "
                f"UNION ALL SELECT start FROM {self.moves} WHERE root IN ({marks(chunk)})",
                (*chunk, *chunk, *chunk)).all()]
        return found

    def roots_starting_between(self, rows: Rows, after: int, until: int, position: int) -> set[str]:
        """Families whose event, or a version of it, starts in (after, until]."""
        own = rows.execute(f"SELECT root FROM {self.entries} WHERE start > ? AND start <= ? AND position <= ?",
                           (after, until, position)).all()
        moved = rows.execute(f"SELECT root FROM {self.moves} WHERE start > ? AND start <= ? AND position <= ?",
                             (after, until, position)).all()
        return {r[0] for r in own} | {r[0] for r in moved}

    def span_after(self, rows: Rows, after: int) -> tuple[int, int, int] | None:
        """(head, earliest, latest) over the entries stored after position
        `after`: the valid times events start at, as first told or as a
        correction moves them, and every reporting time the entries carry
        (None: nothing stored after it). One pass over the index, never the log."""
        found = rows.execute(f"SELECT MAX(position), MIN(start), MAX(start), MIN(report_low), MAX(report_high) "
                             f"FROM {self.entries} WHERE position > ?", (after,)).one()
        if found is None or found[0] is None:
            return None
        moved = rows.execute(f"SELECT MIN(start), MAX(start) FROM {self.moves} WHERE position > ?", (after,)).one()
        times = [int(t) for t in (*found[1:], *(moved or ())) if t is not None]
        return int(found[0]), min(times), max(times)

    def last_start(self, rows: Rows, position: int) -> int | None:
        """The latest valid time any event, or a version of it, up to `position` starts at."""
        found = [rows.execute(f"SELECT MAX(start) FROM {table} WHERE position <= ?", (position,)).one()
                 for table in (self.entries, self.moves)]
        starts = [int(f[0]) for f in found if f is not None and f[0] is not None]
        return max(starts, default=None)

    def starting_between(self, rows: Rows, after: int, until: int, position: int, enough: int) -> int:
        """How many events start in (after, until], counting no further than `enough`."""
        found = rows.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.entries} WHERE start > ? AND start <= ? "
                             "AND position <= ? LIMIT ?) w", (after, until, position, enough)).one()
        return int(found[0]) if found else 0

    def with_id_prefix(self, rows: Rows, prefix: str, limit: int) -> list[int]:
        """The first `limit` positions, in log order, of entries whose id (hexadecimal) starts `prefix`."""
        return [int(r[0]) for r in rows.execute(
            f"SELECT position FROM {self.entries} WHERE id >= ? AND id < ? ORDER BY position LIMIT ?",
            (prefix, prefix + "g", limit)).all()]

    def roots_of(self, rows: Rows, ids: Iterable[UUID]) -> set[str]:
        wanted = [i.hex for i in ids]
        found: set[str] = set()
        for chunk in chunks(wanted):
            found |= {r[0] for r in rows.execute(
                f"SELECT root FROM {self.entries} WHERE id IN ({marks(chunk)})", chunk).all()}
        return found

    def earliest_report_seen(self, rows: Rows, after: int, through: int) -> int | None:
        """The earliest reporting time carried by an entry stored in the
        positions (after, through] of a family the picture sees (None: no
        such entry)."""
        found = rows.execute(
            f"SELECT MIN(e.report_low) FROM {self.entries} e JOIN {self.seen} s ON s.root = e.root "
            "WHERE e.position > ? AND e.position <= ?", (after, through)).one()
        return None if found is None or found[0] is None else int(found[0])

    def sees_any(self, rows: Rows, roots: Iterable[str]) -> bool:
        """Does the picture see any of these families (`seen_families`)?"""
        return any(rows.execute(f"SELECT 1 FROM {self.seen} WHERE root IN ({marks(chunk)}) LIMIT 1", chunk).one()
                   for chunk in chunks(sorted(roots)))

    def seen_roots(self, rows: Rows) -> list[str]:
        """Every family the picture sees (`seen_families`)."""
        return [str(r[0]) for r in rows.execute(f"SELECT root FROM {self.seen}").all()]

    def family_positions(self, rows: Rows, roots: Iterable[str], position: int) -> list[int]:
        """Where every stored entry (up to `position`) of the given families is."""
        found: list[int] = []
        for chunk in chunks(sorted(roots)):
            found += [int(r[0]) for r in rows.execute(
                f"SELECT position FROM {self.entries} WHERE root IN ({marks(chunk)}) AND position <= ?",
                (*chunk, position)).all()]
        return found

    def stored(self, rows: Rows, positions: Iterable[int]) -> list[Notification]:
        """The entries at these positions, as the event store holds them."""
        db = self.db
        found: list[Notification] = []
        for chunk in chunks(sorted(positions)):
            for stored in rows.execute(
                    f"SELECT {db.position_column}, originator_id, originator_version, topic, state "
                    f"FROM {db.events_table} WHERE {db.position_column} IN ({marks(chunk)})", chunk).all():
                notification_id, originator, version, topic, state = stored
                found.append(Notification(id=notification_id, originator_id=UUID(str(originator)),
                                          originator_version=version, topic=topic, state=bytes(state)))
        return found

    def count(self, rows: Rows) -> int:
        found = rows.execute(f"SELECT COUNT(*) FROM {self.entries}").one()
        return int(found[0]) if found else 0

    def version(self, rows: Rows) -> str | None:
        found = rows.execute(f"SELECT value FROM {self.meta} WHERE key = 'entry_index'").one()
        return str(found[0]) if found else None

    def set_version(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.meta} WHERE key = 'entry_index'")
        rows.execute(f"INSERT INTO {self.meta} (key, value) VALUES ('entry_index', ?)", (INDEX_VERSION,))

    def clear(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.entries}")
        rows.execute(f"DELETE FROM {self.moves}")
        rows.execute(f"DELETE FROM {self.report_days}")
        rows.execute(f"DELETE FROM {self.report_spans}")
        rows.execute(f"DELETE FROM {self.report_touches}")
        rows.execute(f"DELETE FROM {self.seen}")
