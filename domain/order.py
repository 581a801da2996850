"""The one order of events in valid time, for the fold and the write-side rules alike.

Events fall in valid-time order by their own content (`Entry.valid_time_key`:
time, the type's rank, reporting time, id). That is not enough when valid
times overlap: an event known only to the day sorts at the start of its day,
before a timed event of that day it rests on (a clearance resting on a test
finished at 14:30; a docking resting on that afternoon's launch). So an event
also comes after every event it rests on (`based_on`) that did not happen
later than it, at the coarser of the two precisions.

The key that says so is the valid-time key of the latest such evidence (its
own causal key) followed by the event's own key: it sorts just after that
evidence, and among other events exactly where the evidence does. It depends
only on the event, the events it rests on and their times as believed, never
on log positions, so any order of appending gives the same fold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

from domain.entry import Entry

OrderKey = tuple[datetime | int | str, ...]  # one or more valid-time keys, one after the other
Lookup = Callable[[UUID], Entry | None]


class ValidTimeOrder:
    """Keys for events, given a way to find (as believed) the events they rest on.

    Events the lookup cannot find (not yet reported, retracted, not in the
    log) do not move anything.
    """

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self._keys: dict[UUID, OrderKey] = {}

    def key(self, entry: Entry) -> OrderKey:
        found = self._keys.get(entry.id)
        if found is None:
            if not entry.based_on:  # most events rest on nothing: their own key
                found = self._keys[entry.id] = entry.valid_time_key
            else:
                self._settle(entry)
                found = self._keys[entry.id]
        return found

    def start(self, entry: Entry) -> datetime:
        """When the event counts in valid time: its own time, or the time of the
        latest evidence of the same day it must follow."""
        first = self.key(entry)[0]
        assert isinstance(first, datetime)
        return first

    def sorted(self, entries: Iterable[Entry]) -> list[Entry]:
        return sorted(entries, key=self.key)

    def _settle(self, entry: Entry) -> None:
        # Depth first without recursion: evidence chains can be long.
        stack: list[tuple[Entry, bool]] = [(entry, False)]
        on_path: set[UUID] = set()
        while stack:
            current, evidence_settled = stack.pop()
            if current.id in self._keys:
                continue
            evidence = self._evidence(current)
            if not evidence_settled:
                on_path.add(current.id)
                stack.append((current, True))
                # A cycle cannot be stored (evidence must already exist); guard anyway.
                stack.extend((e, False) for e in evidence if e.id not in self._keys and e.id not in on_path)
                continue
            on_path.discard(current.id)
            own: OrderKey = current.valid_time_key
            latest = max((self._keys[e.id] for e in evidence if e.id in self._keys), default=own)
            self._keys[current.id] = (*latest, *own) if latest > own else own

    def _evidence(self, entry: Entry) -> list[Entry]:
        found = []
        for event_id in entry.based_on:
            evidence = self._lookup(event_id)
            if evidence is not None and evidence.occurred_at.not_after(entry.occurred_at):
                found.append(evidence)
        return found
