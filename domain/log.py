"""The incident log's write-side rules: what may be appended, given what is there.

`IncidentLog` is a fold over every accepted entry that keeps only what its
rules need: the event ids it holds, the corrections and retractions, the
vehicles, crew members and incidents registered, and each vehicle's movements
in valid time, all as currently believed (corrections applied). It has no
clock and does no I/O: the caller passes the recording time and the actor, and
stores the entries it returns.

A batch is checked as a whole against the log plus the batch's other events,
so one import can register a vehicle and dock it; the order of its lines does
not matter for references (an event naming an incident opened, or resting on
an event, further down the same batch is checked after it). If any event is
refused the whole batch is. Several writers' batches can be checked in turn
(`accept_each`), each as if the ones before it were stored, so that they can be
stored together and each still stands or falls alone. A batch too long to
hold (an import's file) is checked a part at a time (`PartsCheck`).

A vehicle's movements are checked in the one valid-time order the projections
fold in (`domain.order`): an event comes after what it rests on.

The rules read the log through `LogView`, the few questions they ask of it.
`IncidentLog`, the fold in memory, is one answer and the reference; the store
answers the same questions from tables in the database (`store.rules_index`),
so that a writer need not hold the whole log.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.corrections import Amendments, believed, corrected
from domain.entry import Draft, Entry
from domain.errors import DomainError, IdConflict, InvalidValue, RuleViolation, UnknownReference
from domain.order import OrderKey, ValidTimeOrder
from domain.vocabulary import EntryCorrected, Movement, references


@dataclass(frozen=True, order=True)
class Move:
    """A movement where it falls in its vehicle's timeline."""

    key: OrderKey  # where the entry falls in valid time: projections fold in this order
    movement: Movement = field(compare=False)
    follows: frozenset[Movement | None] = field(compare=False)  # what may come directly before it
    day: str = field(compare=False)
    event: UUID = field(compare=False)


@dataclass(frozen=True)
class Acceptance:
    """The outcome of a checked batch: events to store, and retries already stored."""

    new: list[Entry]
    already_stored: list[Entry]


@dataclass(frozen=True)
class Proposal:
    """One writer's batch, to be checked with others' (`IncidentLog.accept_each`)."""

    drafts: Sequence[Draft]
    recorded_at: datetime
    actor: str


class LogView(Protocol):
    """What the rules ask of the log as stored (the batch being checked aside)."""

    @property
    def head(self) -> int:
        """The position of the last entry the view holds."""
        ...

    def get(self, event_id: UUID) -> Entry | None:
        """The event as written, if the log holds it."""
        ...

    def amendments_of(self, event_id: UUID) -> list[Entry]:
        """The corrections and retractions naming the event (as written)."""
        ...

    def registration(self, kind: str, identifier: str) -> Entry | None:
        """The believed registration of the id with the lowest position, if any."""
        ...

    def current(self, event_id: UUID) -> Entry | None:
        """The event as now believed; None if unknown or retracted."""
        ...

    def timeline(self, vehicle: str) -> list[Move]:
        """The vehicle's movements as now believed, in valid-time order (see `timeline`)."""
        ...


def timeline(movements: Iterable[Entry], order: ValidTimeOrder) -> list[Move]:
    """Believed movements of one vehicle, sorted where the projections fold them."""
    return sorted(_move(entry, order) for entry in movements)


