"""Events as answers show them: as the log holds them, as believed at
`known_at`, or named by id where they are not known."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import ConfigDict, Field

from answers.horizon import Answer
from domain.entry import Entry
from projections.explain import UNKNOWN, Evidence

# An example for readers of the docs; made up, like its vehicle and incident.
LEAK_EXAMPLE: dict[str, Any] = {
    "type": "LeakDetected",
    "occurred_at": "2025-05-14",
    "reported_at": "2025-05-15",
    "source": "Operator status report, 15 May 2025",
    "incident": "capsule-1-coolant-leak",
    "data": {"vehicle": "capsule-1", "system": "cooling system",
             "description": "Coolant leaking from capsule-1 while docked"},
}


class EventOut(Answer):
    """An event as the log holds it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        **LEAK_EXAMPLE, "id": "4c59c08e-5aaa-5862-a66b-1e604763b3f8", "recorded_at": "2025-05-15T09:14:03Z",
        "actor": "flight-controller-1", "based_on": [], "incidents": ["capsule-1-coolant-leak"],
        "position": 17}]})

    id: str
    type: str
    occurred_at: str = Field(description="Valid time: when it happened in the world.")
    reported_at: str = Field(description="Knowledge time: when the organisation learned it.")
    recorded_at: str = Field(description="System time: when this log stored it.")
    source: str
    actor: str = Field(description="Who wrote it: the token's name over HTTP, the operating-system user "
                                   "from the command line.")
    on_behalf_of: str | None = Field(default=None, description="Whose record the writer entered, when not "
                                     "their own (an import with --actor).")
    based_on: list[str]
    incidents: list[str]
    position: int = Field(description="Its place in the log, from 1.")
    data: dict[str, Any]

    @classmethod
    def of(cls, entry: Entry) -> Self:
        return cls.model_validate(entry.to_json())


class AuditedEvent(EventOut):
    """An event as the log holds it, as believed at `known_at`: `corrected_by` names the
    corrections applied."""

    model_config = ConfigDict(json_schema_extra={})

    corrected_by: list[str]

    @classmethod
    def of(cls, entry: Entry) -> Self:
        return cls.model_validate({**entry.to_json(), "corrected_by": [str(i) for i in entry.amended_by]})


class EventRef(Answer):
    """An event named by id only (not known at this horizon)."""

    id: str


class KnownEvidence(AuditedEvent):
    """Evidence known at `known_at`, as then believed."""

    known: Literal[True] = True


class UnknownEvidence(Answer):
    """Evidence named by id that had not been reported by `known_at`, or has been retracted."""

    id: str
    known: Literal[False] = False
    note: str = Field(default=UNKNOWN, examples=[UNKNOWN])


def evidence_out(evidence: Evidence) -> KnownEvidence | UnknownEvidence:
    if evidence.entry is None:
        return UnknownEvidence(id=str(evidence.id))
    return KnownEvidence.of(evidence.entry)


def setter_out(setter: Evidence | None) -> AuditedEvent | EventRef | None:
    if setter is None:
        return None
    return AuditedEvent.of(setter.entry) if setter.entry else EventRef(id=str(setter.id))
