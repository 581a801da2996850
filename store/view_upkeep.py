"""Keeping the views `prepare` made current, inside each append's own
transaction: an inline projection.

`ReadModel.prepare` keeps every view's versions "as known now" and at every
knowledge level, through a log position; an append after that stops them
answering from the earliest valid time it touches. Most appends, though, are
news: facts that count after everything folded so far (in the one valid-time
order, `domain.order`), reported no earlier than anything stored. Nothing
the views held changes then, and the new versions are the end of the fold
carried one fact further. So the writer holds that end (`_Tip`: the picture
"as known now", the `Versions` watching it), folds the new facts into it, and
writes their versions with the events, in the same transaction: as known now,
and at the knowledge level of each fact's report (known from then on, and the
highest level there is, it differs from the level before from that fact on).
Both series then say they hold through the new position (`through`), so every
process answers the present from them at once, and a crash leaves them
exactly as far as the log.

Anything else (a back-dated fact, a correction or retraction of something the
picture sees, a report dated before one already stored) leaves the series
where they were: questions at or after what it touches are folded, as before
`prepare` came, until the next one. An event the picture cannot see changes
no view and never stops them.

The tip lives in the writer's memory and is made again from the checkpoints
whenever another process (or a failed transaction) has moved the log on
without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

import structlog

from domain.entry import Entry
from domain.order import ValidTimeOrder
from projections.picture import evolve, seen_by_picture
from projections.versions import Version, Versions
from store.database import Rows
from store.entry_index import micros
from store.read_model import ReadModel

log = structlog.get_logger("incidentlog.view_upkeep")


class _NotNews(Exception):
    """The append changes what the views held: they stay where they were."""


@dataclass
class _Tip:
    """The end of the fold the kept views were made from."""

    series: int  # the versions' series ...
    levels: int | None  # ... and the levels', if whole, both holding through `through`
    through: int
    last: int  # the latest valid time (micros) any folded fact counts from
    made: int  # the versions' latest place in their series
    versions: Versions | None  # watching the end picture; None until a fact the picture sees comes
    known: set[tuple[str, str]] = field(default_factory=set)  # views whose latest stored text `versions` knows

    def same(self, other: _Tip) -> bool:
        """Is `other`, read from the series' rows, where this tip left them?"""
        return (self.series, self.levels, self.through, self.made) == (
            other.series, other.levels, other.through, other.made)


