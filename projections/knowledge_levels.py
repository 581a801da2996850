"""Versions of each vehicle, crew member and station capacity at every
knowledge level: what the read model answers a past `known_at` from without
folding.

What the log believes changes only at the reporting times its entries carry
(an event's `reported_at`, a correction's, a time a correction sets): between
two of them every family of entries is believed the same. Each such time is a
*level*. Going through the levels in order, a level changes the belief in a
few families; the fold at that level differs from the fold at the one before
only from the first of those families' facts in valid-time order (their
old and new places, and those of the events resting on them: `domain.order`).
So the fold is taken back to just before there (a journal of what each
assignment replaced: `Cause.journal`) and carried forward again over the
facts known at the new level, watched by one `Versions` that is taken back
with it, and each view whose values differ gets, tagged with the level, its
value from the first instant it differs and every change after that.

A question at (`as_of` A, `known_at` K) about one view then takes the highest
level at or below K at which the view differs from the level before at or
before A, and that level's latest value at or before A. Levels that leave the
view as it was before A have no rows for it there, and those before them say
the same.

Only facts the picture can see are folded (`picture.seen_by_picture`); the
rest can still move a seen event in valid time as its evidence, and are
looked up for that. Incident timelines are not taken back: no vehicle or
crew view reads them, and the fold here keeps no incident as an answer.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any
from uuid import UUID

from domain.entry import Entry
from domain.order import OrderKey, ValidTimeOrder
from projections.horizon import Horizon, beliefs
from projections.picture import MISSING, Picture, Tracked, evolve, seen_by_picture
from projections.picture_codec import Stored
from projections.versions import Versions

ViewKey = tuple[str, str]  # (kind, id)
EVERY_AS_OF = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class LevelRow:
    """A view's value from `valid_from` on, as known from `level` (`body`
    None: the picture does not hold the view then); of several at one
    instant, the last holds after it."""

    kind: str
    view: str
    level: datetime
    valid_from: datetime
    seq: int  # its order among the view's rows at this level
    event: UUID | None  # the fact that made it (None: it holds on from before)
    body: str | None


@dataclass(frozen=True)
class _Made:
    """A version the fold made: after the fact with `key`, counting from `at`."""

    key: OrderKey
    view: ViewKey
    at: datetime
    event: UUID | None
    value: Stored


class _Journaled(dict[Any, Any]):
    """A picture's dict that remembers what each new key replaced."""

    def __init__(self, journal: list[tuple[Any, ...]], items: dict[Any, Any]) -> None:
        super().__init__(items)
        self._journal = journal

    def __setitem__(self, key: Any, value: Any) -> None:
        self._journal.append((self, key, self.get(key, MISSING)))
        super().__setitem__(key, value)


class _JournaledSet(set[Any]):
    def __init__(self, journal: list[tuple[Any, ...]], items: Iterable[Any]) -> None:
        super().__init__(items)
        self._journal = journal

    def add(self, item: Any) -> None:
        if item not in self:
            self._journal.append((self, item))
            super().add(item)


