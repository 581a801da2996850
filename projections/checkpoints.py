"""Carrying a fold forward from a checkpoint instead of from the first event.

The picture at `as_of` is the fold of the facts that count by then, in the one
valid-time order (`projections.horizon`). Every fact counts from a time at or
after its own start, and an event can only be held back by evidence of its
own UTC day (`domain.order`), so the facts counting by the end of a day are
exactly a prefix of that order: the fold stopped at the end of a day is a
*checkpoint*, and the picture at any later `as_of` is that checkpoint carried
forward over the facts counting after it. The read model stores checkpoints
(`store.read_model`); this module says where they may fall and carries a fold
on, so that a carried fold and a fold from the start are the same fold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta

from domain.entry import Entry
from projections.picture import Picture, evolve

Checkpoint = Callable[[datetime, Picture, int], None]  # (end of day, picture then, facts folded since the last)


def day_end(moment: datetime) -> datetime:
    """The last instant of `moment`'s UTC day: where a checkpoint may fall."""
    return datetime.combine(moment.date(), time.max, tzinfo=moment.tzinfo)


def last_day_end(moment: datetime) -> datetime:
    """The latest end of a day at or before `moment`."""
    end = day_end(moment)
    return end if end == moment else end - timedelta(days=1)


def carry(picture: Picture, facts: Sequence[tuple[datetime, Entry]], checkpoint: Checkpoint | None = None,
          every: int = 0, until: datetime | None = None, last: bool = False,
          each: Callable[[datetime, Entry], None] | None = None) -> Picture:
    """Fold `facts` (each with the time it counts from, in valid-time order)
    into `picture`. With `checkpoint`, offer the picture at the end of each day
    once at least `every` facts were folded since the last one offered, and at
    the last day end by `until` (every fact counting by then is folded); with
    `last`, only that one, whatever was folded since. `each` is told, after
    every fact, the time it counts from and the fact (`projections.versions`)."""
    since = 0
    previous: datetime | None = None
    for counted_from, entry in facts:
        if checkpoint is not None and not last and previous is not None and since >= max(every, 1) \
                and counted_from > day_end(previous):
            checkpoint(day_end(previous), picture, since)
            since = 0
        evolve(picture, entry)
        if each is not None:
            each(counted_from, entry)
        previous, since = counted_from, since + 1
    if checkpoint is not None and previous is not None and until is not None and (last or since >= max(every, 1)):
        end = last_day_end(until)
        if end >= day_end(previous):  # nothing folded counts after it
            checkpoint(end, picture, since)
    return picture
