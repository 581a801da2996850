"""The read model: station pictures answered from the database, not from a
fold of the whole log in every process.

Two kinds of rows live beside the events:

- the entry index (`store.entry_index`), one row per entry, written in the
  same transaction as the entry;
- checkpoints: the fold stopped at the end of a UTC day (`projections.
  checkpoints`), stored as JSON with the knowledge level it was folded at:
  `known_level` (a `known_at`, or NEVER for "everything the log held") and
  `position` (the log's head then).

A question at (`as_of`, `known_at`, `recorded_before`) takes the latest
checkpoint that is sure to hold what a fold at that horizon would have by the
checkpoint's day: two knowledge levels can only disagree about a family of
entries that was stored between their positions, or carries a reporting time
between their `known_at`s, and only from the earliest valid time that family
touches. It then loads just the entries that count after the checkpoint, up
to `as_of`, in slices of a bounded size, and carries the fold on. Folds that
cross many days leave new checkpoints behind, so the next question starts
closer. The result is, by construction, the fold of the whole log (the
reference, `projections.state.project`); a property test holds it to that.

One vehicle or crew member asked by id, and the stations' capacity, are read
rather than folded, from rows `prepare` keeps at the log's end:

- `view_versions`: each view after every fact that changed it, as known now
  (`projections.versions`);
- `view_levels`: each view at every knowledge level, from the first instant
  it differs from the level before (`projections.knowledge_levels`), for a
  past `known_at`.

Appends that are news (facts counting after everything folded, reported
after everything stored) carry both on in their own transaction
(`store.view_upkeep`), and each series says the position it holds through.
Both answer only while nothing stored between that position and the
question's touches valid time at or before its `as_of`: after a back-dated
event, the fold answers from its time on, until the next `prepare`.

Checkpoints and the rows of views are a cache of the fold: they carry a
`shape`, a fingerprint of the code that folds, and rows of another shape are
never used (they are deleted when the store opens). `incidentlog projections
rebuild` drops and rebuilds the index, the checkpoints and the views.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.util
import itertools
import json
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import structlog
from eventsourcing.persistence import Notification, PersistenceError

from domain.entry import Entry
from domain.order import ValidTimeOrder
from projections import knowledge_levels, picture_codec, versions
from projections.capacity import seats_against_crew, station_capacity
from projections.checkpoints import carry, day_end
from projections.history import changes_from_versions
from projections.horizon import Horizon, beliefs, timed_in_valid_time
from projections.knowledge_levels import KnowledgeLevels, LevelRow
from projections.picture import CrewPlan, Part, Picture, VehicleStatus, derive_return_crews, evolve
from projections.state import StationsAt, StationState, ViewAt
from projections.versions import Versions
from store import entry_index
from store.database import Database, Rows, chunks
from store.entry_index import NEVER, EntryIndex, Indexed, from_micros, micros
from store.records import EntryRecorded

READ_MODEL_VERSION = "1"
CHECKPOINT_EVERY = 200  # facts folded between two stored checkpoints
ENTRY_CACHE = 30_000  # decoded entries a process keeps (decoding costs more than reading; memory stays bounded)
SERIES_TRIED = 6  # knowledge levels looked at for a checkpoint, the likeliest first
LEVELS_REMEMBERED = 64
CHECKPOINTS_PER_SERIES = 200  # at most, about: the spacing grows with the log
REACH = 2000  # facts left to carry past which folding the whole log, when held, is cheaper ...
REACH_PART = 4  # ... or this part of the log, if more
SLICE = 5000  # entries loaded at a time when carrying a fold far
SERIES_KEPT = 16  # knowledge levels with checkpoints kept; the least recently made go first
VERSION_COLUMNS = {"shape", "series", "kind", "view", "valid_from", "seq", "event", "body"}
SERIES_COLUMNS = {"version_series": {"shape", "series", "starts", "through", "last_counted", "made"},
                  "level_series": {"shape", "series", "through"}}
LEVEL_COLUMNS = {"shape", "series", "kind", "view", "level", "valid_from", "seq", "event", "body"}
VERSION_SERIES_KEPT = 3  # series of view versions kept, the latest; each answers until the log differs
LEVEL_ROWS_AT_ONCE = 5000  # rows of the knowledge levels written in one statement
LATEST_AT_ONCE = 500  # views read in one statement, a seek each
EVERY_MOMENT = datetime.max.replace(tzinfo=UTC)
LOOKBACK = timedelta(days=60)  # how far before a question a level far from every checkpoint keeps some

log = structlog.get_logger("incidentlog.read_model")
Decode = Callable[[Notification], Entry]


class Beside(Protocol):
    """Tables derived from the stored records, rebuilt with the index."""

    def clear(self, rows: Rows) -> None: ...

    def add_records(self, rows: Rows, records: Sequence[tuple[EntryRecorded, int]]) -> None: ...

    def set_version(self, rows: Rows) -> None: ...


# The modules whose code decides what a checkpoint or a view row holds.
SHAPED_BY = ("domain.corrections", "domain.entry", "domain.order", "domain.times", "domain.vocabulary",
             "projections.picture", "projections.horizon", "projections.checkpoints", "projections.picture_codec",
             "projections.versions", "projections.knowledge_levels", "store.entry_index", "store.view_upkeep",
             __name__)


@functools.cache  # the same for the life of the process: read the sources once, not per store opened
def _fingerprint() -> str:
    """Checkpoints hold a fold's result: any change to the code that folds must
    stop old ones from being used. The sources are read as files, not
    imported: `store.view_upkeep` builds on this module."""
    digest = hashlib.sha256(READ_MODEL_VERSION.encode())
    for name in SHAPED_BY:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class _Level:
    """A knowledge level: what `known_at` and `recorded_before` let in."""

    known: int  # micros, or NEVER: everything up to `position` was reported by then
    position: int


class ReadModel:
    def __init__(self, database: Database, decode: Decode, record: Callable[[Notification], EntryRecorded]) -> None:
        self.db = database
        self.index = EntryIndex(database)
        self.checkpoints = database.table("checkpoints")
        self.versions = database.table("view_versions")
        self.version_series = database.table("version_series")
        self.levels = database.table("view_levels")
        self.level_series = database.table("level_series")
        self._decode, self._record = decode, record
        self.shape = _fingerprint()
        # How often to keep a checkpoint, how much to load at a time, and how
        # far to carry before folding the log instead; tests make them tiny, so
        # that every answer crosses checkpoints and slices.
        self.every, self.slice, self.reach = CHECKPOINT_EVERY, SLICE, REACH
        self._cache: dict[int, Entry] = {}  # by position; the oldest go first
        self._asked: dict[_Level, None] = {}  # knowledge levels asked lately, oldest first

    # --- Keeping it -----------------------------------------------------------

    def create(self, rows: Rows) -> None:
        self.index.create(rows)
        rows.execute(self.db.ddl(
            f"CREATE TABLE IF NOT EXISTS {self.checkpoints} (id {{serial}}, shape TEXT NOT NULL, "
            "known_level {int} NOT NULL, position {int} NOT NULL, valid_through {int} NOT NULL, "
            "folded {int} NOT NULL, picture {blob} NOT NULL)"))
        rows.execute(f"CREATE INDEX IF NOT EXISTS incidentlog_checkpoints_level ON {self.checkpoints} "
                     "(shape, known_level, position, valid_through)")
        self._drop_other_shapes(rows, self.checkpoints)
        # Versions of each view "as known now", kept by `prepare`: `series` is
        # the log position they were folded at, `starts` the valid time from
        # which the series holds every view (the checkpoint it started from),
        # `through` the position they hold through (carried on by appends that
        # are news: `store.view_upkeep`), `last_counted` the latest valid time
        # a fact folded counts from and `made` the latest version's `seq`.
        # A table of other columns (made by an earlier shape) goes: its rows
        # are a cache, never read by another shape.
        for name, table, columns in (("view_versions", self.versions, VERSION_COLUMNS),
                                     ("view_levels", self.levels, LEVEL_COLUMNS),
                                     *((name, self.db.table(name), columns) for name, columns in
                                       SERIES_COLUMNS.items())):
            existing = self.db.columns(rows, name)
            if existing and not columns.issubset(existing):
                rows.execute(f"DROP TABLE {table}")
        rows.execute(self.db.ddl(
            f"CREATE TABLE IF NOT EXISTS {self.version_series} (shape TEXT NOT NULL, series {{int}} NOT NULL, "
            "starts {int} NOT NULL, through {int} NOT NULL, last_counted {int} NOT NULL, made {int} NOT NULL, "
            "PRIMARY KEY (shape, series))"))
        rows.execute(self.db.ddl(
            f"CREATE TABLE IF NOT EXISTS {self.versions} (shape TEXT NOT NULL, series {{int}} NOT NULL, "
            "kind TEXT NOT NULL, view TEXT NOT NULL, valid_from {int} NOT NULL, seq {int} NOT NULL, "
            "event TEXT, body TEXT NOT NULL)"))
        rows.execute(f"CREATE INDEX IF NOT EXISTS incidentlog_view_versions_seek ON {self.versions} "
                     "(shape, series, kind, view, valid_from, seq)")
        # The same views at every knowledge level (`projections.knowledge_levels`),
        # for questions at a past `known_at`: a series is whole once its
        # `level_series` row is written, and only the latest is kept.
        rows.execute(self.db.ddl(
            f"CREATE TABLE IF NOT EXISTS {self.level_series} (shape TEXT NOT NULL, series {{int}} NOT NULL, "
            "through {int} NOT NULL, PRIMARY KEY (shape, series))"))
        rows.execute(self.db.ddl(
            f"CREATE TABLE IF NOT EXISTS {self.levels} (shape TEXT NOT NULL, series {{int}} NOT NULL, "
            "kind TEXT NOT NULL, view TEXT NOT NULL, level {int} NOT NULL, valid_from {int} NOT NULL, "
            "seq {int} NOT NULL, event TEXT, body TEXT)"))
        rows.execute(f"CREATE INDEX IF NOT EXISTS incidentlog_view_levels_seek ON {self.levels} "
                     "(shape, series, kind, view, level, valid_from, seq)")
        for table in (self.version_series, self.versions, self.level_series, self.levels):
            self._drop_other_shapes(rows, table)

    def _drop_other_shapes(self, rows: Rows, table: str) -> None:
        """Delete the rows of other shapes, if there are any: two seeks on the
        index that starts with `shape` say so, where a plain `shape <> ?`
        reads the whole table (millions of rows, at every start)."""
        for other in ("<", ">"):
            if rows.execute(f"SELECT 1 FROM {table} WHERE shape {other} ? LIMIT 1", (self.shape,)).one():
                rows.execute(f"DELETE FROM {table} WHERE shape {other} ?", (self.shape,))

    def add(self, rows: Rows, entries: list[Entry]) -> None:
        """Index newly stored entries, inside the transaction that stores them."""
        self.index.add(rows, [Indexed.of_entry(e) for e in entries])

    def clear(self, rows: Rows) -> None:
        self.index.clear(rows)
        for table in (self.checkpoints, self.version_series, self.versions, self.level_series, self.levels):
            rows.execute(f"DELETE FROM {table}")

    def behind(self, head: int) -> bool:
        """Does the index lack entries the log holds (a store from before the
        read model), or have another shape?"""
        with self.db.reading() as rows:
            return self.index.version(rows) != entry_index.INDEX_VERSION or self.index.head(rows) < head

    def index_log(self, pages: Iterator[list[Notification]], progress: Callable[[int], None] | None = None,
                  beside: Sequence[Beside] = ()) -> int:
        """Index the whole log again, in one transaction: readers see the old
        index or the new one, never half of it. `beside`, other tables derived
        from the records (the write side's, the mentions), is rebuilt in the
        same pass and transaction, after the index (they read roots there).
        Returns the entries indexed."""
        done = 0
        with self.db.writing() as rows:
            self.clear(rows)
            for other in beside:
                other.clear(rows)
            for page in pages:
                records = [(self._record(n), n.id) for n in page]
                self.index.add(rows, [Indexed.of_record(record, position) for record, position in records])
                for other in beside:
                    other.add_records(rows, records)
                done += len(page)
                if progress is not None:
                    progress(len(page))
            self.index.set_version(rows)
            for other in beside:
                other.set_version(rows)
        return done

    def prepare(self, progress: Callable[[int], None] | None = None) -> int:
        """Carry the "as known now" series of checkpoints to the end of the log,
        keeping a version of each vehicle and crew member on the way.

        Without it the first question after an import or a rebuild folds the
        log from its start, and so does every question at a level no
        checkpoint holds for. The series starts from its latest checkpoint
        that still holds (after a small import, near the end), goes a slice at
        a time and stores each slice's checkpoints and versions as it goes:
        memory holds one picture and one slice. Questions at other knowledge
        levels start from it too, before what their level disagrees about;
        questions about one view "as known now" are answered from the versions
        (`view_at`). `progress` gets the facts folded. Returns how many.
        """
        with self.db.reading() as rows:
            level = _Level(NEVER, self.index.head(rows))
            reach = self._end(rows, level.position)
            if reach is None:
                return 0
            until, start, base = reach
            kept = rows.execute(f"SELECT starts FROM {self.version_series} WHERE shape = ? AND through = ?",
                                (self.shape, level.position)).one()
        bounded = Horizon(until, EVERY_MOMENT, level.position)
        known = KnownAt(self, bounded)
        folded = base or Picture()
        every = max(self.every, level.position // CHECKPOINTS_PER_SERIES)
        done = 0
        made: list[tuple[datetime, bytes, int]] = []

        def keep(day: datetime, now: Picture, count: int) -> None:
            made.append((day, _packed(now), count))

        # A series of versions holding through this position already holds every view.
        watched = None if kept is not None else Versions(folded)
        if watched is not None:
            self._start_versions(level.position)
            if start is not None:
                watched.restate(start)
        counted = micros(start) if start is not None else -NEVER  # the latest time a fact folded counts from

        def each(counted_from: datetime, fact: Entry) -> None:
            nonlocal counted
            counted = max(counted, micros(counted_from))
            if watched is not None:
                watched.after(counted_from, fact)

        try:
            for after, end in self._slices(start, until, level.position):
                facts = self._facts(after, end, bounded, known)
                carry(folded, facts, keep, every, end, each=each)
                if made:  # stored slice by slice: memory holds one slice's checkpoints, not the series
                    self._store(made, level)
                    made.clear()
                if watched is not None:
                    self._store_versions(level.position, watched.take())
                done += len(facts)
                if progress is not None:
                    progress(len(facts))
        finally:
            if watched is not None:
                watched.close()
        if watched is not None:
            self._store_versions(level.position, watched.take(),
                                 whole=(micros(start) if start else -NEVER, counted, watched.made))
        return done + self._prepare_levels(level.position, progress)

    def _prepare_levels(self, series: int, progress: Callable[[int], None] | None) -> int:
        """Keep the views at every knowledge level of the log up to `series`
        (unless kept already), from the families the picture sees: their
        entries are all the build holds. Returns the levels gone through.

        The rows of the levels before the earliest time an entry stored
        since the last series was reported (`report_low`, of a family the
        picture sees) are that series' own: nothing stored since is known
        at them. They are copied, those levels are gone through as one (the
        fold made once), and only the levels from that time on are worked
        out again: after a back-dated event reported today, those of today."""
        with self.db.reading() as rows:
            if rows.execute(f"SELECT 1 FROM {self.level_series} WHERE shape = ? AND through = ?",
                            (self.shape, series)).one() is not None:
                return 0
            roots = self.index.seen_roots(rows)
            positions = self.index.family_positions(rows, roots, series)
            last = rows.execute(f"SELECT series, through FROM {self.level_series} WHERE shape = ? AND series < ? "
                                "ORDER BY series DESC LIMIT 1", (self.shape, series)).one()
            since = None if last is None else self.index.earliest_report_seen(rows, int(last[1]), series)
        with self.db.writing() as rows:  # rows a crash left behind at this position
            rows.execute(f"DELETE FROM {self.levels} WHERE shape = ? AND series = ?", (self.shape, series))
            if last is not None:  # all of them when nothing the picture sees was stored since
                rows.execute(
                    f"INSERT INTO {self.levels} (shape, series, kind, view, level, valid_from, seq, event, body) "
                    f"SELECT shape, ?, kind, view, level, valid_from, seq, event, body FROM {self.levels} "
                    "WHERE shape = ? AND series = ? AND level < ?",
                    (series, self.shape, int(last[0]), NEVER if since is None else since))
        if last is not None and since is None:
            positions = []  # no level to go through again
        positions.sort()
        entries: list[Entry] = []
        for at in range(0, len(positions), self.slice):
            with self.db.reading() as rows:
                stored = self.index.stored(rows, positions[at:at + self.slice])
            entries += [self._decode(n) for n in sorted(stored, key=lambda n: n.id)]
        levels = KnowledgeLevels(entries)
        del entries
        after = None if last is None or since is None else from_micros(since - 1)
        made: list[LevelRow] = []
        told = 0

        def store() -> None:
            nonlocal told
            with self.db.writing() as rows:
                rows.executemany(
                    f"INSERT INTO {self.levels} (shape, series, kind, view, level, valid_from, seq, event, body) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(self.shape, series, r.kind, r.view, micros(r.level), micros(r.valid_from), r.seq,
                      str(r.event) if r.event else None, r.body) for r in made])
            made.clear()
            if progress is not None:
                progress(levels.gone_through - told)
                told = levels.gone_through

        for row in levels.rows(after):
            made.append(row)
            if len(made) >= LEVEL_ROWS_AT_ONCE:
                store()
        store()
        with self.db.writing() as rows:
            rows.execute(f"INSERT INTO {self.level_series} (shape, series, through) VALUES (?, ?, ?)",
                         (self.shape, series, series))
            for (old,) in rows.execute(f"SELECT series FROM {self.level_series} WHERE shape = ? AND series < ?",
                                       (self.shape, series)).all():
                for table in (self.level_series, self.levels):
                    rows.execute(f"DELETE FROM {table} WHERE shape = ? AND series = ?", (self.shape, old))
        return levels.gone_through

    def _start_versions(self, series: int) -> None:
        """Make room for a series of versions: rows a crash left behind at this
        position go (without its `version_series` row they were never read)."""
        with self.db.writing() as rows:
            rows.execute(f"DELETE FROM {self.versions} WHERE shape = ? AND series = ?", (self.shape, series))

    def _store_versions(self, series: int, made: list[versions.Version],
                        whole: tuple[int, int, int] | None = None) -> None:
        """Store versions; with `whole` (its `starts`, `last_counted` and
        `made`), the series is whole and is read from now on, and the oldest
        series beyond VERSION_SERIES_KEPT go."""
        with self.db.writing() as rows:
            rows.executemany(
                f"INSERT INTO {self.versions} (shape, series, kind, view, valid_from, seq, event, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(self.shape, series, kind, view, micros(at), seq, str(fact) if fact else None, value.text)
                 for kind, view, at, seq, fact, value in made])
            if whole is None:
                return
            rows.execute(f"INSERT INTO {self.version_series} (shape, series, starts, through, last_counted, made) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (self.shape, series, whole[0], series, *whole[1:]))
            old = rows.execute(f"SELECT series FROM {self.version_series} WHERE shape = ? ORDER BY series DESC",
                               (self.shape,)).all()[VERSION_SERIES_KEPT:]
            for (gone,) in old:
                for table in (self.version_series, self.versions):
                    rows.execute(f"DELETE FROM {table} WHERE shape = ? AND series = ?", (self.shape, gone))

    def end_picture(self, position: int) -> Picture:
        """The fold of everything stored through `position`, as known now,
        carried from its latest checkpoint (what appends carry the views on
        from: `store.view_upkeep`)."""
        with self.db.reading() as rows:
            reach = self._end(rows, position)
        if reach is None:
            return Picture()
        until, start, base = reach
        bounded = Horizon(until, EVERY_MOMENT, position)
        known = KnownAt(self, bounded)
        folded = base or Picture()
        for after, end in self._slices(start, until, position):
            carry(folded, self._facts(after, end, bounded, known))
        return folded

    def _end(self, rows: Rows, position: int) -> tuple[datetime, datetime | None, Picture | None] | None:
        """Where every fact stored through `position` counts by (the end of the
        day the latest starts), and the latest checkpoint "as known now"
        that holds by then, to carry from (None: nothing stored)."""
        last = self.index.last_start(rows, position)
        if last is None:
            return None
        until = day_end(from_micros(last))
        return until, *self._checkpoint(rows, micros(until), _Level(NEVER, position))

    def views_status(self) -> dict[str, Any]:
        """How far the views `prepare` kept hold, for an operator: for the
        versions ("as known now") and the levels (a past `known_at`), the
        position each holds through and, when the log has gone on since
        without them (a back-dated event), the valid time from which the
        fold answers instead (`fold_from`: ISO text, "the beginning" when
        it cannot say later; None while they are current)."""
        status: dict[str, Any] = {}
        with self.db.reading() as rows:
            head = status["head"] = self.index.head(rows)
            for name, table in (("versions", self.version_series), ("levels", self.level_series)):
                found = rows.execute(f"SELECT through FROM {table} WHERE shape = ? ORDER BY series DESC LIMIT 1",
                                     (self.shape,)).one()
                if found is None:
                    status[name] = None  # never prepared, or of another shape: the fold answers
                    continue
                through = int(found[0])
                touch = self.index.earliest_touch_between(rows, (through, head), None) if through < head else NEVER
                status[name] = {"through": through, "fold_from": None if touch >= NEVER else
                                "the beginning" if touch <= -NEVER else from_micros(touch).isoformat()}
        return status

    # --- Answering ------------------------------------------------------------

    def state(self, query: Horizon, everything: Callable[[], list[Entry] | None] | None = None) -> StationState:
        """The station as `project(whole log, query)` would give it.

        From the latest checkpoint that holds, carried on over the entries that
        count after it, loaded from the database a slice at a time. When more
        than `reach` facts are left to carry (a question at a knowledge level
        far from every checkpoint's: see the module's notes) and the caller can
        give the whole log (`everything`, None when it will not hold it),
        folding it is the cheaper way: the database would have to decode most
        of it anyway.
        """
        with self.db.reading() as rows:
            level = self._level(rows, query)
            start, base = self._checkpoint(rows, micros(query.as_of), level)
            # Carrying from the database costs about what folding from memory
            # does per fact, plus decoding: worth it up to a part of the log.
            reach = max(self.reach, level.position // REACH_PART)
            far = everything is not None and self.index.starting_between(
                rows, micros(start) if start else -NEVER, micros(query.as_of), level.position, reach) >= reach
        held = everything() if far and everything is not None else None
        bounded = replace(query, recorded_before=level.position)
        made: list[tuple[datetime, bytes, int]] = []

        def keep(end: datetime, now: Picture, count: int) -> None:
            made.append((end, _packed(now), count))  # at once: the fold goes on

        # "As known now" is what most questions share; another level earns a
        # checkpoint once it is asked again (a page held at one `known_at`
        # while its "as of" slider moves), not on every one-off question.
        now = level.known == NEVER
        keeping = keep if now or self._asked_again(level) else None
        # Checkpoints grow with the picture: space them so a series holds a
        # bounded number of them whatever the log's length. A level other than
        # "as known now" keeps one, at this question: the next question at that
        # level is likely near it (a page held at one `known_at`).
        every, last = max(self.every, level.position // CHECKPOINTS_PER_SERIES), not now
        known: Mapping[UUID, Entry]
        if held is not None:
            # A level far from every checkpoint leaves a few behind, over the
            # stretch just before this question, where questions at nearby
            # levels (a `known_at` slider moved a little) can start from.
            recent = query.as_of - LOOKBACK

            def keep_recent(end: datetime, picture: Picture, count: int) -> None:
                if end >= recent:
                    keep(end, picture, count)

            known = beliefs(held, bounded)
            folded = carry(Picture(), timed_in_valid_time(known, bounded), keep if now else keep_recent, every,
                           query.as_of)
        else:
            known = KnownAt(self, bounded)
            folded = base or Picture()
            guide = None if now else self._guide(level, query.as_of)
            after = start
            while after is None or after < query.as_of:
                until = self._slice_end(after, query.as_of, level.position)
                if guide is not None:
                    until = guide.stop(after, until)
                final = until == query.as_of
                carry(folded, self._facts(after, until, bounded, known), keeping if now or final else None, every,
                      until, last)
                after = until
                if guide is not None and (ahead := guide.jump(folded, until)) is not None:
                    after, folded = ahead
        if made:
            self._store(made, level)
        derive_return_crews(folded)
        return StationState(query, folded, station_capacity(folded), level.position, known)

    def view_at(self, kind: str, view_id: str, query: Horizon, explained: bool = False) -> ViewAt | None:
        """One vehicle or crew member, by id, from the versions `prepare` kept
        ("as known now") or from the views kept at every knowledge level (a
        past `known_at`), or None when they cannot say: a view they do not
        hold by then (perhaps a name, not an id), or an `as_of` at or after
        the earliest valid time touched by what was stored since they were
        made (there the log may differ; `state` answers). `explained`, it
        can explain itself: the events are looked up as asked, and a return
        crew counts each member's assignment, read as the vehicle is."""
        restore = picture_codec.restore_view
        with self.db.reading() as rows:
            level = self._level(rows, query)
            kept = self._kept(rows, level, micros(query.as_of))
            body = None if kept is None else kept.body(kind, view_id)
            if kept is None or body is None:
                return None
            view = restore(versions.KINDS[kind], body)
            if explained and isinstance(view, VehicleStatus) and view.return_crew:
                members = [kept.body(versions.CREW, member) for member in view.return_crew]
                if None in members:
                    return None
                view.derived["return_crew"] = [Part(restore(CrewPlan, member), "return_vehicle")
                                               for member in members if member is not None]
        known = KnownAt(self, replace(query, recorded_before=level.position)) if explained else None
        return ViewAt(query, view, level.position, known)

    def stations_at(self, query: Horizon) -> StationsAt | None:
        """Every station's capacity, worked out from the views kept of who is
        aboard, what is docked there and each lifeboat, read as `view_at`
        reads a view, or None when they cannot say."""
        with self.db.reading() as rows:
            level = self._level(rows, query)
            kept = self._kept(rows, level, micros(query.as_of))
            if kept is None:
                return None
            capacity = {}
            for name, station in kept.bodies(versions.STATION, sorted(kept.names(versions.STATION))).items():
                if station is None:
                    continue  # not named by then
                held = json.loads(station)
                # Of each member aboard only the lifeboat counts here, and of
                # each vehicle its seats and clearance: taken out of the stored
                # JSON by the database, every member (every vehicle) at once.
                lifeboats = kept.lifeboats(held["aboard"])
                if None in lifeboats.values():
                    return None  # cannot be: they were kept together
                crew = [_Holder(member, boat or None) for member, boat in lifeboats.items()]
                wanted = list(dict.fromkeys([*held["docked"], *(m.lifeboat for m in crew if m.lifeboat)]))
                boats = kept.seats(wanted)
                if any(boats.get(v) is None for v in held["docked"]):
                    return None
                docked = [boats[v] for v in held["docked"]]
                capacity[name] = seats_against_crew(name, docked, crew, boats)
        return StationsAt(query, capacity, level.position)

    def _kept(self, rows: Rows, level: _Level, moment: int) -> _Kept | None:
        """What `prepare` kept that holds at `level` up to `moment`: "as known
        now", the versions; else the views at every knowledge level."""
        if level.known == NEVER:
            series = self._version_series(rows, level, moment)
            return None if series is None else _Kept(self, rows, self.versions, series, None, moment)
        series = self._level_series(rows, level, moment)
        return None if series is None else _Kept(self, rows, self.levels, series, level.known, moment)

    def history_of(self, kind: str, view_id: str, query: Horizon) -> list[dict[str, Any]] | None:
        """One view's history as known at `known_at` (`projections.history.
        changes_of`), from its versions in order, each with the fact that made
        it, or None when the versions cannot say (as `view_at`, for all of
        valid time: "as known now", a series folded from the start; and
        nothing stored since that the picture sees). Only the facts that
        changed the view are loaded."""
        with self.db.reading() as rows:
            level = self._level(rows, query)
            if level.known == NEVER:
                series = self._version_series(rows, level, NEVER - 1, whole=True)
                if series is None:
                    return None
                made = rows.execute(
                    f"SELECT event, body FROM {self.versions} WHERE shape = ? AND series = ? AND kind = ? "
                    "AND view = ? ORDER BY valid_from, seq", (self.shape, series, kind, view_id)).all()
            else:
                series = self._level_series(rows, level, NEVER - 1)
                if series is None:
                    return None
                made = knowledge_levels.as_known_at(rows.execute(
                    f"SELECT level, valid_from, event, body FROM {self.levels} WHERE shape = ? AND series = ? "
                    "AND kind = ? AND view = ? AND level <= ? ORDER BY level DESC, valid_from, seq",
                    (self.shape, series, kind, view_id, level.known)).all())
        restore = functools.partial(picture_codec.restore_view, versions.KINDS[kind])
        # Rows that only say what holds on from before (no fact made them) change nothing.
        made_by = [(UUID(event), restore(body)) for event, body in made if event is not None and body is not None]
        if not made_by:
            return None
        facts = self.load(list(dict.fromkeys(fact for fact, _ in made_by)),
                          replace(query, recorded_before=level.position))
        return changes_from_versions(made_by, facts)

    def _version_series(self, rows: Rows, level: _Level, moment: int, whole: bool = False) -> int | None:
        """The series of versions "as known now" that holds at `level` up to
        `moment` (with `whole`, one folded from the start), if any."""
        series = rows.execute(
            f"SELECT series, through FROM {self.version_series} WHERE shape = ? AND series <= ? AND starts <= ? "
            "ORDER BY series DESC LIMIT 1", (self.shape, level.position, -NEVER if whole else moment)).one()
        return None if series is None else self._holding(rows, int(series[0]), int(series[1]), level, moment)

    def _level_series(self, rows: Rows, level: _Level, moment: int) -> int | None:
        """The series of views at every knowledge level that holds at `level` up to `moment`, if any."""
        series = rows.execute(f"SELECT series, through FROM {self.level_series} WHERE shape = ? AND series <= ? "
                              "ORDER BY series DESC LIMIT 1", (self.shape, level.position)).one()
        return None if series is None else self._holding(rows, int(series[0]), int(series[1]), level, moment)

    def _holding(self, rows: Rows, series: int, through: int, level: _Level, moment: int) -> int | None:
        """`series`, kept through position `through`, if what is stored
        between there and the level's position touches no valid time by
        `moment`: after it, nothing the series lacks counts by then; before
        it, no row the level must not see (an appended fact's rows start
        where it counts, at or after the time it touches) is read."""
        low, high = sorted((through, level.position))
        if low < high and moment >= self.index.earliest_touch_between(rows, (low, high), None):
            return None
        return series

    def _asked_again(self, level: _Level) -> bool:
        again = level in self._asked
        self._asked[level] = None
        for oldest in list(itertools.islice(self._asked, max(0, len(self._asked) - LEVELS_REMEMBERED))):
            self._asked.pop(oldest, None)  # another thread may have dropped it
        return again

    def _level(self, rows: Rows, query: Horizon) -> _Level:
        head = self.index.head(rows)
        bound = query.recorded_before
        if bound is None:
            position = head
        elif isinstance(bound, int):
            position = self.index.position_at(rows, min(bound, head))
        else:
            position = self.index.position_recorded_by(rows, bound)
        known = micros(query.known_at)
        # Knowing everything stored by then is one level, whatever the clock says.
        return _Level(NEVER if known >= self.index.reported_through(rows, position) else known, position)

    def _checkpoint(self, rows: Rows, as_of: int, level: _Level) -> tuple[datetime | None, Picture | None]:
        """The latest checkpoint by `as_of` that holds at `level`, if any."""
        best: tuple[int, int] | None = None
        series = rows.execute(f"SELECT known_level, position FROM {self.checkpoints} WHERE shape = ? "
                              "GROUP BY known_level, position", (self.shape,)).all()
        # The same level first, then the nearest in knowledge, then in the log:
        # they differ in the fewest families, so their checkpoints hold longest.
        series.sort(key=lambda s: (s[0] != level.known, abs(s[0] - level.known), abs(s[1] - level.position)))
        for known, position in series[:SERIES_TRIED]:
            differs_from = self.index.earliest_touch_between(
                rows, (min(position, level.position), max(position, level.position)),
                (min(known, level.known), max(known, level.known)))
            found = rows.execute(
                f"SELECT valid_through, id FROM {self.checkpoints} WHERE shape = ? AND known_level = ? "
                "AND position = ? AND valid_through < ? AND valid_through <= ? ORDER BY valid_through DESC LIMIT 1",
                (self.shape, known, position, differs_from, as_of)).one()
            if found is not None and (best is None or int(found[0]) > best[0]):
                best = (int(found[0]), int(found[1]))  # the one that leaves the least to carry
        if best is None:
            return None, None
        return from_micros(best[0]), picture_codec.decode(self.picture_bytes(rows, best[1]))

    def picture_bytes(self, rows: Rows, checkpoint: int) -> bytes:
        """A stored checkpoint's picture, as the codec wrote it."""
        data = rows.execute(f"SELECT picture FROM {self.checkpoints} WHERE id = ?", (checkpoint,)).one()
        assert data is not None
        return zlib.decompress(bytes(data[0]))

    def _slices(self, start: datetime | None, until: datetime, position: int) -> Iterator[tuple[datetime | None,
                                                                                               datetime]]:
        """Stretches of valid time after `start`, up to `until`, each holding at
        most about SLICE events and ending at the end of a day (the last at `until`)."""
        after = start
        while after is None or after < until:
            end = self._slice_end(after, until, position)
            yield after, end
            after = end

    def _slice_end(self, after: datetime | None, until: datetime, position: int) -> datetime:
        with self.db.reading() as rows:
            found = rows.execute(
                f"SELECT start FROM {self.index.entries} WHERE start > ? AND start <= ? AND position <= ? "
                "ORDER BY start LIMIT 1 OFFSET ?",
                (micros(after) if after else -NEVER, micros(until), position, self.slice)).one()
        return until if found is None else min(until, day_end(from_micros(int(found[0]))))

    def _guide(self, level: _Level, as_of: datetime) -> _Guide | None:
        """"As known now" at the question's position, as a guide to jump ahead
        on, if its checkpoints reach that far (see `_Guide`)."""
        with self.db.reading() as rows:
            days = rows.execute(
                f"SELECT valid_through, id FROM {self.checkpoints} WHERE shape = ? AND known_level = ? "
                "AND position = ? AND valid_through <= ? ORDER BY valid_through",
                (self.shape, NEVER, level.position, micros(as_of))).all()
        return _Guide(self, level, [(int(d[0]), int(d[1])) for d in days]) if days else None

    def _facts(self, after: datetime | None, until: datetime, bounded: Horizon,
               known: KnownAt) -> list[tuple[datetime, Entry]]:
        """The facts counting in (after, until] at the horizon, in valid-time order."""
        assert isinstance(bounded.recorded_before, int)
        with self.db.reading() as rows:
            roots = self.index.roots_starting_between(rows, micros(after) if after else -NEVER, micros(until),
                                                      bounded.recorded_before)
            stored = self._family_entries(rows, roots, bounded.recorded_before)
        believed = beliefs(stored, bounded)

        def lookup(event_id: UUID) -> Entry | None:
            return believed[event_id] if event_id in believed else known.get(event_id)

        return timed_in_valid_time(believed, replace(bounded, as_of=until), after, lookup)

    def _store(self, made: list[tuple[datetime, bytes, int]], level: _Level) -> None:
        """Keep new checkpoints (a cache: failing to is logged, never an error)."""
        try:
            with self.db.writing() as rows:
                rows.executemany(
                    f"INSERT INTO {self.checkpoints} (shape, known_level, position, valid_through, folded, "
                    "picture) VALUES (?, ?, ?, ?, ?, ?)",
                    [(self.shape, level.known, level.position, micros(end), count, data) for end, data, count in made])
                series = rows.execute(
                    f"SELECT known_level, position FROM {self.checkpoints} GROUP BY known_level, position "
                    "ORDER BY MAX(id) DESC").all()
                # The newest series of each kind stays: "as known now" is asked most.
                now = [s for s in series if s[0] == NEVER][:1]
                others = [s for s in series if s not in now]
                for known, position in others[SERIES_KEPT - len(now):]:
                    rows.execute(f"DELETE FROM {self.checkpoints} WHERE known_level = ? AND position = ?",
                                 (known, position))
        except PersistenceError as error:
            log.warning("checkpoints_not_kept", error=str(error))

    def _family_entries(self, rows: Rows, roots: set[str], position: int) -> list[Entry]:
        """Every entry of these families up to `position`, decoded once per process."""
        positions = self.index.family_positions(rows, roots, position)
        found: dict[int, Entry] = {}
        missing = []
        for at in positions:
            entry = self._cache.get(at)
            if entry is None:
                missing.append(at)
            else:
                found[at] = entry
        for notification in self.index.stored(rows, missing):
            found[notification.id] = self._cache[notification.id] = self._decode(notification)
        for oldest in list(itertools.islice(self._cache, max(0, len(self._cache) - ENTRY_CACHE))):
            self._cache.pop(oldest, None)
        return [found[at] for at in positions]

    def load(self, ids: list[UUID], bounded: Horizon) -> dict[UUID, Entry | None]:
        """The families of `ids` as believed at the horizon (None: not known then)."""
        assert isinstance(bounded.recorded_before, int)
        with self.db.reading() as rows:
            return self.believed(rows, ids, bounded.recorded_before, bounded)

    def believed(self, rows: Rows, ids: list[UUID], position: int, bounded: Horizon | None = None) -> dict[
            UUID, Entry | None]:
        """`load`, through these rows (a writer's, inside its transaction):
        as known now at `position` unless `bounded` says otherwise."""
        stored = self._family_entries(rows, self.index.roots_of(rows, ids), position)
        believed = beliefs(stored, bounded or Horizon(EVERY_MOMENT, EVERY_MOMENT, position))
        found: dict[UUID, Entry | None] = {e.id: believed.get(e.id) for e in stored}
        return {**{i: None for i in ids}, **found}

    # --- Folds for other answers (`store.bounded_reads`) ------------------------

    def facts(self, query: Horizon) -> Iterator[Entry]:
        """Every fact counting by `query.as_of`, in valid-time order, loaded a
        slice at a time: the whole fold's input without holding the log."""
        with self.db.reading() as rows:
            level = self._level(rows, query)
        bounded = replace(query, recorded_before=level.position)
        known = KnownAt(self, bounded)
        for after, until in self._slices(None, query.as_of, level.position):
            for _, entry in self._facts(after, until, bounded, known):
                yield entry

    def carry_through(self, query: Horizon, wanted: list[Entry], visit: Callable[[Picture, Entry], None]) -> None:
        """Carry the fold at the query's knowledge level from the latest
        checkpoint before the first of `wanted` counts to where the last of
        them counts, calling `visit` after each of them is folded in."""
        with self.db.reading() as rows:
            level = self._level(rows, query)
        bounded = replace(query, recorded_before=level.position)
        known = KnownAt(self, bounded)
        order = ValidTimeOrder(known.get)
        starts = [order.start(e) for e in wanted]
        if not starts:
            return
        ids = {e.id for e in wanted}
        with self.db.reading() as rows:
            start, base = self._checkpoint(rows, micros(min(starts)) - 1, level)
        folded = base or Picture()
        for after, until in self._slices(start, max(starts), level.position):
            for _, entry in self._facts(after, until, bounded, known):
                evolve(folded, entry)
                if entry.id in ids:
                    visit(folded, entry)


class _Seats(NamedTuple):
    """Of a kept vehicle, what a station's count needs (`projections.capacity.Seats`)."""

    id: str
    seats: int
    crewed_return: str


class _Holder(NamedTuple):
    """Of a kept crew member, what a station's count needs (`projections.capacity.Holder`)."""

    id: str
    lifeboat: str | None


@dataclass(frozen=True)
class _Kept:
    """Views kept by `prepare`, read as of one moment: versions "as known now"
    (`known` None), else the views at every knowledge level, up to `known`."""

    model: ReadModel
    rows: Rows
    table: str
    series: int
    known: int | None
    moment: int

    def body(self, kind: str, view_id: str) -> str | None:
        """The view's JSON, or None if not held then: "as known now", its
        latest version by then; at a past level, the highest level by
        `known` at which it differs by then, and its latest value there."""
        return self._latest(kind, [view_id], "body")[view_id]

    def bodies(self, kind: str, view_ids: Sequence[str]) -> dict[str, str | None]:
        """`body` of each view, read as `_latest` reads many."""
        return self._latest(kind, view_ids, "body")

    def lifeboats(self, member_ids: Sequence[str]) -> dict[str, str | None]:
        """Each member's lifeboat ("" for none), or None if not held then,
        taken out of the stored JSON by the database."""
        field = "body::json -> 'fields' ->> 'lifeboat'" if self.model.db.dialect == "postgres" \
            else "json_extract(body, '$.fields.lifeboat')"
        return self._latest(versions.CREW, member_ids,
                            f"CASE WHEN body IS NULL THEN NULL ELSE COALESCE({field}, '') END")

    def seats(self, vehicle_ids: Sequence[str]) -> dict[str, _Seats]:
        """Each vehicle's seats and clearance, of those held then, taken out
        of the stored JSON by the database."""
        if self.model.db.dialect == "postgres":
            pair = ("CASE WHEN body IS NULL THEN NULL ELSE json_build_array(body::json -> 'fields' -> 'seats', "
                    "body::json -> 'fields' -> 'crewed_return')::text END")
        else:
            pair = ("CASE WHEN body IS NULL THEN NULL ELSE json_array(json_extract(body, '$.fields.seats'), "
                    "json_extract(body, '$.fields.crewed_return')) END")
        return {vehicle: _Seats(vehicle, *json.loads(found))
                for vehicle, found in self._latest(versions.VEHICLE, vehicle_ids, pair).items() if found is not None}

    def _latest(self, kind: str, view_ids: Sequence[str], value: str) -> dict[str, str | None]:
        """`value` of the row `body` reads, for each view: one statement
        seeks them all (a statement is a round trip on PostgreSQL, and on
        SQLite most of a seek's cost), the views passed as one array."""
        bound: tuple[int, ...]
        if self.known is None:
            where, order, bound = "valid_from <= ?", "valid_from DESC, seq DESC", (self.moment,)
        else:
            where, order, bound = "level <= ? AND valid_from <= ?", "level DESC, valid_from DESC, seq DESC", (
                self.known, self.moment)
        seek = (f"SELECT {value} FROM {self.table} WHERE shape = ? AND series = ? AND kind = ? "
                f"AND view = v.view AND {where} ORDER BY {order} LIMIT 1")
        views = "unnest(CAST(? AS TEXT[])) AS v(view)" if self.model.db.dialect == "postgres" \
            else "(SELECT value AS view FROM json_each(?)) AS v"
        # One statement of the same text whatever the number of views: planned once.
        each = f"SELECT v.view, ({seek}) FROM {views}"
        found: dict[str, str | None] = {}
        for chunk in chunks(list(view_ids), LATEST_AT_ONCE):
            array = chunk if self.model.db.dialect == "postgres" else json.dumps(chunk)
            found.update((str(view), None if got is None else str(got)) for view, got in self.rows.execute(
                each, (self.model.shape, self.series, kind, *bound, array)).all())
        return {view_id: found.get(view_id) for view_id in view_ids}

    def names(self, kind: str) -> list[str]:
        """Every view of `kind` ever kept, one seek each rather than a scan of their versions."""
        names: list[str] = []
        while (found := self.rows.execute(
                f"SELECT MIN(view) FROM {self.table} WHERE shape = ? AND series = ? AND kind = ? AND view > ?",
                (self.model.shape, self.series, kind, names[-1] if names else "")).one()) is not None \
                and found[0] is not None:
            names.append(str(found[0]))
        return names


class _Guide:
    """"As known now" (at the same log position), guiding a fold at a past
    knowledge level across the stretches where the two agree.

    Two levels disagree only from where a family one knows and the other does
    not starts to count (`EntryIndex.next_touch_reported_between`), and only
    for as long as its effects last: a plan rescheduled, then carried out, is
    the same at both levels again. Where the fold, at the end of a day the
    guide has a checkpoint for, is the guide's picture there (the same bytes),
    the two fold the same facts in the same order until the next such start:
    the guide's last checkpoint before it is the fold's picture then, and the
    fold jumps to it. A fold that has not come back to the guide's picture
    looks again less often (every 2nd, 4th ... checkpoint), so that a level
    that stays apart costs little more than before.
    """

    def __init__(self, model: ReadModel, level: _Level, days: list[tuple[int, int]]) -> None:
        self._model, self._level = model, level
        self._days = days  # (valid_through, id) of the guide's checkpoints, in order
        self._skip = self._skipped = 0

    def stop(self, after: datetime | None, until: datetime) -> datetime:
        """`until`, or the first of the guide's checkpoint days after `after` before it."""
        low = micros(after) if after is not None else -NEVER
        at = bisect.bisect_right(self._days, (low, NEVER))
        return from_micros(self._days[at][0]) if at < len(self._days) and self._days[at][0] < micros(until) \
            else until

    def jump(self, folded: Picture, at: datetime) -> tuple[datetime, Picture] | None:
        """Where to carry on from, if the fold has come back to the guide at `at`."""
        moment = micros(at)
        index = bisect.bisect_left(self._days, (moment, -NEVER))
        if index == len(self._days) or self._days[index][0] != moment:
            return None
        if self._skipped < self._skip:
            self._skipped += 1
            return None
        self._skipped = 0
        if picture_codec.encode(folded) != self._picture_at(self._days[index][1]):
            self._skip = self._skip * 2 or 1
            return None
        self._skip = 0
        with self._model.db.reading() as rows:
            disagree = self._model.index.next_touch_reported_between(rows, (self._level.known, NEVER), moment)
        target = bisect.bisect_left(self._days, (disagree, -NEVER)) - 1  # the last one before that
        if target <= index:
            return None
        return from_micros(self._days[target][0]), picture_codec.decode(self._picture_at(self._days[target][1]))

    def _picture_at(self, checkpoint: int) -> bytes:
        with self._model.db.reading() as rows:
            return self._model.picture_bytes(rows, checkpoint)


def _packed(picture: Picture) -> bytes:
    """A picture as a checkpoint stores it."""
    return zlib.compress(picture_codec.encode(picture), 1)


class KnownAt(Mapping[UUID, Entry]):
    """The events known at a horizon, as then believed, found in the index when
    asked for (an explanation's evidence) rather than all loaded up front."""

    def __init__(self, model: ReadModel, bounded: Horizon) -> None:
        self._model = model
        self._bounded = bounded
        self._found: dict[UUID, Entry | None] = {}

    def get(self, key: UUID, default: Entry | None = None) -> Entry | None:  # type: ignore[override]
        if key not in self._found:
            self._found.update(self._model.load([key], self._bounded))
        found = self._found.get(key)
        return default if found is None else found

    def __getitem__(self, key: UUID) -> Entry:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[UUID]:
        return iter([k for k, v in self._found.items() if v is not None])

    def __len__(self) -> int:
        return sum(1 for v in self._found.values() if v is not None)