class RewindableFold:
    """A picture folded over a list of facts that can be taken back to any
    number of them and carried on again."""

    def __init__(self) -> None:
        self.picture = Picture()
        self.journal: list[tuple[Any, ...]] = []
        self.picture.cause.journal = self.journal
        p = self.picture
        p.vehicles, p.crew, p.incidents = (_Journaled(self.journal, {}), _Journaled(self.journal, {}),
                                           _Journaled(self.journal, {}))
        p.lifeboat_assigned_at = _Journaled(self.journal, {})
        p.stations = _JournaledSet(self.journal, ())
        self.marks: list[int] = []  # the journal's length before each fact folded

    @property
    def folded(self) -> int:
        return len(self.marks)

    def fold(self, entry: Entry) -> None:
        self.marks.append(len(self.journal))
        evolve(self.picture, entry)

    def back_to(self, count: int) -> tuple[list[Tracked], list[Tracked]]:
        """Take back every fact folded after the first `count`. Returns the
        views it changed and those it took out of the picture."""
        changed: list[Tracked] = []
        gone: list[Tracked] = []
        if count >= len(self.marks):
            return changed, gone
        mark = self.marks[count]
        del self.marks[count:]
        while len(self.journal) > mark:
            done = self.journal.pop()
            if len(done) == 4:  # a view's field: (view, field, old value, old set_by entry)
                view, name, value, cause = done
                changed.append(view)
                state = view.__dict__
                if value is MISSING:
                    state.pop(name, None)
                else:
                    state[name] = value
                if cause is MISSING:
                    view.set_by.pop(name, None)
                else:
                    view.set_by[name] = cause
                state["_edits"] = state.get("_edits", 0) + 1  # a change like any other, for those who count them
            elif len(done) == 3:  # a dict's key
                table, key, value = done
                if value is MISSING:
                    removed = dict.pop(table, key)
                    if isinstance(removed, Tracked):
                        gone.append(removed)
                else:
                    dict.__setitem__(table, key, value)
            else:  # a set's new member
                members, item = done
                set.discard(members, item)
        return changed, gone


