"""The incident log's write-side rules: what may be appended, given what is there.

`IncidentLog` is a fold over every accepted entry that keeps only what its
rules need: the event ids it holds, the vehicles, crew members and incidents
that have been registered, and each vehicle's movements in valid time. It has
no clock and does no I/O: the caller passes the recording time and the actor,
and stores the entries it returns.

A batch is checked as a whole against the log plus the batch's earlier events,
so one import can register a vehicle and dock it; if any event is refused the
whole batch is.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.entry import Draft, Entry
from domain.errors import DomainError, IdConflict, RuleViolation, UnknownReference
from domain.vocabulary import Movement, references

# For each movement, the movements that may come directly before it (None: the
# story starts here). A capsule that landed may fly again; nothing docks twice
# without undocking between, and nothing lands while still docked.
ALLOWED_AFTER: dict[Movement, frozenset[Movement | None]] = {
    "launched": frozenset({None, "landed"}),
    "docked": frozenset({None, "launched", "undocked"}),
    "undocked": frozenset({"docked"}),
    "landed": frozenset({None, "launched", "undocked"}),
}


@dataclass(frozen=True, order=True)
class _Move:
    start: datetime
    order: tuple[int, int]  # (position, index in batch): ties in valid time go in log order
    movement: Movement = field(compare=False)
    day: str = field(compare=False)
    event: UUID = field(compare=False)


@dataclass(frozen=True)
class Acceptance:
    """The outcome of a checked batch: events to store, and retries already stored."""

    new: list[Entry]
    already_stored: list[Entry]


class IncidentLog:
    """What the rules need to know about the log, kept up to date entry by entry."""

    def __init__(self) -> None:
        self.head = 0  # position of the last entry folded in
        self._entries: dict[UUID, Entry] = {}
        self._registered: dict[str, set[str]] = {"vehicle": set(), "crew": set(), "incident": set()}
        self._moves: dict[str, list[_Move]] = {}

    def __contains__(self, event_id: UUID) -> bool:
        return event_id in self._entries

    def get(self, event_id: UUID) -> Entry | None:
        return self._entries.get(event_id)

    def is_registered(self, kind: str, identifier: str) -> bool:
        return identifier in self._registered[kind]

    def apply(self, entry: Entry) -> None:
        """Fold one stored entry in (entries arrive in position order)."""
        self._entries[entry.id] = entry
        payload = entry.payload
        if payload.registers and payload.registered_id:
            self._registered[payload.registers].add(payload.registered_id)
        if payload.moved_vehicle:
            bisect.insort(self._moves.setdefault(payload.moved_vehicle, []), _move(entry, (entry.position, 0)))
        self.head = max(self.head, entry.position)

    def extend(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.apply(entry)

    def accept(self, drafts: Sequence[Draft], recorded_at: datetime, actor: str) -> Acceptance:
        """Check a batch; return the entries to store (positions still to be given).

        Raises a `DomainError` whose field says which event of the batch and
        which of its fields broke which rule.
        """
        batch = _Batch(self)
        new: list[Entry] = []
        stored: list[Entry] = []
        for index, draft in enumerate(drafts):
            prefix = f"events[{index}]" if len(drafts) > 1 else ""
            try:
                existing = self._entries.get(draft.id)
                if existing is not None:
                    if not existing.matches(draft):
                        raise IdConflict("id", f"event {draft.id} is already in the log with "
                                         "different content; use a new id for a new event")
                    stored.append(existing)
                    continue
                entry = Entry.record(draft, recorded_at, actor, position=0)
                batch.check(entry, index)
                batch.add(entry, index)
                new.append(entry)
            except DomainError as error:
                if not prefix:
                    raise
                raise error.at(prefix) from None
        return Acceptance(new, stored)


class _Batch:
    """The log plus the batch's earlier events, without changing the log."""

    def __init__(self, log: IncidentLog) -> None:
        self.log = log
        self.ids: set[UUID] = set()
        self.registered: dict[str, set[str]] = {"vehicle": set(), "crew": set(), "incident": set()}
        self.moves: dict[str, list[_Move]] = {}

    def knows(self, kind: str, identifier: str) -> bool:
        return identifier in self.registered[kind] or self.log.is_registered(kind, identifier)

    def check(self, entry: Entry, index: int) -> None:
        if entry.id in self.ids:
            raise IdConflict("id", f"event {entry.id} appears twice in the batch")
        payload = entry.payload
        if payload.registers and payload.registered_id and self.knows(payload.registers, payload.registered_id):
            raise RuleViolation("data.id", f"{payload.registers} {payload.registered_id!r} is already registered")
        for i, event_id in enumerate(entry.based_on):
            if event_id not in self.log and event_id not in self.ids:
                raise UnknownReference(f"based_on[{i}]", f"no event {event_id} in the log")
        opens = payload.registered_id if payload.registers == "incident" else None
        for i, incident in enumerate(entry.incidents):
            if incident != opens and not self.knows("incident", incident):
                raise UnknownReference(f"incidents[{i}]", f"no incident {incident!r}; "
                                       "open it with IncidentOpened first")
        for path, kind, identifier in references(payload):
            if kind == "event":
                if UUID(identifier) not in self.log and UUID(identifier) not in self.ids:
                    raise UnknownReference(path, f"no event {identifier} in the log")
            elif not self.knows(kind, identifier):
                raise UnknownReference(path, f"no {kind} {identifier!r}; register it first")
        if payload.moved_vehicle:
            self._check_movement(entry, payload.moved_vehicle, index)

    def add(self, entry: Entry, index: int) -> None:
        self.ids.add(entry.id)
        payload = entry.payload
        if payload.registers and payload.registered_id:
            self.registered[payload.registers].add(payload.registered_id)
        if payload.moved_vehicle:
            bisect.insort(self._moves_of(payload.moved_vehicle), _move(entry, (self.log.head + 1, index)))

    def _moves_of(self, vehicle: str) -> list[_Move]:
        if vehicle not in self.moves:
            self.moves[vehicle] = list(self.log._moves.get(vehicle, []))
        return self.moves[vehicle]

    def _check_movement(self, entry: Entry, vehicle: str, index: int) -> None:
        moves = list(self._moves_of(vehicle))
        candidate = _move(entry, (self.log.head + 1, index))
        bisect.insort(moves, candidate)
        at = moves.index(candidate)
        # The new movement must follow the one before it, and the one after it
        # must still follow the new one: a back-dated landing cannot slip in
        # before a docking that is already recorded.
        for earlier, later in ((moves[at - 1] if at else None, candidate),
                               (candidate, moves[at + 1] if at + 1 < len(moves) else None)):
            if later is None:
                continue
            previous = earlier.movement if earlier else None
            if previous not in ALLOWED_AFTER[later.movement]:
                raise RuleViolation("data.vehicle", _movement_refusal(vehicle, earlier, later, candidate))


def _move(entry: Entry, order: tuple[int, int]) -> _Move:
    movement = entry.payload.movement
    assert movement is not None
    return _Move(entry.occurred_at.start, order, movement, entry.occurred_at.isoformat(), entry.id)


def _movement_refusal(vehicle: str, earlier: _Move | None, later: _Move, new: _Move) -> str:
    if later is not new:
        return (f"{vehicle} cannot be {new.movement} on {new.day}: the log already has it "
                f"{later.movement} on {later.day}, which could not follow that")
    if earlier is None:
        return f"{vehicle} cannot be {new.movement} on {new.day}: no earlier movement makes that possible"
    return f"{vehicle} was {earlier.movement} on {earlier.day}; it cannot be {new.movement} on {new.day}"
