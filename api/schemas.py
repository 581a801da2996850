"""Shapes of requests and answers, for validation and for the docs at /docs.

An event's own fields are checked by the domain (`domain.entry.Draft`), which
knows every event type; the document describes them with schemas generated
from the same declarations (`api.event_schemas`). What each route may answer
besides its success is one table here (`PROBLEMS`), applied to every
operation by its shape. The answers shared with the CLI (events, views,
state, explanations, histories) live in `answers`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from answers.events import LEAK_EXAMPLE, AuditedEvent
from answers.events import EventOut as EventOut  # re-exported: the events router answers with it
from api.event_schemas import REF, event_components, refer_to_events
from domain.roles import Role
from domain.vocabulary import describe_types

PROBLEM_JSON = "application/problem+json"

# Made-up vehicles, crew and sources: the docs describe the API, not any incident.
VEHICLE_EXAMPLE: dict[str, Any] = {
    "id": "5f0c6d2e-8a7b-4c1e-9d3f-2b6a4e8c1d70",
    "type": "VehicleRegistered",
    "occurred_at": "2025-03-02",
    "source": "Operator launch manifest, 2 Mar 2025",
    "data": {"id": "capsule-1", "name": "Capsule 1", "kind": "capsule", "seats": 3},
}
EVENT_EXAMPLES: dict[str, Any] = {
    "leak": {"summary": "A leak, reported the day after", "value": LEAK_EXAMPLE},
    "vehicle": {"summary": "A vehicle, with a client-chosen id (retries are idempotent)",
                "value": VEHICLE_EXAMPLE},
    "timed plan": {"summary": "A launch planned to the minute (a target date with a time of day)", "value": {
        "type": "LaunchScheduled", "occurred_at": "2025-06-11", "source": "Operator press release, 11 Jun 2025",
        "data": {"vehicle": "capsule-7", "target": "2025-07-24T00:24Z", "crew": []}}},
    "plan withdrawn": {"summary": "A return date withdrawn, none set (name the decision in based_on)", "value": {
        "type": "PlanWithdrawn", "occurred_at": "2025-06-11", "source": "Operator press release, 11 Jun 2025",
        "data": {"crew_member": "crew-a", "plan": "return", "reason": "mission extended, no date set"}}},
    "vehicle lost": {"summary": "A cargo ship deorbited and burned up (a planned end)", "value": {
        "type": "VehicleLost", "occurred_at": "2025-07-07T18:02:00Z", "source": "Operator mission update",
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

    # Read as JSON objects, each checked by the domain; documented as events.
    events: list[dict[str, Any]] = Field(min_length=1, json_schema_extra=refer_to_events)


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
    rule: str = Field(examples=["no vehicle 'capsule-2'; register it first"])


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
    """OpenAPI `responses` for problems a route answers beyond those of `PROBLEMS`."""
    return {s: {"model": Problem, "content": {PROBLEM_JSON: {}}} for s in statuses}


Access = Callable[[str, str], Role | None]
"""The least role that may ask `METHOD path` (None: open to anyone): `api.auth.required_role`."""
BEARER = "bearerToken"


@dataclass(frozen=True)
class Operation:
    """What the table asks of an operation of the document."""

    method: str
    path: str
    spec: dict[str, Any]
    role: Role | None  # the least role that may ask it; None: anyone, without a credential

    @property
    def takes_credential(self) -> bool:
        """A credential it is sent must be good, whether or not it needs one."""
        return bool(self.spec.get("security"))

    @property
    def needs_more_than_reading(self) -> bool:
        """Every token may read; a token may be refused only where more is needed."""
        return self.role is not None and self.role > Role.READER

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.spec

    @property
    def names_a_resource(self) -> bool:
        return any(p["in"] == "path" for p in self.spec.get("parameters", []))

    @property
    def takes_input(self) -> bool:
        return self.has_body or bool(self.spec.get("parameters"))


@dataclass(frozen=True)
class ProblemAnswer:
    status: int
    description: str
    answered_by: Callable[[Operation], bool]
    headers: dict[str, Any] | None = None


def _every(operation: Operation) -> bool:
    return True


PROBLEMS: tuple[ProblemAnswer, ...] = (
    ProblemAnswer(400, "The body could not be read at all (JSON that is not UTF-8 text).",
                  lambda o: o.has_body),
    ProblemAnswer(401, "No credential, or one that is unknown or revoked: send `Authorization: Bearer <token>` "
                       "(reads need none where the server is run with open reads, on a loopback address).",
                  lambda o: o.takes_credential),
    ProblemAnswer(403, "The token's role may not do this (in a batch, `errors` names the first event it may "
                       "not write).", lambda o: o.needs_more_than_reading),
    ProblemAnswer(404, "Nothing by this name or id at this horizon.", lambda o: o.names_a_resource),
    ProblemAnswer(405, "This path does not answer this method; `Allow` names those it does.", _every,
                  headers={"Allow": {"description": "The methods this path answers, e.g. `GET, POST`.",
                                     "required": True, "schema": {"type": "string"}}}),
    ProblemAnswer(409, "Conflicts with the log (e.g. a movement out of order), or reuses an event id for "
                       "other content.", lambda o: o.has_body),
    ProblemAnswer(413, "The body, or the number of events in a batch, is over the server's limit.",
                  lambda o: o.has_body),
    ProblemAnswer(422, "A parameter or field breaks a rule (malformed JSON, a time that is not one, an "
                       "unknown reference…); `errors` names each by its path.", lambda o: o.takes_input),
    ProblemAnswer(503, "The store does not answer; try again shortly.", _every),
)
"""Every problem status the API answers, and which operations answer it, by their shape."""


def finish_openapi(app: FastAPI, access: Access) -> None:
    """Complete the document FastAPI generates with what it cannot know: the
    event schemas; who may ask each operation (`access`), a bearer token's
    holder, or anyone where reads are open; and the problems of `PROBLEMS` on
    every operation, each sent as application/problem+json (FastAPI would say
    application/json)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            components = document.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas.update(event_components())
            problem = TypeAdapter(Problem).json_schema(ref_template=REF)
            schemas.update(problem.pop("$defs", {}))
            schemas.setdefault(Problem.__name__, problem)
            components.setdefault("securitySchemes", {})[BEARER] = {
                "type": "http", "scheme": "bearer",
                "description": "A token from `incidentlog tokens create NAME --role ROLE`: reader, reporter, "
                               "investigator, authority or admin, each allowed what the ones before are."}
            open_reads = app.state.settings.open_reads
            for path, operations in document["paths"].items():
                for method, spec in operations.items():
                    operation = Operation(method, path, spec, access(method.upper(), path))
                    _add_security(operation, open_reads)
                    _add_problems(operation)
            _drop_unused(document, ("HTTPValidationError", "ValidationError"))  # FastAPI's 422, replaced
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def _add_security(operation: Operation, open_reads: bool) -> None:
    """Who may ask it, unless the route says so itself (signing in takes a token on an open path)."""
    if operation.role is None:
        operation.spec.setdefault("security", [])
    elif operation.role is Role.READER and open_reads:
        operation.spec.setdefault("security", [{}, {BEARER: []}])  # `{}`: no credential needed
    else:
        operation.spec.setdefault("security", [{BEARER: []}])