class ViewUpkeep:
    def __init__(self, model: ReadModel) -> None:
        self.model = model
        self._tip: _Tip | None = None
        self._carried: _Tip | None = None  # carried on by a transaction not yet known to have committed

    def ready(self, entries: Sequence[Entry]) -> None:
        """Before `entries` are stored (by the writer, under the writer lock,
        outside the transaction: it reads the database), make the end
        picture if one of them is a fact the picture sees and the views hold
        through the log's head. Observations and the like never need it, and
        cost the append nothing here."""
        self._carried = None
        if not any(_folded(e) for e in entries):
            return
        with self.model.db.reading() as rows:
            found = self._series(rows, self.model.index.head(rows))
        tip = self._tip
        if found is None:
            self._tip = None
        else:
            if tip is None or not tip.same(found):
                tip = self._tip = found  # another process, or a failed transaction, moved the log on
            if tip.versions is None:
                tip.versions = Versions(self.model.end_picture(tip.through), tip.made)

    def _series(self, rows: Rows, head: int) -> _Tip | None:
        """The series of versions (and of levels, if whole) holding through
        `head`, as a tip without its end picture; None if none does."""
        model = self.model
        found = rows.execute(
            f"SELECT series, last_counted, made FROM {model.version_series} WHERE shape = ? AND through = ? "
            "ORDER BY series DESC LIMIT 1", (model.shape, head)).one()
        if found is None:
            return None
        levels = rows.execute(f"SELECT series FROM {model.level_series} WHERE shape = ? AND through = ? "
                              "ORDER BY series DESC LIMIT 1", (model.shape, head)).one()
        series, last, made = (int(v) for v in found)
        return _Tip(series, None if levels is None else int(levels[0]), head, last, made, None)

    def add(self, rows: Rows, entries: Sequence[Entry]) -> None:
        """Carry the kept views over newly stored `entries`, inside the
        transaction that stores them (after the index has them), if they are
        news; else leave them where they were."""
        tip, self._tip = self._tip, None  # held again once the transaction is known to have committed
        if not entries:
            return
        found = self._series(rows, self.model.index.position_at(rows, min(e.position for e in entries) - 1))
        if found is None:
            return  # the views hold through an earlier position: a back-dated event stopped them
        if tip is None or not tip.same(found):
            tip = found  # without an end picture: only events the picture cannot see carry it on
        try:
            made, reported = self._fold(rows, tip, entries)
        except _NotNews:
            return
        except Exception as error:  # a cache: the fold answers instead, never an error for the writer
            log.warning("views_not_kept_current", error=str(error))
            return
        model = self.model
        if made:
            rows.executemany(
                f"INSERT INTO {model.versions} (shape, series, kind, view, valid_from, seq, event, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(model.shape, tip.series, kind, view, micros(at), seq, str(fact) if fact else None, value.text)
                 for kind, view, at, seq, fact, value in made])
            if tip.levels is not None:
                rows.executemany(
                    f"INSERT INTO {model.levels} (shape, series, kind, view, level, valid_from, seq, event, body) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(model.shape, tip.levels, kind, view, reported[fact], micros(at), seq, str(fact), value.text)
                     for kind, view, at, seq, fact, value in made if fact is not None])
        tip.through = max(e.position for e in entries)
        tip.made = tip.made if tip.versions is None else tip.versions.made
        rows.execute(f"UPDATE {model.version_series} SET through = ?, last_counted = ?, made = ? "
                     "WHERE shape = ? AND series = ?", (tip.through, tip.last, tip.made, model.shape, tip.series))
        if tip.levels is not None:
            rows.execute(f"UPDATE {model.level_series} SET through = ? WHERE shape = ? AND series = ?",
                         (tip.through, model.shape, tip.levels))
        self._carried = tip

    def committed(self) -> None:
        """The transaction `add` wrote in has committed: its tip is the end now."""
        if self._carried is not None:
            self._tip, self._carried = self._carried, None

    def _fold(self, rows: Rows, tip: _Tip, entries: Sequence[Entry]) -> tuple[list[Version], dict[UUID, int]]:
        """The versions the new facts make, and each fact's reporting time
        (micros); `_NotNews` when they would change what is kept."""
        amending = [e.id for e in entries if e.payload.amends]
        if amending and self.model.index.sees_any(rows, self.model.index.roots_of(rows, amending)):
            raise _NotNews  # it changes what the picture believed of an earlier fact
        seen = [e for e in entries if _folded(e)]
        new = {e.id: e for e in entries}
        stored: dict[UUID, Entry | None] = {}

        def lookup(event_id: UUID) -> Entry | None:  # evidence: among the new entries, else as believed stored
            if event_id in new:
                return new[event_id]
            if event_id not in stored:
                stored.update(self.model.believed(rows, [event_id], tip.through))
            return stored.get(event_id)

        order = ValidTimeOrder(lookup)
        facts = order.sorted(seen)
        if facts and tip.versions is None:
            raise _NotNews  # cannot be: `ready` saw them
        reported = self.model.index.reported_through(rows, tip.through)
        times: dict[UUID, int] = {}
        last = tip.last
        for fact in facts:
            counts, report = micros(order.start(fact)), micros(fact.reported_at.start)
            if counts <= last or report < reported:
                raise _NotNews
            last, reported, times[fact.id] = counts, report, report
        if tip.versions is None:
            return [], times
        for fact in facts:
            evolve(tip.versions.picture, fact)
            tip.versions.after(order.start(fact), fact)
        tip.last = last
        return self._unchanged_dropped(rows, tip, tip.versions.take()), times

    def _unchanged_dropped(self, rows: Rows, tip: _Tip, made: list[Version]) -> list[Version]:
        """`made`, less each view's first version that says what its latest
        stored one does (the tip, made from a picture, does not know what
        was written last: `prepare`'s versions come only with a change)."""
        model = self.model
        kept = []
        for version in made:
            kind, view, *_, value = version
            if (kind, view) not in tip.known:
                tip.known.add((kind, view))
                latest = rows.execute(
                    f"SELECT body FROM {model.versions} WHERE shape = ? AND series = ? AND kind = ? AND view = ? "
                    "ORDER BY valid_from DESC, seq DESC LIMIT 1", (model.shape, tip.series, kind, view)).one()
                if latest is not None and latest[0] == value.text:
                    continue
            kept.append(version)
        return kept


def _folded(entry: Entry) -> bool:
    """Is it a fact the picture folds (not an amendment, and seen)?"""
    return not entry.payload.amends and seen_by_picture(entry.type, entry.incidents)
