"""Why a projected value is what it is: the event that set it, and the chain
of evidence (`based_on`, transitively) behind that event.

A derived value (a vehicle's return crew, a station's seats and shortfall) was
set by no one event: it explains through its parts, the fields it counts, each
with the event that set it and that event's evidence.

Every event is shown as believed at the query's `known_at` (corrections
applied); evidence not yet reported then, or retracted since, is named as such
rather than silently left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from domain.entry import Entry
from projections.capacity import StationCapacity
from projections.picture import CrewPlan, IncidentFile, Part, Tracked, VehicleStatus

UNKNOWN = "not reported by known_at, or retracted"
Subject = Literal["vehicle", "crew", "incident"]


def describe(entry: Entry) -> dict[str, Any]:
    """One event, as an explanation shows it: as believed, with the corrections applied to it."""
    return {**entry.to_json(), "corrected_by": [str(i) for i in entry.amended_by]}


@dataclass(frozen=True)
class Evidence:
    """An event named by id, as believed at `known_at`; `entry` is None when it
    had not been reported by then, or has been retracted."""

    id: UUID
    entry: Entry | None

    def to_json(self) -> dict[str, Any]:
        if self.entry is None:
            return {"id": str(self.id), "known": False, "note": UNKNOWN}
        return {**describe(self.entry), "known": True}


@dataclass(frozen=True)
class Explanation:
    """A value, the event that set it and its evidence; for a derived value, its parts."""

    value: Any
    set_by: Evidence | None
    evidence: list[Evidence]
    parts: list[PartExplanation] | None = None  # None: not a derived value

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "value": self.value,
            "set_by": _setter_json(self.set_by),
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.parts is not None:
            body["parts"] = [p.to_json() for p in self.parts]
        return body


@dataclass(frozen=True)
class PartExplanation:
    """One field a derived value counts (or considered and left out), explained."""

    subject: Subject
    id: str
    field: str
    counted: bool
    explanation: Explanation

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "id": self.id, "field": self.field, "counted": self.counted,
                **self.explanation.to_json()}


def evidence_chain(entry: Entry, known: Mapping[UUID, Entry]) -> list[dict[str, Any]]:
    """Every event `entry` rests on, transitively, nearest first, each once."""
    return [e.to_json() for e in evidence_of(entry, known)]


def evidence_of(entry: Entry, known: Mapping[UUID, Entry]) -> list[Evidence]:
    """Every event `entry` rests on, transitively, nearest first, each once."""
    chain: list[Evidence] = []
    seen = {entry.id}
    frontier = list(entry.based_on)
    while frontier:
        next_frontier: list[UUID] = []
        for event_id in frontier:
            if event_id in seen:
                continue
            seen.add(event_id)
            evidence = known.get(event_id)
            chain.append(Evidence(event_id, evidence))
            if evidence is not None:
                next_frontier.extend(evidence.based_on)
        frontier = next_frontier
    return chain


def explanations(view: Tracked, known: Mapping[UUID, Entry]) -> dict[str, Explanation]:
    """For each field set by an event, or derived from other fields: its explanation."""
    values = view.to_json()
    return {name: _explain(view, name, values.get(name), known)
            for name in sorted(view.set_by.keys() | view.derived.keys())}


def explain_field(view: Tracked, name: str, known: Mapping[UUID, Entry]) -> Explanation:
    """One field's explanation; a field no event set (a default) has none to name."""
    return _explain(view, name, view.to_json().get(name), known)


def explain_view(view: Tracked, known: Mapping[UUID, Entry]) -> dict[str, Any]:
    """For each field set by an event: its value, that event, and the evidence behind it."""
    return {name: why.to_json() for name, why in explanations(view, known).items()}


def explain_capacity(capacity: StationCapacity, known: Mapping[UUID, Entry]) -> dict[str, Explanation]:
    """Each count of a station's capacity, through the people and seats it counts."""
    values = capacity.to_json()
    return {name: Explanation(values[name], None, [], _parts(parts, known))
            for name, parts in capacity.derived.items()}


def _explain(view: Tracked, name: str, value: Any, known: Mapping[UUID, Entry]) -> Explanation:
    event_id = view.set_by.get(name)
    entry = known.get(event_id) if event_id else None
    parts = _parts(view.derived[name], known) if name in view.derived else None
    return Explanation(value, Evidence(event_id, entry) if event_id else None,
                       evidence_of(entry, known) if entry else [], parts)


def _parts(parts: list[Part], known: Mapping[UUID, Entry]) -> list[PartExplanation]:
    return [PartExplanation(subject_of(p.view), getattr(p.view, "id", ""), p.field, p.counted,
                            _explain(p.view, p.field, p.view.to_json().get(p.field), known)) for p in parts]


def subject_of(view: Tracked) -> Subject:
    if isinstance(view, VehicleStatus):
        return "vehicle"
    if isinstance(view, CrewPlan):
        return "crew"
    assert isinstance(view, IncidentFile), f"a view of an unknown kind: {type(view).__name__}"
    return "incident"


def _setter_json(setter: Evidence | None) -> dict[str, Any] | None:
    if setter is None:
        return None
    return describe(setter.entry) if setter.entry else {"id": str(setter.id)}