class IncidentLog:
    """What the rules need to know about the log, kept up to date entry by entry
    (a `LogView` held in memory)."""

    def __init__(self) -> None:
        self.head = 0  # position of the last entry folded in
        self._entries: dict[UUID, Entry] = {}
        self._amendments = Amendments()
        self._registrations: dict[tuple[str, str], dict[UUID, Entry]] = {}  # (kind, id) -> believed registrations
        self._moves: dict[str, list[Move]] = {}
        self._moved: dict[UUID, str] = {}  # movement event -> the vehicle whose timeline holds it
        self._current: dict[UUID, Entry] = {}  # every event as now believed (retracted ones left out)
        self._dependents: dict[UUID, list[UUID]] = {}  # event -> the events resting on it

    def __contains__(self, event_id: UUID) -> bool:
        return event_id in self._entries

    def get(self, event_id: UUID) -> Entry | None:
        return self._entries.get(event_id)

    def amendments_of(self, event_id: UUID) -> list[Entry]:
        return self._amendments.of(event_id)

    @property
    def amendments(self) -> Amendments:
        return self._amendments

    def is_registered(self, kind: str, identifier: str) -> bool:
        return self.registration(kind, identifier) is not None

    def registration(self, kind: str, identifier: str) -> Entry | None:
        """The believed registration of the id with the lowest position. (They
        name the same thing unless a correction changed one; then the earliest
        stored decides, an answer that does not depend on how it was reached.)"""
        return min(self._registrations.get((kind, identifier), {}).values(), key=lambda e: e.position, default=None)

    def current(self, event_id: UUID) -> Entry | None:
        """The event as now believed; None if unknown or retracted."""
        return self._current.get(event_id)

    def timeline(self, vehicle: str) -> list[Move]:
        return self._moves.get(vehicle, [])

    def apply(self, entry: Entry) -> None:
        """Fold one stored entry in (entries arrive in position order)."""
        self._entries[entry.id] = entry
        self._amendments.add(entry)
        for evidence in entry.based_on:
            self._dependents.setdefault(evidence, []).append(entry.id)
        self._refresh(entry.id)
        self.head = max(self.head, entry.position)

    def extend(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.apply(entry)

    def _refresh(self, event_id: UUID) -> None:
        """Re-derive what `event_id` contributes, and what the events it amends do."""
        while True:
            original = self._entries[event_id]
            current = believed(original, self._amendments)
            if current is None:
                self._current.pop(event_id, None)
            else:
                self._current[event_id] = current
            payload = original.payload
            if payload.registers and payload.registered_id:
                registrations = self._registrations.setdefault((payload.registers, payload.registered_id), {})
                if current is None:
                    registrations.pop(event_id, None)
                else:
                    registrations[event_id] = current
            self._place_movements(event_id)
            if payload.amended_event is None:
                return
            event_id = payload.amended_event

    def _place_movements(self, event_id: UUID) -> None:
        """Put a movement (and every movement resting on it, whose place in
        valid time may follow it) where its believed version falls."""
        if event_id not in self._dependents and not self._entries[event_id].payload.moved_vehicle:
            return  # most events: neither a movement nor evidence for anything yet
        order = ValidTimeOrder(self._current.get)
        pending, seen = [event_id], set()
        while pending:
            moved_id = pending.pop()
            if moved_id in seen:
                continue
            seen.add(moved_id)
            pending.extend(self._dependents.get(moved_id, ()))
            if not self._entries[moved_id].payload.moved_vehicle:
                continue
            if moved_id in self._moved:
                timeline = self._moves[self._moved.pop(moved_id)]
                timeline[:] = [m for m in timeline if m.event != moved_id]
            current = self._current.get(moved_id)
            if current is not None and current.payload.moved_vehicle:
                self._moved[moved_id] = current.payload.moved_vehicle
                bisect.insort(self._moves.setdefault(current.payload.moved_vehicle, []), _move(current, order))

    def accept(self, drafts: Sequence[Draft], recorded_at: datetime, actor: str) -> Acceptance:
        return accept(self, drafts, recorded_at, actor)

    def accept_each(self, proposals: Sequence[Proposal]) -> list[Acceptance | DomainError]:
        return accept_each(self, proposals)


def accept(log: LogView, drafts: Sequence[Draft], recorded_at: datetime, actor: str) -> Acceptance:
    """Check a batch; return the entries to store (positions still to be given).

    Raises a `DomainError` whose field says which event of the batch and
    which of its fields broke which rule.
    """
    return _accept(log, _Batch(log), drafts, recorded_at, actor, earlier={})


def accept_each(log: LogView, proposals: Sequence[Proposal]) -> list[Acceptance | DomainError]:
    """Check several writers' batches in turn, each against the log plus the
    batches accepted before it, as if each had been stored before the next
    was checked (so that they can be stored together). A refused batch gets
    its error in its place and leaves no trace for the batches after it; an
    id that an earlier batch brings is a retry, or a conflict, as if stored.

    Checking stops after an accepted batch that corrects or retracts an
    event: the rules see what an amendment changes (a registration
    withdrawn, a movement moved in valid time) only once it is applied, so
    the batches after it are to be checked again once it is stored. The
    outcomes are those of the first `len(outcomes)` proposals, in order.
    """
    outcomes: list[Acceptance | DomainError] = []
    accepted: dict[UUID, Entry] = {}  # new entries of the batches accepted so far, in order
    batch = _Batch(log)
    for proposal in proposals:
        try:
            acceptance = _accept(log, batch, proposal.drafts, proposal.recorded_at, proposal.actor, accepted)
        except DomainError as error:
            outcomes.append(error)
            batch = _Batch(log)  # forget what the refused batch had added
            for entry in accepted.values():
                batch.add(entry)
            continue
        outcomes.append(acceptance)
        accepted.update((entry.id, entry) for entry in acceptance.new)
        if any(entry.payload.amends for entry in acceptance.new):
            break
    return outcomes


class PartsCheck:
    """One long batch (an import's file) checked a part at a time, each part
    against the log and the parts before it, as `accept` would check it
    whole, except that an event may only name events of its own part or of
    earlier ones: the order parts are stored in. `held` keeps the new events
    checked so far (a dict by default); an import keeps where each is in its
    file instead, and reads back the few a later event names, so that
    checking a file holds no more than the rules need."""

    def __init__(self, log: LogView, recorded_at: datetime, actor: str,
                 held: MutableMapping[UUID, Entry] | None = None) -> None:
        self._batch = _Batch(log, held)
        self._recorded_at, self._actor = recorded_at, actor
        self.already_stored = 0  # events the log holds already (idempotent retries)

    def check(self, drafts: Sequence[Draft]) -> None:
        """Check the next part; a `DomainError` names `events[i]` of this part."""
        acceptance = _accept(self._batch.log, self._batch, drafts, self._recorded_at, self._actor, earlier={})
        self.already_stored += len(acceptance.already_stored)


def _accept(log: LogView, batch: _Batch, drafts: Sequence[Draft], recorded_at: datetime, actor: str,
            earlier: Mapping[UUID, Entry]) -> Acceptance:
    """Check `drafts` against `batch` (the log and what it holds already),
    adding their new entries to it; `earlier` are new entries not yet in the log."""
    new: list[Entry] = []
    stored: list[Entry] = []
    for index in _in_dependency_order(drafts):
        draft = drafts[index]
        prefix = f"events[{index}]" if len(drafts) > 1 else ""
        try:
            existing = log.get(draft.id) or earlier.get(draft.id)
            if existing is not None:
                if not existing.matches(draft):
                    raise IdConflict("id", f"event {draft.id} is already in the log with "
                                     "different content; use a new id for a new event")
                stored.append(existing)
                continue
            entry = Entry.record(draft, recorded_at, actor, position=0)
            batch.check(entry)
            batch.add(entry)
            new.append(entry)
        except DomainError as error:
            if not prefix:
                raise
            raise error.at(prefix) from None
    return Acceptance(new, stored)


def _in_dependency_order(drafts: Sequence[Draft]) -> list[int]:
    """The batch's indexes, each after the events of the batch it names (the
    events it rests on or amends, the registrations of what it refers to);
    otherwise in the order given. A cycle is refused."""
    introduced: dict[object, int] = {}
    for index, draft in enumerate(drafts):
        introduced.setdefault(draft.id, index)
        payload = draft.payload
        if payload.registers and payload.registered_id:
            introduced.setdefault((payload.registers, payload.registered_id), index)
    waiting: list[set[int]] = []
    for index, draft in enumerate(drafts):
        named: list[object] = [*draft.based_on, *(("incident", i) for i in draft.incidents)]
        named += [UUID(identifier) if kind == "event" else (kind, identifier)
                  for _, kind, identifier in references(draft.payload)]
        waiting.append({introduced[n] for n in named if n in introduced} - {index})
    needed_by: dict[int, list[int]] = {}
    for index, needs in enumerate(waiting):
        for need in needs:
            needed_by.setdefault(need, []).append(index)
    ready = [i for i, needs in enumerate(waiting) if not needs]
    heapq.heapify(ready)
    ordered: list[int] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(index)
        for dependent in needed_by.get(index, []):
            waiting[dependent].discard(index)
            if not waiting[dependent]:
                heapq.heappush(ready, dependent)
    if len(ordered) < len(drafts):
        stuck = min(set(range(len(drafts))) - set(ordered))
        raise RuleViolation(f"events[{stuck}]", "rests on, amends or names events of this batch that in turn "
                            "depend on it; evidence must come before what rests on it")
    return ordered


class _Batch:
    """The log plus the batch's events checked so far, without changing the log."""

    def __init__(self, log: LogView, entries: MutableMapping[UUID, Entry] | None = None) -> None:
        self.log = log
        self.entries: MutableMapping[UUID, Entry] = {} if entries is None else entries
        self.amendments = Amendments()
        self.registered: dict[tuple[str, str], Entry] = {}
        self.moves: dict[str, list[Move]] = {}

    def of(self, event_id: UUID) -> list[Entry]:
        """Amendments of an event, in the log and earlier in the batch."""
        return [*self.log.amendments_of(event_id), *self.amendments.of(event_id)]

    def knows(self, kind: str, identifier: str) -> bool:
        return self.registration(kind, identifier) is not None

    def registration(self, kind: str, identifier: str) -> Entry | None:
        return self.registered.get((kind, identifier)) or self.log.registration(kind, identifier)

    def holds(self, event_id: UUID) -> bool:
        return event_id in self.entries or self.log.get(event_id) is not None

    def find(self, event_id: UUID) -> Entry:
        found = self.entries.get(event_id) or self.log.get(event_id)
        assert found is not None
        return found

    def check(self, entry: Entry) -> None:
        if entry.id in self.entries:
            raise IdConflict("id", f"event {entry.id} appears twice in the batch")
        payload = entry.payload
        if payload.registers and payload.registered_id:
            existing = self.registration(payload.registers, payload.registered_id)
            if existing is not None and not payload.names_the_same(existing.payload):
                same = " and ".join(payload.identity)
                raise RuleViolation("data.id", f"{payload.registers} {payload.registered_id!r} is already registered"
                                    + (f" with another {same}; a second registration must repeat its {same}"
                                       if same else ""))
        for i, event_id in enumerate(entry.based_on):
            if not self.holds(event_id):
                raise UnknownReference(f"based_on[{i}]", f"no event {event_id} in the log")
        opens = payload.registered_id if payload.registers == "incident" else None
        for i, incident in enumerate(entry.incidents):
            if incident != opens and not self.knows("incident", incident):
                raise UnknownReference(f"incidents[{i}]", f"no incident {incident!r}; "
                                       "open it with IncidentOpened first")
        self._check_references(entry, "data.")
        if payload.amends:
            self._check_amendment(entry)
        elif payload.moved_vehicle:
            self._check_timeline(payload.moved_vehicle, entry, replacing=None)

    def _check_references(self, entry: Entry, prefix: str) -> None:
        for path, kind, identifier in references(entry.payload):
            path = prefix + path.removeprefix("data.")
            if kind == "event":
                if not self.holds(UUID(identifier)):
                    raise UnknownReference(path, f"no event {identifier} in the log")
            elif not self.knows(kind, identifier):
                raise UnknownReference(path, f"no {kind} {identifier!r}; register it first")

    def _check_amendment(self, entry: Entry) -> None:
        target_id = entry.payload.amended_event
        assert target_id is not None
        target = believed(self.find(target_id), self)
        if target is None:
            raise RuleViolation("data.target", f"event {target_id} has been retracted; "
                                "it can no longer be corrected or retracted")
        change = entry.payload
        if not target.reported_at.not_after(entry.reported_at):
            raise InvalidValue("reported_at", f"({entry.reported_at}) is before the event it amends was "
                               f"reported ({target.reported_at}); what is not yet known cannot be amended")
        if isinstance(change, EntryCorrected):
            fixed = corrected(target, entry)
            if not fixed.reported_at.not_after(entry.reported_at):
                raise InvalidValue("data.changes.reported_at", f"({fixed.reported_at}) is after the correction "
                                   f"itself was reported ({entry.reported_at})")
            self._check_references(fixed, "data.changes.")
            if target.payload.moved_vehicle or fixed.payload.moved_vehicle:
                self._check_timeline(fixed.payload.moved_vehicle, fixed, replacing=target)
        elif target.payload.moved_vehicle:
            self._check_timeline(target.payload.moved_vehicle, None, replacing=target)

    def add(self, entry: Entry) -> None:
        self.entries[entry.id] = entry
        self.amendments.add(entry)
        payload = entry.payload
        if payload.registers and payload.registered_id:
            self.registered.setdefault((payload.registers, payload.registered_id), entry)
        if payload.moved_vehicle:
            bisect.insort(self._moves_of(payload.moved_vehicle), _move(entry, self.order()))
        # (An amendment of a movement within one batch is checked against the
        # log's timeline; the batch's own timeline keeps the original move.)

    def current(self, event_id: UUID) -> Entry | None:
        return self.entries.get(event_id) or self.log.current(event_id)

    def order(self) -> ValidTimeOrder:
        return ValidTimeOrder(self.current)

    def _moves_of(self, vehicle: str) -> list[Move]:
        if vehicle not in self.moves:
            self.moves[vehicle] = list(self.log.timeline(vehicle))
        return self.moves[vehicle]

    def _check_timeline(self, vehicle: str | None, moved: Entry | None, replacing: Entry | None) -> None:
        """The vehicle's movements, with `moved` added (and `replacing` taken out),
        must each follow the one before."""
        affected = {v for v in (vehicle, replacing.payload.moved_vehicle if replacing else None) if v}
        candidate = _move(moved, self.order()) if moved is not None and vehicle else None
        for name in affected:
            moves = [m for m in self._moves_of(name) if replacing is None or m.event != replacing.id]
            if candidate is not None and name == vehicle:
                bisect.insort(moves, candidate)
            for earlier, later in zip([None, *moves], moves, strict=False):
                previous = earlier.movement if earlier else None
                if previous not in later.follows:
                    raise RuleViolation("data.vehicle" if replacing is None else "data.target",
                                        _refusal(name, earlier, later, candidate))


def _move(entry: Entry, order: ValidTimeOrder) -> Move:
    payload = entry.payload
    assert payload.movement is not None
    return Move(order.key(entry), payload.movement, payload.follows, entry.occurred_at.isoformat(), entry.id)


def _refusal(vehicle: str, earlier: Move | None, later: Move, new: Move | None) -> str:
    if new is not None and later is not new and earlier is new:
        return (f"{vehicle} cannot be {new.movement} on {new.day}: the log already has it "
                f"{later.movement} on {later.day}, which could not follow that")
    if earlier is None:
        return f"{vehicle} cannot be {later.movement} on {later.day}: no earlier movement makes that possible"
    return f"{vehicle} was {earlier.movement} on {earlier.day}; it cannot be {later.movement} on {later.day}"
