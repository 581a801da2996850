"""The decision audit: how a decision was reached, what was known when it was
taken, and what has changed since.

`audit(entries, horizon, decision_id)` answers for one `DecisionTaken` event,
as the audit could have been written at `horizon.known_at` from what this log
had stored by `horizon.recorded_before`. `horizon.as_of` does not restrict an
audit: it is about knowledge, and what came after the decision in valid time
(its consequences, what was learned later) is part of the answer.

The answer (`DecisionAudit.to_json()`; every event is the entry's JSON, as
believed at `known_at`, with `corrected_by`):

- ``decision``: the decision event (its data holds authority, summary,
  rationale, alternatives and supersedes);
- ``evidence``: the graph of what it rests on through ``based_on``,
  transitively: ``nodes`` (nearest first, each with ``depth`` and ``status``:
  ``believed``; ``retracted``, shown as written, with ``retracted_by``; or
  ``unknown``, only its id, when not reported by ``known_at``) and ``edges``
  (``from`` rests on ``to``; the first ``from`` is the decision);
- ``known_when_taken``: the events of the decision's incidents, and its
  evidence, reported at or before the decision occurred (at the coarser of the
  two precisions), not resting on the decision;
- ``learned_afterwards``: the events of its incidents, or naming the vehicles
  or crew its evidence and consequences name, reported later, and everything
  that rests on the decision (``follows_from_decision``). A fact is in exactly one of these two lists;
  corrections are not facts (they are in ``basis_changed``) and retracted
  events are in neither;
- ``basis_changed``: each correction or retraction of the evidence reported
  after the decision, with the evidence as it was believed when the decision
  was taken and as it is believed now (``null`` once retracted);
- ``supersedes`` / ``superseded_by``: decisions it replaced, and those that
  replaced it;
- ``consequences``: events whose ``based_on`` names the decision, each with the
  fields of the station picture it set: ``value`` as set, ``now`` once
  everything known has happened, and ``current`` when the two are equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from domain import vocabulary as v
from domain.corrections import Amendments, believed
from domain.entry import Entry
from domain.errors import InvalidValue
from domain.order import ValidTimeOrder
from domain.times import TimePoint, query_bound
from projections.explain import describe
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import Picture, Tracked, derive_return_crews, evolve

Status = Literal["believed", "retracted", "unknown"]


@dataclass(frozen=True)
class EventRef:
    """An event an audit names: as believed at `known_at`; as written, if
    retracted since; or only its id, if not reported by `known_at`."""

    id: UUID
    entry: Entry | None
    retracted_by: tuple[UUID, ...] = ()

    @property
    def status(self) -> Status:
        if self.entry is None:
            return "unknown"
        return "retracted" if self.retracted_by else "believed"

    def to_json(self) -> dict[str, Any]:
        if self.entry is None:
            return {"id": str(self.id), "status": "unknown"}
        body = {**describe(self.entry), "status": self.status}
        if self.retracted_by:
            body["retracted_by"] = [str(i) for i in self.retracted_by]
        return body


@dataclass(frozen=True)
class EvidenceNode(EventRef):
    depth: int = 1  # 1: the decision rests on it directly

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "depth": self.depth}


@dataclass(frozen=True)
class BasisChange:
    """Evidence amended after the decision was taken."""

    evidence: Entry  # as believed when the decision was taken
    amendment: Entry
    now: Entry | None  # as believed at known_at; None once retracted

    @property
    def change(self) -> Literal["corrected", "retracted"]:
        return "retracted" if isinstance(self.amendment.payload, v.EntryRetracted) else "corrected"

    def to_json(self) -> dict[str, Any]:
        return {"change": self.change, "evidence": describe(self.evidence), "amendment": describe(self.amendment),
                "now": describe(self.now) if self.now else None}


@dataclass(frozen=True)
class FieldSet:
    """One field of the station picture a consequence set."""

    subject: Literal["vehicle", "crew", "incident"]
    id: str
    field: str
    value: Any  # the value it set
    now: Any  # the value once everything known has happened

    @property
    def current(self) -> bool:
        return bool(self.now == self.value)

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "id": self.id, "field": self.field, "value": self.value,
                "now": self.now, "current": self.current}


@dataclass(frozen=True)
class Consequence:
    event: Entry
    changed: list[FieldSet]

    def to_json(self) -> dict[str, Any]:
        return {"event": describe(self.event), "changed": [c.to_json() for c in self.changed]}


@dataclass(frozen=True)
class DecisionAudit:
    horizon: Horizon
    position: int  # the last log position the answer drew on
    decision: Entry
    evidence: list[EvidenceNode]
    edges: list[tuple[UUID, UUID]]  # (from, to): `from` rests on `to`
    known_when_taken: list[Entry]
    learned_afterwards: list[Entry]
    follows: frozenset[UUID]  # the events resting on the decision, transitively
    basis_changed: list[BasisChange]
    supersedes: list[EventRef]
    superseded_by: list[Entry]
    consequences: list[Consequence]

    @property
    def taken(self) -> v.DecisionTaken:
        payload = self.decision.payload
        assert isinstance(payload, v.DecisionTaken)
        return payload

    def node(self, event_id: UUID) -> EventRef | None:
        return next((n for n in self.evidence if n.id == event_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            **audit_horizon_json(self.horizon),
            "position": self.position,
            "decision": describe(self.decision),
            "evidence": {"nodes": [n.to_json() for n in self.evidence],
                         "edges": [{"from": str(a), "to": str(b)} for a, b in self.edges]},
            "known_when_taken": [describe(e) for e in self.known_when_taken],
            "learned_afterwards": [{**describe(e), "follows_from_decision": e.id in self.follows}
                                   for e in self.learned_afterwards],
            "basis_changed": [c.to_json() for c in self.basis_changed],
            "supersedes": [r.to_json() for r in self.supersedes],
            "superseded_by": [describe(e) for e in self.superseded_by],
            "consequences": [c.to_json() for c in self.consequences],
        }


def audit_horizon_json(horizon: Horizon) -> dict[str, Any]:
    """The horizon of an audit: `as_of` does not apply to one."""
    return {k: value for k, value in horizon.to_json().items() if k != "as_of"}


# What each consequence set in the station picture, given the consequences.
SetFields = Callable[[list[Entry]], list[tuple[Entry, list[FieldSet]]]]
Setting = tuple[Literal["vehicle", "crew", "incident"], Tracked, str, Any]  # a view, a field, the value it was set to


def audit(entries: Iterable[Entry], horizon: Horizon, decision_id: UUID,
          changes: SetFields | None = None) -> DecisionAudit | None:
    """The audit of one decision; None if no decision with that id is known at the horizon.

    What the consequences set is worked out by folding everything known
    through all of valid time (`_changes`), unless `changes` is given: a
    caller that passes only the entries the audit is about (`store.
    bounded_reads`) gets it from a fold it keeps elsewhere.
    """
    log = _Knowledge(entries, horizon)
    decision = log.known.get(decision_id)
    if decision is None or not isinstance(decision.payload, v.DecisionTaken):
        return None
    evidence, edges = log.evidence(decision)
    dependents = log.dependents()
    descendants = _reachable(decision.id, dependents)
    order = ValidTimeOrder(log.known.get)
    consequences = order.sorted(dependents.get(decision.id, []))
    subjects = {s for node in evidence if node.entry for s in subjects_named(node.entry)}
    subjects |= {s for e in consequences for s in subjects_named(e)}
    in_evidence = {node.id for node in evidence}
    known_then, afterwards = [], []
    for entry in order.sorted(log.facts()):
        if entry.id == decision.id:
            continue
        shared = bool(set(entry.incidents) & set(decision.incidents))
        later = entry.id in descendants or not entry.reported_at.not_after(decision.occurred_at)
        if not later and (shared or entry.id in in_evidence):
            known_then.append(entry)
        elif later and (shared or entry.id in descendants or bool(subjects_named(entry) & subjects)):
            afterwards.append(entry)
    return DecisionAudit(
        horizon=horizon,
        position=log.position,
        decision=decision,
        evidence=evidence,
        edges=edges,
        known_when_taken=known_then,
        learned_afterwards=afterwards,
        follows=frozenset(descendants),
        basis_changed=log.basis_changed(decision, evidence),
        supersedes=[log.ref(UUID(i)) for i in decision.payload.supersedes],
        superseded_by=sorted((e for e in log.facts() if isinstance(e.payload, v.DecisionTaken)
                              and str(decision.id) in e.payload.supersedes), key=order.key),
        consequences=[Consequence(e, changed) for e, changed in
                      (changes(consequences) if changes is not None else _changes(log, consequences))],
    )


# --- Decisions ----------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFilter:
    """Which decisions to list: by incident, by authority (ignoring case), and
    by when they occurred (a bare date bound includes that whole day)."""

    incident: str | None = None
    authority: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None

    @classmethod
    def parse(cls, incident: str | None = None, authority: str | None = None, occurred_from: str | None = None,
              occurred_to: str | None = None) -> DecisionFilter:
        """A filter from query text; errors name the parameter."""
        start = TimePoint.parse(occurred_from, "occurred_from").start if occurred_from else None
        end = query_bound(occurred_to, "occurred_to", datetime.max.replace(tzinfo=UTC)) if occurred_to else None
        if start and end and end < start:
            raise InvalidValue("occurred_to", f"({occurred_to}) is before the start of the range ({occurred_from})")
        return cls(incident or None, authority or None, start, end)

    def admits(self, entry: Entry) -> bool:
        payload = entry.payload
        if not isinstance(payload, v.DecisionTaken):
            return False
        if self.incident is not None and self.incident not in entry.incidents:
            return False
        if self.authority is not None and (
                payload.authority is None or _folded(self.authority) != _folded(payload.authority)):
            return False  # a decision whose source names no authority matches no authority filter
        if self.occurred_from is not None and entry.occurred_at.end < self.occurred_from:
            return False
        return self.occurred_to is None or entry.occurred_at.start <= self.occurred_to


@dataclass(frozen=True)
class DecisionSummary:
    decision: Entry
    superseded_by: list[UUID] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**describe(self.decision), "superseded_by": [str(i) for i in self.superseded_by]}


def decisions(entries: Iterable[Entry], horizon: Horizon, where: DecisionFilter | None = None) -> list[DecisionSummary]:
    """The decisions taken by `as_of`, as known at `known_at`, in the order they were taken."""
    where = where or DecisionFilter()
    known = beliefs(entries, horizon)
    taken = [e for e in in_valid_time(known, horizon) if isinstance(e.payload, v.DecisionTaken)]
    replaced_by: dict[str, list[UUID]] = {}
    for entry in ValidTimeOrder(known.get).sorted(known.values()):
        if isinstance(entry.payload, v.DecisionTaken):
            for superseded in entry.payload.supersedes:
                replaced_by.setdefault(superseded, []).append(entry.id)
    return [DecisionSummary(e, replaced_by.get(str(e.id), [])) for e in taken if where.admits(e)]


# --- How the audit is worked out -------------------------------------------------


class _Knowledge:
    """What the log holds at the horizon: every event as written, the
    amendments naming it, and what is believed of it at `known_at`."""

    def __init__(self, entries: Iterable[Entry], horizon: Horizon) -> None:
        self.horizon = horizon
        stored = [e for e in entries if horizon.stored(e)]
        self.position = max((e.position for e in stored), default=0)
        self.written = {e.id: e for e in stored}
        self.amendments = Amendments.among(stored)
        self.known = beliefs(stored, horizon)

    def facts(self) -> list[Entry]:
        """The events believed at `known_at`, corrections and retractions aside."""
        return [e for e in self.known.values() if not e.payload.amends]

    def visible_amendments(self, event_id: UUID) -> list[Entry]:
        """Corrections and retractions of the event believed at `known_at`, in the order they became known."""
        found = [self.known[a.id] for a in self.amendments.of(event_id) if a.id in self.known]
        return sorted(found, key=lambda a: (a.reported_at.start, str(a.id)))

    def ref(self, event_id: UUID) -> EventRef:
        if event_id in self.known:
            return EventRef(event_id, self.known[event_id])
        retractions = tuple(a.id for a in self.visible_amendments(event_id)
                            if isinstance(a.payload, v.EntryRetracted))
        written = self.written.get(event_id)
        if written is not None and retractions:
            return EventRef(event_id, written, retractions)
        return EventRef(event_id, None)

    def evidence(self, decision: Entry) -> tuple[list[EvidenceNode], list[tuple[UUID, UUID]]]:
        """Everything `decision` rests on, nearest first, and each rests-on edge."""
        nodes: list[EvidenceNode] = []
        edges: list[tuple[UUID, UUID]] = []
        seen = {decision.id}
        frontier: list[Entry] = [decision]
        depth = 0
        while frontier:
            depth += 1
            next_frontier: list[Entry] = []
            for parent in frontier:
                for event_id in parent.based_on:
                    edges.append((parent.id, event_id))
                    if event_id in seen:
                        continue
                    seen.add(event_id)
                    ref = self.ref(event_id)
                    nodes.append(EvidenceNode(ref.id, ref.entry, ref.retracted_by, depth))
                    if ref.entry is not None:
                        next_frontier.append(ref.entry)
            frontier = next_frontier
        return nodes, edges

    def basis_changed(self, decision: Entry, evidence: list[EvidenceNode]) -> list[BasisChange]:
        """Corrections and retractions of the evidence reported after the decision."""
        then = min(decision.occurred_at.end, self.horizon.known_at)
        changes = []
        for node in evidence:
            written = self.written.get(node.id)
            if written is None:
                continue
            as_then = believed(written, self.amendments, then) or written
            for amendment in self.visible_amendments(node.id):
                if not amendment.reported_at.not_after(decision.occurred_at):
                    changes.append(BasisChange(as_then, amendment, self.known.get(node.id)))
        return sorted(changes, key=lambda c: (c.amendment.reported_at.start, str(c.amendment.id)))

    def dependents(self) -> dict[UUID, list[Entry]]:
        """For each event, the believed events whose `based_on` names it."""
        found: dict[UUID, list[Entry]] = {}
        for entry in self.facts():
            for event_id in entry.based_on:
                found.setdefault(event_id, []).append(entry)
        return found


def _reachable(start: UUID, dependents: dict[UUID, list[Entry]]) -> set[UUID]:
    """Every event resting on `start`, transitively."""
    found: set[UUID] = set()
    frontier = [start]
    while frontier:
        frontier = [e.id for event_id in frontier for e in dependents.get(event_id, []) if e.id not in found]
        found.update(frontier)
    return found


def subjects_named(entry: Entry) -> set[tuple[str, str]]:
    """The vehicles and crew members an event names (or registers)."""
    named = {(kind, name) for _, kind, name in v.references(entry.payload) if kind in ("vehicle", "crew")}
    registers, registered = entry.payload.registers, entry.payload.registered_id
    if registers in ("vehicle", "crew") and registered:
        named.add((registers, registered))
    return named


def _changes(log: _Knowledge, consequences: list[Entry]) -> list[tuple[Entry, list[FieldSet]]]:
    """What each consequence set in the station picture, folding everything known
    through all of valid time; `current` when nothing later set it again."""
    wanted = {e.id for e in consequences}
    picture = Picture()
    set_then: dict[UUID, list[Setting]] = {}
    everything = Horizon(datetime.max.replace(tzinfo=UTC), log.horizon.known_at, log.horizon.recorded_before)
    for entry in in_valid_time(log.known, everything):
        evolve(picture, entry)
        if entry.id in wanted:
            set_then[entry.id] = fields_set(picture, entry)
    derive_return_crews(picture)
    return [(e, [FieldSet(kind, getattr(view, "id", ""), name, value, view.to_json()[name])
                 for kind, view, name, value in set_then.get(e.id, [])]) for e in consequences]


def fields_set(picture: Picture, entry: Entry) -> list[Setting]:
    """The fields of the picture `entry` set, with their values, just after it was folded in."""
    return [(kind, view, name, view.to_json()[name])
            for kind, view in _views(picture)
            for name, setter in view.set_by.items() if setter == entry.id]


def _views(picture: Picture) -> list[tuple[Literal["vehicle", "crew", "incident"], Tracked]]:
    return [*(("vehicle", picture.vehicles[k]) for k in sorted(picture.vehicles)),
            *(("crew", picture.crew[k]) for k in sorted(picture.crew)),
            *(("incident", picture.incidents[k]) for k in sorted(picture.incidents))]


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())
