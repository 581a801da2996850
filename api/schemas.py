"""Shapes of requests and answers, for validation and for the docs at /docs.

An event's own fields are checked by the domain (`domain.entry.Draft`), which
knows every event type; here an event is any JSON object. The answers shared
with the CLI (events, views, state, explanations, histories) live in `answers`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from answers.events import LEAK_EXAMPLE, AuditedEvent
from answers.events import EventOut as EventOut  # re-exported: the events router answers with it
from domain.vocabulary import describe_types

PROBLEM_JSON = "application/problem+json"

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
    "timed plan": {"summary": "A launch planned to the minute (a target date with a time of day)", "value": {
        "type": "LaunchScheduled", "occurred_at": "2023-01-11", "source": "Agency press release, 11 Jan 2023",
        "data": {"vehicle": "capsule-7", "target": "2023-02-24T00:24Z", "crew": []}}},
    "plan withdrawn": {"summary": "A return date withdrawn, none set (name the decision in based_on)", "value": {
        "type": "PlanWithdrawn", "occurred_at": "2023-01-11", "source": "Agency press release, 11 Jan 2023",
        "data": {"crew_member": "crew-member-1", "plan": "return", "reason": "mission extended, no date set"}}},
    "vehicle lost": {"summary": "A cargo ship deorbited and burned up (a planned end)", "value": {
        "type": "VehicleLost", "occurred_at": "2023-02-07T18:02:00Z", "source": "Agency mission update",
        "data": {"vehicle": "cargo-ship-3", "planned": True, "circumstances": "burned up on re-entry"}}},
}


def vocabulary_markdown() -> str:
    """The event types and target date forms, for the API docs, from the domain's declarations."""
    rows = ["| type | what it means | data fields (? optional) |", "|---|---|---|"]
    for t in describe_types():
        fields = "<br>".join(f"`{f.name}{'' if f.required else '?'}`: {f.kind}" for f in t.fields)
        rows.append(f"| `{t.name}` | {t.summary.replace('|', '/')} | {fields.replace('|', '/')} |")
    return "\n".join(["**Event types.**", "", *rows, "", TARGET_DATES])


TARGET_DATES = """**Target dates** (a plan's `target`, `planned_return`): `2023-02-20`,
`2023-02-20T14:30Z` (a time of day, UTC), `2023-03`, `2023`, `no earlier than 2023-02-24`,
`not later than 2023-03`, `early|mid|late 2023-03`, `not announced` (a date exists but is not
public) or `to be set` (no date decided). Answers give each as text and, beside it, as
`<field>_window`: `kind` (instant, day, month, year, not_announced, to_be_set), `qualifier`,
and the `earliest` and `latest` instants it allows (null where open), so plans can be ordered."""


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


# --- Decision audit and incident case file ------------------------------------

class EvidenceNodeOut(BaseModel):
    """An event the decision rests on. Believed and retracted evidence carries the event's fields
    (retracted evidence as written, with `retracted_by`); unknown evidence (not reported by
    `known_at`) only its id."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: str = Field(description="believed, retracted or unknown", examples=["believed"])
    depth: int = Field(description="1: the decision rests on it directly; 2: on something that does; …")
    retracted_by: list[str] | None = None


class EvidenceEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="The decision or an evidence node…")
    to: str = Field(description="…that rests on this event.")


class EvidenceGraph(BaseModel):
    nodes: list[EvidenceNodeOut] = Field(description="Nearest first, each once.")
    edges: list[EvidenceEdge]


class LaterEvent(AuditedEvent):
    follows_from_decision: bool = Field(description="It rests on the decision, directly or through others.")


class BasisChangeOut(BaseModel):
    change: str = Field(description="corrected or retracted", examples=["retracted"])
    evidence: AuditedEvent = Field(description="The evidence as believed when the decision was taken.")
    amendment: AuditedEvent = Field(description="The EntryCorrected or EntryRetracted event.")
    now: AuditedEvent | None = Field(description="The evidence as believed at known_at; null once retracted.")


class EventMention(BaseModel):
    """An event named by id: its fields when known at `known_at`, else only `id` and `status`."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: str = Field(description="believed, retracted or unknown")


class FieldSetOut(BaseModel):
    subject: str = Field(description="vehicle, crew or incident")
    id: str = Field(examples=["soyuz-ms-22"])
    field: str = Field(examples=["crewed_return"])
    value: Any = Field(description="The value the consequence set.", examples=["emergency_only"])
    now: Any = Field(description="The field's value once everything known has happened.")
    current: bool = Field(description="The value it set still holds.")


class ConsequenceOut(BaseModel):
    event: AuditedEvent = Field(description="An event whose based_on names the decision.")
    changed: list[FieldSetOut] = Field(description="The fields of the station picture it set.")


class DecisionAuditOut(BaseModel):
    """How a decision was reached, what was known when it was taken, and what changed since,
    as the audit could have been written at `known_at` (`as_of` does not apply)."""

    known_at: str
    recorded_before: str | int | None
    position: int = Field(description="The last log position the answer drew on.")
    decision: AuditedEvent = Field(description="The DecisionTaken event: its data holds authority, summary, "
                                               "rationale, alternatives and supersedes.")
    evidence: EvidenceGraph = Field(description="What it rests on through based_on, transitively.")
    known_when_taken: list[AuditedEvent] = Field(
        description="Events of its incidents, and its evidence, reported at or before it occurred.")
    learned_afterwards: list[LaterEvent] = Field(
        description="Events of its incidents, or naming the vehicles or crew its evidence and consequences "
                    "name, reported later; and every event resting on it. Never also in known_when_taken.")
    basis_changed: list[BasisChangeOut] = Field(
        description="Corrections and retractions of its evidence reported after it was taken.")
    supersedes: list[EventMention]
    superseded_by: list[AuditedEvent]
    consequences: list[ConsequenceOut]


class DecisionOut(AuditedEvent):
    superseded_by: list[str] = Field(description="Ids of the later decisions that supersede it.")


class DecisionList(BaseModel):
    as_of: str
    known_at: str
    recorded_before: str | int | None
    decisions: list[DecisionOut] = Field(description="In the order they were taken.")


class CaseFileOut(BaseModel):
    """An incident's case file as of `as_of`, as known at `known_at`."""

    id: str
    title: str
    vehicles: list[str]
    status: str = Field(description="open, under_investigation, cause_determined or closed",
                        examples=["cause_determined"])
    opened_at: str | None
    as_of: str
    known_at: str
    recorded_before: str | int | None
    position: int
    status_set_by: AuditedEvent | None = Field(description="The event that gave it its status (null: open "
                                                           "since it was opened).")
    timeline: list[AuditedEvent] = Field(description="Every event of the incident, in the order they happened.")
    observations: list[AuditedEvent]
    statements: list[AuditedEvent]
    findings: list[AuditedEvent]
    decisions: list[AuditedEvent]
