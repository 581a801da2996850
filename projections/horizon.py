"""Which events count for a query: the two time axes, and the log's own past.

An event counts when it had happened by `as_of` (valid time), had been
reported by `known_at` (knowledge time) and, if `recorded_before` is given,
had been stored by then (system time or log position). Corrections and
retractions reported by `known_at` apply first, whatever `as_of` is. The
events that count are folded in the one valid-time order (`domain.order`),
where an event comes after the events it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.corrections import Amendments, believed
from domain.entry import Entry
from domain.order import Lookup, ValidTimeOrder
from domain.times import TimePoint, query_bound


@dataclass(frozen=True)
class Horizon:
    as_of: datetime
    known_at: datetime
    recorded_before: datetime | int | None = None

    @classmethod
    def parse(cls, as_of: str | None, known_at: str | None, recorded_before: str | int | None,
              now: datetime) -> Horizon:
        """A horizon from query text. A bare date means the end of that day;
        `recorded_before` is a log position (a whole number) or a time."""
        bound: datetime | int | None = None
        if isinstance(recorded_before, int) or (isinstance(recorded_before, str)
                                                and recorded_before.strip().isdigit()):
            bound = int(recorded_before)
        elif recorded_before:
            bound = query_bound(recorded_before, "recorded_before", now)
        return cls(query_bound(as_of, "as_of", now), query_bound(known_at, "known_at", now), bound)

    def admits(self, entry: Entry) -> bool:
        return (
            entry.occurred_at.start <= self.as_of
            and entry.reported_at.start <= self.known_at
            and self.stored(entry)
        )

    def stored(self, entry: Entry) -> bool:
        """Had the log stored this entry by `recorded_before`?"""
        if self.recorded_before is None:
            return True
        if isinstance(self.recorded_before, int):
            return entry.position <= self.recorded_before
        return entry.recorded_at <= self.recorded_before

    def to_json(self) -> dict[str, Any]:
        bound = self.recorded_before
        return {
            "as_of": TimePoint.at(self.as_of).isoformat(),
            "known_at": TimePoint.at(self.known_at).isoformat(),
            "recorded_before": TimePoint.at(bound).isoformat() if isinstance(bound, datetime) else bound,
        }


def beliefs(entries: Iterable[Entry], horizon: Horizon) -> dict[UUID, Entry]:
    """Every event known at the horizon, as then believed: corrections reported
    by `known_at` applied, retracted events left out, whatever `as_of` is."""
    stored = [e for e in entries if horizon.stored(e)]
    amendments = Amendments.among(stored)
    known: dict[UUID, Entry] = {}
    for entry in stored:
        current = believed(entry, amendments, horizon.known_at) if entry.id in amendments.by_target else entry
        if current is not None and current.reported_at.start <= horizon.known_at:
            known[entry.id] = current
    return known


def in_valid_time(known: Mapping[UUID, Entry], horizon: Horizon, after: datetime | None = None,
                  lookup: Lookup | None = None) -> list[Entry]:
    """The facts that count at `as_of`, in the order things happened.

    Corrections and retractions are not facts about the world: they change
    which version of their target counts (or whether it counts at all). An
    event resting on a later event of its own day counts from that event on.

    With `after`, only the facts that count from later than it: the rest of
    a fold that was carried up to `after` already (`projections.checkpoints`).
    `known` may then hold only candidates for that stretch, and `lookup` finds
    the evidence they rest on elsewhere (default: in `known`).
    """
    return [entry for _, entry in timed_in_valid_time(known, horizon, after, lookup)]


def timed_in_valid_time(known: Mapping[UUID, Entry], horizon: Horizon, after: datetime | None = None,
                        lookup: Lookup | None = None) -> list[tuple[datetime, Entry]]:
    """`in_valid_time`, each fact with the time it counts from (`ValidTimeOrder.start`)."""
    order = ValidTimeOrder(lookup or known.get)  # keys are computed once and kept: start() and sorted() share them
    chosen = order.sorted(e for e in known.values() if not e.payload.amends
                          and e.occurred_at.start <= horizon.as_of and order.start(e) <= horizon.as_of
                          and (after is None or after < order.start(e)))
    return [(order.start(e), e) for e in chosen]