class KnowledgeLevels:
    """Goes through a log's levels in reporting order (`rows`)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._families: dict[UUID, list[Entry]] = {}
        root_of: dict[UUID, UUID] = {}
        for entry in entries:  # in the log's order: an amendment comes after its target
            target = entry.payload.amended_event
            root = entry.id if target is None else root_of.get(target, target)
            root_of[entry.id] = root
            self._families.setdefault(root, []).append(entry)
        self._believed: dict[UUID, Entry] = {}
        self._resting_on: dict[UUID, set[UUID]] = {}  # evidence -> the events resting on it
        self._keys: dict[UUID, OrderKey] = {}  # the place of each fact folded
        self._order: list[OrderKey] = []  # the facts folded, in valid-time order
        self._facts: dict[OrderKey, tuple[datetime, Entry]] = {}
        self._fold = RewindableFold()
        self._watched = Versions(self._fold.picture)  # follows the fold, taken back with it
        self._made: list[_Made] = []  # every version, in the order the fold made them
        self._made_keys: list[OrderKey] = []
        self._by_view: dict[ViewKey, list[int]] = {}  # indexes into _made
        self.gone_through = 0  # levels

    def rows(self, after: datetime | None = None) -> Iterator[LevelRow]:
        """For each level in order, the rows of the views it changes; with
        `after`, only those of the levels after it, the rows of the levels
        up to it being kept already (`store.read_model`): those levels are
        gone through as one, the fold made once at the last of them."""
        changes_at: dict[datetime, list[UUID]] = {}
        for root, family in self._families.items():
            for moment in self._moments(family):
                changes_at.setdefault(moment, []).append(root)
        levels = sorted(changes_at)
        try:
            kept = levels[:bisect.bisect_right(levels, after)] if after is not None else []
            if kept:
                for _ in self._level(kept[-1], list(dict.fromkeys(r for level in kept for r in changes_at[level])),
                                     rows=False):
                    pass
                self.gone_through += 1
            for level in levels[len(kept):]:
                yield from self._level(level, changes_at[level])
                self.gone_through += 1
        finally:
            self._fold.picture.cause.journal = None
            self._watched.close()

    def _moments(self, family: list[Entry]) -> set[datetime]:
        """The reporting times at which the family can be believed otherwise."""
        moments = {entry.reported_at.start for entry in family}
        if len(family) > 1:  # a correction may set the time an event counts as reported from
            for moment in list(moments):
                found = self._belief(family, moment)
                if found is not None:
                    moments.add(max(moment, found.reported_at.start))
        return moments

    def _belief(self, family: list[Entry], moment: datetime) -> Entry | None:
        root = family[0]
        if len(family) == 1:
            return root if root.reported_at.start <= moment else None
        return beliefs(family, Horizon(EVERY_AS_OF, moment)).get(root.id)

    def _level(self, level: datetime, roots: list[UUID], rows: bool = True) -> Iterator[LevelRow]:
        changed = []
        for root in roots:
            now = self._belief(self._families[root], level)
            if now == self._believed.get(root):
                continue
            if now is None:
                del self._believed[root]
            else:
                self._believed[root] = now
                for evidence in now.based_on:
                    self._resting_on.setdefault(evidence, set()).add(root)
            changed.append(root)
        moved = self._moved(changed)
        if not moved:
            return
        first = min(key for pair in moved.values() for key in pair if key is not None)
        start = bisect.bisect_left(self._order, first)
        taken_back, gone = self._fold.back_to(start)
        if taken_back or gone:
            self._watched.resync(taken_back, gone)
        for old, new in moved.values():
            if old is not None:
                del self._order[bisect.bisect_left(self._order, old)]
                del self._facts[old]
            if new is not None:
                bisect.insort(self._order, new)
        for event_id, (_, new) in moved.items():
            if new is None:
                self._keys.pop(event_id, None)
            else:
                self._keys[event_id] = new
                self._facts[new] = (_instant(new), self._believed[event_id])
        before = self._take_back(first)
        cut = len(self._made)
        made = self._carry(start)
        if rows:
            yield from self._differences(level, before, made, cut, first)

    def _moved(self, changed: list[UUID]) -> dict[UUID, tuple[OrderKey | None, OrderKey | None]]:
        """The facts whose place or content the changed families alter, with
        their old and new places (None: not folded then)."""
        reached, stack = set(changed), list(changed)
        while stack:  # an event's place rests on its evidence's, at any depth
            for dependent in self._resting_on.get(stack.pop(), ()):
                if dependent not in reached:
                    reached.add(dependent)
                    stack.append(dependent)
        order = ValidTimeOrder(self._believed.get)
        moved: dict[UUID, tuple[OrderKey | None, OrderKey | None]] = {}
        for event_id in reached:
            now = self._believed.get(event_id)
            new = order.key(now) if now is not None and seen_by_picture(now.type, now.incidents) else None
            old = self._keys.get(event_id)
            if old is not None or new is not None:
                moved[event_id] = (old, new)
        return moved

    def _take_back(self, first: OrderKey) -> dict[ViewKey, tuple[Stored | None, list[_Made]]]:
        """Forget the versions made from `first` on; for each view they were
        of, its value before the instant `first` counts from, and its
        versions from that instant on (those kept and those forgotten)."""
        cut = bisect.bisect_left(self._made_keys, first)
        gone = self._made[cut:]
        del self._made[cut:], self._made_keys[cut:]
        before: dict[ViewKey, tuple[Stored | None, list[_Made]]] = {}
        for made in gone:
            if made.view not in before:
                indexes = self._by_view[made.view]
                while indexes and indexes[-1] >= cut:
                    indexes.pop()
                before[made.view] = self._before(made.view, len(indexes), _instant(first))
            before[made.view][1].append(made)
        return before

    def _before(self, view: ViewKey, kept: int, instant: datetime) -> tuple[Stored | None, list[_Made]]:
        """Of the view's first `kept` versions, its value before `instant`, and
        those that count from it: a level's rows hold a whole instant, the
        facts of it that were not folded again too (a history tells each)."""
        indexes = self._by_view[view]
        start = kept
        while start > 0 and self._made[indexes[start - 1]].at == instant:
            start -= 1
        base = self._made[indexes[start - 1]].value if start > 0 else None
        return base, [self._made[i] for i in indexes[start:kept]]

    def _carry(self, start: int) -> list[_Made]:
        """Fold the facts from `start` on, keeping a version of every view each changes."""
        watched = self._watched
        made: list[_Made] = []
        for key in self._order[start:]:
            at, entry = self._facts[key]
            self._fold.fold(entry)
            watched.after(at, entry)
            for kind, view_id, _, _, event, value in watched.take():
                version = _Made(key, (kind, view_id), at, event, value)
                self._by_view.setdefault(version.view, []).append(len(self._made))
                self._made.append(version)
                self._made_keys.append(key)
                made.append(version)
        return made

    def _differences(self, level: datetime, before: dict[ViewKey, tuple[Stored | None, list[_Made]]],
                     made: list[_Made], cut: int, first: OrderKey) -> Iterator[LevelRow]:
        """The rows of every view whose versions differ from the instant the
        first fact moved counts from (`before`: the old ones, and the value
        before; `made`, from `cut` on: the new, after those of that instant
        not folded again, which both share)."""
        after: dict[ViewKey, list[_Made]] = {}
        for version in made:
            after.setdefault(version.view, []).append(version)
        for view in before.keys() | after.keys():
            if view in before:
                base, old = before[view]
            else:
                base, old = self._before(view, bisect.bisect_left(self._by_view[view], cut), _instant(first))
            shared = [version for version in old if version.key < first]  # not folded again
            yield from _rows(level, view, base, old, [*shared, *after.get(view, [])])


def _instant(key: OrderKey) -> datetime:
    """The time a fact with this place counts from."""
    moment = key[0]
    assert isinstance(moment, datetime)
    return moment


def as_known_at(rows: Iterable[tuple[Any, Any, Any, Any]]) -> list[tuple[Any, Any]]:
    """One view's versions in valid-time order at a knowledge level, as
    (event, body), from its rows at the levels up to it, given as (level,
    valid_from, event, body), the highest level first, each level's in order:
    a level says the view from its first row on, until a higher level's
    first row says otherwise."""
    pieces: list[list[tuple[Any, Any]]] = []
    until: Any = None
    for _, level_rows in groupby(rows, key=lambda row: row[0]):
        kept = list(level_rows)
        if until is not None and kept[0][1] >= until:
            continue  # a higher level says all of it
        pieces.append([(event, body) for _, valid_from, event, body in kept if until is None or valid_from < until])
        until = kept[0][1]
    return [made for piece in reversed(pieces) for made in piece]


def _first_difference(base: Stored | None, old: list[_Made], new: list[_Made]) -> tuple[datetime, Stored | None] | None:
    """The first instant at which the view changes otherwise in the old
    versions than in the new (each change of each fact in order: a history
    tells them all, not only the last of an instant), and the new value just
    before it; None if they never do."""
    was: dict[datetime, list[Stored]] = {}
    now: dict[datetime, list[Stored]] = {}
    for versions, by_instant in ((old, was), (new, now)):
        for version in versions:
            by_instant.setdefault(version.at, []).append(version.value)
    old_value = new_value = base
    for moment in sorted(was.keys() | now.keys()):
        before = new_value
        old_changes, old_value = _changes(was.get(moment, []), old_value)
        new_changes, new_value = _changes(now.get(moment, []), new_value)
        if old_changes != new_changes:
            return moment, before
    return None


def _changes(values: list[Stored], value: Stored | None) -> tuple[list[Stored], Stored | None]:
    """The values that change the view from `value`, in turn, and its value after them."""
    changes = []
    for new in values:
        if new != value:
            changes.append(new)
            value = new
    return changes, value


def _rows(level: datetime, view: ViewKey, base: Stored | None, old: list[_Made],
          new: list[_Made]) -> Iterator[LevelRow]:
    """The rows saying the new values from the first instant they differ from
    the old ones: every version from then on that changes the view (several
    facts of one instant each leave theirs, as a history tells them), and, if
    none at that instant does, the value that holds on through it."""
    found = _first_difference(base, old, new)
    if found is None:
        return
    start, value = found
    seq = 0
    for version in new:
        if version.at < start or version.value == value:
            continue
        if seq == 0 and version.at > start:  # nothing new at the first difference: what holds through it
            yield LevelRow(view[0], view[1], level, start, 0, None, _text(value))
            seq += 1
        yield LevelRow(view[0], view[1], level, version.at, seq, version.event, version.value.text)
        value, seq = version.value, seq + 1
    if seq == 0:
        yield LevelRow(view[0], view[1], level, start, 0, None, _text(value))


def _text(value: Stored | None) -> str | None:
    return None if value is None else value.text
