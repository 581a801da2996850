"""Why a value is what it is: the event that set it and the evidence chain
behind it; a derived value (a return crew, a station's seats and shortfall)
through its parts."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field

from answers.events import AuditedEvent, EventRef, KnownEvidence, UnknownEvidence, evidence_out, setter_out
from answers.horizon import Answer, AtHorizon
from projections.explain import Explanation, PartExplanation, subject_of
from projections.picture import Tracked
from projections.state import StationState, ViewAt

EvidenceOut = Annotated[KnownEvidence | UnknownEvidence, Field(discriminator="known")]
Subject = Literal["vehicle", "crew", "incident"]

SET_BY = ("The event that set the value, as believed at known_at (null: a default, or a value derived from "
          "its parts). For a return crew, the first member's assignment; `parts` names each.")
EVIDENCE = "Every event the setter rests on (based_on, transitively), nearest first, each once."
PARTS = ("Only for a derived value: each field it counts (or considered and left out, `counted` false), "
         "with the event that set it.")


class PartOut(Answer):
    """One field a derived value counts, e.g. a docked vehicle's seats, or a crew member's being aboard."""

    subject: Subject = Field(examples=["vehicle"])
    id: str = Field(examples=["capsule-2"])
    field: str = Field(examples=["seats"])
    counted: bool = Field(description="False for a part considered and left out, e.g. the seats of a docked "
                                      "vehicle not cleared for crewed return, in cleared_seats.")
    value: Any = Field(examples=[3])
    set_by: AuditedEvent | EventRef | None = Field(description=SET_BY)
    evidence: list[EvidenceOut] = Field(description=EVIDENCE)

    @classmethod
    def of(cls, part: PartExplanation) -> Self:
        why = part.explanation
        return cls(subject=part.subject, id=part.id, field=part.field, counted=part.counted, value=why.value,
                   set_by=setter_out(why.set_by), evidence=[evidence_out(e) for e in why.evidence])


class Explained(Answer):
    """The fields of an explanation."""

    value: Any = Field(examples=["emergency_only"])
    set_by: AuditedEvent | EventRef | None = Field(description=SET_BY)
    evidence: list[EvidenceOut] = Field(description=EVIDENCE)
    parts: list[PartOut] | None = Field(default=None, description=PARTS, exclude_if=lambda parts: parts is None)


class FieldExplanation(Explained):
    """A value, the event that set it and the evidence behind that event; for a derived value, its parts."""

    @classmethod
    def of(cls, why: Explanation) -> Self:
        return cls(value=why.value, set_by=setter_out(why.set_by), evidence=[evidence_out(e) for e in why.evidence],
                   parts=None if why.parts is None else [PartOut.of(p) for p in why.parts])


def explained(explanations: dict[str, Explanation] | None) -> dict[str, FieldExplanation] | None:
    """A view's `explain` object, or None when not asked for."""
    if explanations is None:
        return None
    return {name: FieldExplanation.of(why) for name, why in explanations.items()}


class FieldNamed(Answer):
    subject: Subject = Field(examples=["vehicle"])
    id: str = Field(examples=["capsule-1"])
    field: str = Field(examples=["crewed_return"])


# Bases in this order so that the JSON reads: the field, its explanation, then the horizon.
class FieldAnswer(AtHorizon, Explained, FieldNamed):
    """Why one field of a vehicle or crew member has its value, at a horizon
    (`GET /vehicles/{id}/explain/{field}`, `incidentlog explain ID FIELD --json`)."""

    @classmethod
    def of(cls, state: StationState | ViewAt, view: Tracked, field: str) -> Self:
        why = FieldExplanation.of(state.explanation(view, field))
        return cls(**dict(why), subject=subject_of(view), id=getattr(view, "id", ""), field=field,
                   **state.horizon.to_json(), position=state.position)
