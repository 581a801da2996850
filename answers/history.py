"""How one vehicle's status or one crew member's plan changed over valid time,
as known at `known_at`: each change with the event that caused it."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field

from answers.events import AuditedEvent
from answers.horizon import Answer, HorizonOut
from projections.horizon import Horizon


class FieldChange(Answer):
    from_: Any = Field(alias="from", description="The value before (null: not yet known).")
    to: Any = Field(description="The value after.")


class ChangeOut(Answer):
    """One event's changes to the subject (`projections.history.history` gives one per event that changed it)."""

    occurred_at: str = Field(description="When the event happened (valid time).")
    event: AuditedEvent = Field(description="The event that caused the change, as believed at known_at.")
    changes: dict[str, FieldChange] = Field(description="Each field it changed; a target date's "
                                                        "`<field>_window` changes beside it.")

    @classmethod
    def of(cls, change: dict[str, Any]) -> Self:
        return cls.model_validate(change)


class VehicleHistory(HorizonOut):
    """Each change of a vehicle's status over valid time, oldest first (`as_of` does not apply)."""

    vehicle: str = Field(description="The vehicle as asked for.", examples=["capsule-1"])
    changes: list[ChangeOut]

    @classmethod
    def of(cls, vehicle: str, horizon: Horizon, changes: list[dict[str, Any]]) -> Self:
        return cls(vehicle=vehicle, **horizon.to_json(), changes=[ChangeOut.of(c) for c in changes])


class CrewHistory(HorizonOut):
    """Each change of a crew member's plan over valid time, oldest first (`as_of` does not apply)."""

    crew_member: str = Field(description="The crew member as asked for.", examples=["crew-a"])
    changes: list[ChangeOut]

    @classmethod
    def of(cls, crew_member: str, horizon: Horizon, changes: list[dict[str, Any]]) -> Self:
        return cls(crew_member=crew_member, **horizon.to_json(), changes=[ChangeOut.of(c) for c in changes])
