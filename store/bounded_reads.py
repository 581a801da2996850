"""Audits, decision lists, case files and event records from the entries they
are about, found through the indexes, instead of from the whole log.

The reference answers are the projections' functions over every entry
(`projections.audit.audit`, `decisions`, `projections.case_file.case_file`).
Here each one is given a *sufficient* set of entries instead: whole families
(an event with every correction and retraction of it, at any depth, stored by
the horizon: what is believed of an event depends on its family alone), closed
under evidence (where an event falls in valid time depends on what it rests
on, transitively), holding every entry the answer could name or be changed by.
Those functions only ever look at the entries the answer is about and at the
evidence of those, so any such set, however much more it holds, gives the
same answer as the whole log; a property test holds them to it.

- An audit needs the decision, its evidence (transitively), the decisions it
  supersedes and those superseding it, the events resting on it
  (transitively), the events of its incidents, and the events naming the
  vehicles or crew its evidence and consequences name (`store.mentions`).
  What its consequences set "now" comes from the station picture once
  everything known has happened, which the read model answers
  (`ReadModel.state`), and what they set then from the fold carried to them
  from the nearest checkpoint (`ReadModel.carry_through`).
- A decision list needs every decision (a small part of any log); one
  filtered by incident, that incident's and those superseding them.
- A case file needs the events of its incident.
- An event record needs the event's family.

A history is the one answer still folded over all of valid time: no index
says which facts can change a subject (a docking moves its crew, a landing
ends assignments), so it folds every fact, but from the read model's slices,
a bounded number of entries at a time, never the log held whole.

Every set also holds the family of the last entry stored by the horizon, so
that "the last position the answer drew on" comes out the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain import vocabulary as v
from domain.corrections import Amendments, believed
from domain.entry import Entry
from projections.audit import (
    DecisionAudit,
    DecisionFilter,
    DecisionSummary,
    FieldSet,
    SetFields,
    Setting,
    audit,
    decisions,
    fields_set,
    subjects_named,
)
from projections.case_file import CaseFile, case_file
from projections.history import Subject, changes_of
from projections.horizon import Horizon, beliefs
from projections.picture import Picture, Tracked
from store.database import Rows
from store.mentions import MentionIndex
from store.read_model import ReadModel

EVERYTHING_HAPPENED = datetime.max.replace(tzinfo=UTC)


class _Families:
    """Whole families loaded from the store, up to one position."""

    def __init__(self, model: ReadModel, rows: Rows, position: int) -> None:
        self.model, self.rows, self.position = model, rows, position
        self.roots: set[str] = set()
        self.by_id: dict[UUID, Entry] = {}

    def add(self, roots: Iterable[str]) -> list[Entry]:
        """Load these families (those not loaded yet); return their entries."""
        new = set(roots) - self.roots
        if not new:
            return []
        self.roots |= new
        loaded = self.model._family_entries(self.rows, new, self.position)
        self.by_id.update((e.id, e) for e in loaded)
        return loaded

    def add_ids(self, ids: Iterable[UUID]) -> list[Entry]:
        wanted = [i for i in ids if i not in self.by_id]
        return self.add(self.model.index.roots_of(self.rows, wanted)) if wanted else []

    def with_evidence(self) -> None:
        """Close the set under `based_on`: every event anything loaded rests on, transitively."""
        frontier = list(self.by_id.values())
        while frontier:
            frontier = self.add_ids({i for e in frontier for i in e.based_on})

    def entries(self) -> list[Entry]:
        return sorted(self.by_id.values(), key=lambda e: e.position)


class BoundedReads:
    def __init__(self, model: ReadModel, mentions: MentionIndex) -> None:
        self.model, self.mentions = model, mentions

    def _open(self, rows: Rows, horizon: Horizon) -> _Families:
        """Families stored by the horizon, starting with the last entry's."""
        position = self.model._level(rows, horizon).position
        families = _Families(self.model, rows, position)
        last = rows.execute(f"SELECT root FROM {self.model.index.entries} WHERE position = ?", (position,)).one()
        families.add([str(last[0])] if last else [])
        return families

    # --- Event records ------------------------------------------------------

    def event_record(self, event_id: UUID, horizon: Horizon) -> tuple[Entry, list[Entry], Entry | None] | None:
        """The event as written, the amendments naming it that are reported by
        `known_at`, and what is believed of it then (None once retracted)."""
        with self.model.db.reading() as rows:
            families = _Families(self.model, rows, self.model._level(rows, horizon).position)
            families.add_ids([event_id])
        entry = families.by_id.get(event_id)
        if entry is None:
            return None
        amendments = Amendments.among(families.entries())
        visible = [a for a in amendments.of(event_id) if a.reported_at.start <= horizon.known_at]
        return entry, visible, believed(entry, amendments, horizon.known_at)

    # --- Decisions and case files -------------------------------------------

    def decisions(self, horizon: Horizon, where: DecisionFilter | None = None) -> list[DecisionSummary]:
        """Every decision (a filter by incident: only that incident's, and those superseding them)."""
        with self.model.db.reading() as rows:
            families = self._open(rows, horizon)
            at = families.position
            if where is not None and where.incident is not None:
                taken = (self.mentions.roots(rows, "incident", [where.incident], at)
                         & self.mentions.roots(rows, "type", ["DecisionTaken"], at))
                families.add(taken)
                families.add(self.mentions.roots(rows, "supersedes", taken, at, any_kind=True))
            else:
                families.add(self.mentions.roots(rows, "type", ["DecisionTaken"], at))
            families.with_evidence()
        return decisions(families.entries(), horizon, where)

    def incident_file(self, incident_id: str, horizon: Horizon) -> CaseFile | None:
        with self.model.db.reading() as rows:
            families = self._open(rows, horizon)
            families.add(self.mentions.roots(rows, "incident", [incident_id], families.position))
            families.with_evidence()
        return case_file(families.entries(), horizon, incident_id)

    # --- Audits -------------------------------------------------------------

    def audit(self, decision_id: UUID, horizon: Horizon) -> DecisionAudit | None:
        with self.model.db.reading() as rows:
            families = self._open(rows, horizon)
            at = families.position
            level = replace(horizon, recorded_before=at)
            families.add_ids([decision_id])
            decision = beliefs(families.entries(), level).get(decision_id)
            if decision is None or not isinstance(decision.payload, v.DecisionTaken):
                return None
            families.add(self.mentions.roots(rows, "incident", decision.incidents, at))
            families.add(self.mentions.roots(rows, "supersedes", [decision_id.hex], at, any_kind=True))
            families.add_ids(UUID(i) for i in decision.payload.supersedes)
            evidence = self._evidence(families, decision)
            consequences = self._resting_on(families, rows, decision_id, level)
            known = beliefs(families.entries(), level)
            named = {s for e in (*evidence, *(known[e.id] for e in evidence if e.id in known), *consequences)
                     for s in subjects_named(e)}
            for kind in ("vehicle", "crew"):
                families.add(self.mentions.roots(rows, kind, [n for k, n in named if k == kind], at, any_kind=True))
            families.with_evidence()
        return audit(families.entries(), horizon, decision_id, self._changes(horizon))

    def _evidence(self, families: _Families, decision: Entry) -> list[Entry]:
        """Load what the decision rests on, transitively; return it as written
        (the audit shows each as believed, or as written once retracted:
        every version rests on the same events)."""
        found: list[Entry] = []
        frontier, seen = [decision], {decision.id}
        while frontier:
            ids = {i for e in frontier for i in e.based_on} - seen
            seen |= ids
            families.add_ids(ids)
            frontier = [families.by_id[i] for i in ids if i in families.by_id]
            found += frontier
        return found

    def _resting_on(self, families: _Families, rows: Rows, decision_id: UUID, level: Horizon) -> list[Entry]:
        """Load the facts believed at the horizon resting on the decision,
        transitively (through believed facts, as the audit follows them);
        return those resting on it directly: its consequences."""
        direct: list[Entry] = []
        frontier, seen = {decision_id}, {decision_id}
        while frontier:
            families.add(self.mentions.roots(rows, "rests_on", [i.hex for i in frontier], families.position))
            known = beliefs(families.entries(), level)
            resting = [e for e in known.values() if not e.payload.amends and set(e.based_on) & frontier]
            if frontier == {decision_id}:
                direct = resting
            frontier = {e.id for e in resting} - seen
            seen |= frontier
        return direct

    def _changes(self, horizon: Horizon) -> SetFields:
        """What each consequence set: `projections.audit`'s fold through all of
        valid time, as the read model carries it from its checkpoints."""
        everything = Horizon(EVERYTHING_HAPPENED, horizon.known_at, horizon.recorded_before)

        def changes(consequences: list[Entry]) -> list[tuple[Entry, list[FieldSet]]]:
            if not consequences:
                return []
            final = self.model.state(everything).picture
            set_then: dict[UUID, list[Setting]] = {}
            self.model.carry_through(everything, consequences,
                                     lambda picture, entry: set_then.__setitem__(entry.id, fields_set(picture, entry)))
            return [(e, [FieldSet(kind, _id(view), name, value, _views(final, kind)[_id(view)].to_json()[name])
                         for kind, view, name, value in set_then.get(e.id, [])]) for e in consequences]

        return changes

    # --- Histories ------------------------------------------------------------

    def history(self, kind: Subject, name: str, horizon: Horizon) -> list[dict[str, Any]] | None:
        """A subject's history: all of valid time folded at one knowledge level,
        read a slice at a time (no index says which facts can change a
        subject's fields, so every fact is folded; none is held)."""
        everything = Horizon(EVERYTHING_HAPPENED, horizon.known_at, horizon.recorded_before)
        return changes_of(self.model.facts(everything), kind, name)


def _id(view: Tracked) -> str:
    found: str = getattr(view, "id", "")  # every view in a picture has one
    return found


def _views(picture: Picture, kind: str) -> Mapping[str, Tracked]:
    views: dict[str, Mapping[str, Tracked]] = {"vehicle": picture.vehicles, "crew": picture.crew,
                                               "incident": picture.incidents}
    return views[kind]
