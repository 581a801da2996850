"""Decisions: the list, and the audit of each (how it was reached, what was
known when it was taken, what changed since)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import Application, QueryHorizon
from api.errors import NotFound
from api.formats import TIME_PATTERN
from api.schemas import DecisionAuditOut, DecisionList
from projections.audit import DecisionFilter
from projections.audit_formats import MEDIA_TYPES, Format, render

router = APIRouter(prefix="/decisions", tags=["decisions"])

AUDIT_FORMATS: dict[int | str, dict[str, Any]] = {200: {
    "description": "The audit: JSON (below), a Markdown report, the evidence graph in Graphviz DOT "
                   "or drawn as an SVG image, or W3C PROV-JSON.",
    "content": {"text/markdown": {}, "text/vnd.graphviz": {}, "image/svg+xml": {}}}}


@router.get("", response_model=DecisionList)
def list_decisions(
    application: Application, horizon: QueryHorizon,
    incident: Annotated[str | None, Query(description="Only decisions of this incident.",
                                          examples=["capsule-1-coolant-leak"])] = None,
    authority: Annotated[str | None, Query(description="Only decisions by this authority (case does "
                                           "not matter).", examples=["Mission management team"])] = None,
    occurred_from: Annotated[str | None, Query(
        description="Taken on or after (a date, or a date-time with Z or an offset).",
        examples=["2025-05-14"], json_schema_extra={"pattern": TIME_PATTERN})] = None,
    occurred_to: Annotated[str | None, Query(
        description="Taken on or before (a bare date: that day included); not before `occurred_from`.",
        examples=["2025-06-30"], json_schema_extra={"pattern": TIME_PATTERN})] = None,
) -> dict[str, Any]:
    """The decisions taken by `as_of`, as known at `known_at`, in the order they were taken."""
    where = DecisionFilter.parse(incident, authority, occurred_from, occurred_to)
    found = application.decisions(horizon, where)
    return {**horizon.to_json(), "decisions": [d.to_json() for d in found]}


@router.get("/{decision_id}/audit", response_model=DecisionAuditOut,
            responses=AUDIT_FORMATS)
def audit_decision(
    decision_id: uuid.UUID, application: Application, horizon: QueryHorizon,
    format: Annotated[Format, Query(description="json, markdown (a report), dot (the evidence graph for "
                                                "Graphviz), svg (the evidence graph drawn, for a browser) "
                                                "or prov (W3C PROV-JSON).")] = "json",
) -> Any:
    """A decision's evidence chain, what was known when it was taken and what was learned afterwards,
    evidence corrected or retracted since, supersession and consequences: the audit as it could have
    been written at `known_at` from what the log had stored by `recorded_before`. `as_of` does not apply."""
    audit = application.audit(decision_id, horizon)
    if audit is None:
        raise NotFound("decision_id", f"no decision {decision_id} is known at this horizon")
    if format == "json":
        return audit.to_json()
    return Response(render(audit, format), media_type=MEDIA_TYPES[format])
