"""The query an answer is for: its two time axes, the log's own past, and the
log position it drew on."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    """Every answer: names as the JSON spells them (`from`, not `from_`), for the API and the CLI alike."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)


class HorizonOut(Answer):
    """The horizon asked for (`projections.horizon.Horizon.to_json`)."""

    as_of: str = Field(description="Valid time: the world as it was then (ISO 8601, UTC).",
                       examples=["2025-05-20T23:59:59.999999Z"])
    known_at: str = Field(description="Knowledge time: only what had been reported by then.",
                          examples=["2025-06-10T23:59:59.999999Z"])
    recorded_before: str | int | None = Field(
        description="System time or log position: only what this log had stored by then (null: everything).",
        examples=[None])


class AtHorizon(HorizonOut):
    """The horizon asked for, and the log position the answer drew on."""

    position: int = Field(description="The last log position the answer drew on.")