def _add_problems(operation: Operation) -> None:
    """The table's problems, replacing what FastAPI supposes (its 422 is not the problem it is)."""
    responses = operation.spec.setdefault("responses", {})
    problem = {PROBLEM_JSON: {"schema": {"$ref": REF.format(model=Problem.__name__)}}}
    for answer in PROBLEMS:
        if answer.answered_by(operation):
            own = responses.get(str(answer.status), {}).get("description")
            # A route may say when it answers so more precisely (/ready's 503); FastAPI's own 422 says nothing.
            specific = own if own and own not in (HTTPStatus(answer.status).phrase, "Validation Error") else None
            responses[str(answer.status)] = {"description": specific or answer.description, "content": problem,
                                             **({"headers": answer.headers} if answer.headers else {})}
    for documented in responses.values():  # a route's own `problems(...)`
        content = documented.get("content", {})
        if PROBLEM_JSON in content and "application/json" in content:
            content[PROBLEM_JSON] = content.pop("application/json")
    operation.spec["responses"] = dict(sorted(responses.items()))


def _drop_unused(document: dict[str, Any], names: tuple[str, ...]) -> None:
    text = json.dumps(document["paths"])
    schemas = document["components"]["schemas"]
    for name in names:
        if REF.format(model=name) not in text:
            schemas.pop(name, None)


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
    id: str = Field(examples=["capsule-1"])
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
