"""Shapes of requests and answers, for validation and for the docs at /docs.

An event's own fields are checked by the domain (`domain.entry.Draft`), which
knows every event type; here an event is any JSON object.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"

# The Soyuz MS-22 coolant leak is the first scenario; it appears here only as
# an example for readers of the docs.
LEAK_EXAMPLE: dict[str, Any] = {
    "type": "LeakDetected",
    "occurred_at": "2022-12-14",
    "reported_at": "2022-12-15",
    "source": "Roscosmos statement, 15 Dec 2022",
    "incident": "soyuz-ms-22-coolant-leak",
    "data": {"vehicle": "soyuz-ms-22", "system": "cooling system",
             "description": "Coolant leaking from Soyuz MS-22 while docked to the ISS"},
}
VEHICLE_EXAMPLE: dict[str, Any] = {
    "id": "5f0c6d2e-8a7b-4c1e-9d3f-2b6a4e8c1d70",
    "type": "VehicleRegistered",
    "occurred_at": "2022-09-21",
    "source": "Public record: Soyuz MS-22 launched 21 Sep 2022",
    "data": {"id": "soyuz-ms-22", "name": "Soyuz MS-22", "kind": "soyuz", "seats": 3},
}
EVENT_EXAMPLES: dict[str, Any] = {
    "leak": {"summary": "A leak, reported the day after", "value": LEAK_EXAMPLE},
    "vehicle": {"summary": "A vehicle, with a client-chosen id (retries are idempotent)",
                "value": VEHICLE_EXAMPLE},
}


class EventOut(BaseModel):
    """An event as the log holds it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        **LEAK_EXAMPLE, "id": "4c59c08e-5aaa-5862-a66b-1e604763b3f8", "recorded_at": "2024-05-02T09:14:03Z",
        "actor": "flight-director-houston", "based_on": [], "incidents": ["soyuz-ms-22-coolant-leak"],
        "position": 17}]})

    id: str
    type: str
    occurred_at: str = Field(description="Valid time: when it happened in the world.")
    reported_at: str = Field(description="Knowledge time: when the organisation learned it.")
    recorded_at: str = Field(description="System time: when this log stored it.")
    source: str
    actor: str
    based_on: list[str]
    incidents: list[str]
    position: int = Field(description="Its place in the log, from 1.")
    data: dict[str, Any]


class EventRecordOut(EventOut):
    """An event as written, what amends it, and what is believed of it at `known_at`."""

    amendments: list[EventOut] = Field(description="EntryCorrected / EntryRetracted events naming it, "
                                                   "as reported by known_at.")
    retracted: bool
    believed: dict[str, Any] | None = Field(description="The event with the corrections applied; "
                                                        "null once retracted.")


class BatchIn(BaseModel):
    """Events appended together: all are stored, or none."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"events": [VEHICLE_EXAMPLE, LEAK_EXAMPLE]}]})

    events: list[dict[str, Any]] = Field(min_length=1)


class BatchOut(BaseModel):
    events: list[EventOut] = Field(description="Every event of the batch, in its order; a retry "
                                   "returns the event as first stored.")
    stored: int = Field(description="How many were new.")
    duplicates: int = Field(description="How many were already in the log (idempotent retries).")


class EventPage(BaseModel):
    events: list[EventOut]
    next_after: int = Field(description="Pass as `after` for the next page.")


class ProblemItem(BaseModel):
    field: str = Field(examples=["events[3].data.vehicle"])
    rule: str = Field(examples=["no vehicle 'soyuz-ms-23'; register it first"])


class Problem(BaseModel):
    """An error, as `application/problem+json` (RFC 9457)."""

    type: str = Field(examples=["urn:incidentlog:problem:unknown_reference"])
    title: str = Field(examples=["Unknown reference"])
    status: int = Field(examples=[422])
    detail: str
    errors: list[ProblemItem]


class Health(BaseModel):
    status: str = "ok"
    store: str = Field(examples=["sqlite:./incidentlog.db"])
    events: int
    head: int = Field(description="Position of the last event in the log.")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problems a route can answer with."""
    return {s: {"model": Problem, "content": {PROBLEM_JSON: {}}} for s in statuses}


def document_problems_as_problem_json(app: FastAPI) -> None:
    """FastAPI files a response model under application/json; a problem is
    sent as application/problem+json, so the docs should say so."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for operations in generate()["paths"].values():
                for operation in operations.values():
                    for answer in operation.get("responses", {}).values():
                        content = answer.get("content", {})
                        if PROBLEM_JSON in content and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
