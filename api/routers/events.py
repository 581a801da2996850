"""The log itself: append events, read them back by position or id."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from api.deps import Actor, Application, AppSettings, QueryHorizon
from api.errors import NotFound, TooLarge
from api.schemas import EVENT_EXAMPLES, BatchIn, BatchOut, EventOut, EventPage, EventRecordOut, problems
from domain.entry import Draft
from domain.errors import DomainError

router = APIRouter(prefix="/events", tags=["events"])


@router.post("", status_code=201, response_model=EventOut, responses={
    200: {"model": EventOut, "description": "A retry of an event already stored: the original."},
    **problems(409, 413, 422)})
def append_event(raw: Annotated[dict[str, Any], Body(openapi_examples=EVENT_EXAMPLES)],
                 application: Application, actor: Actor, response: Response) -> dict[str, Any]:
    """Append one event. Give it an `id` to make retries safe: the same id with
    the same content returns the stored event (200); with other content, 409."""
    result = application.append([Draft.from_json(raw, uuid.uuid4)], actor)
    entry = result.entries[0]
    response.headers["Location"] = f"{router.prefix}/{entry.id}"
    if not result.stored:
        response.status_code = 200
    return entry.to_json()


@router.post("/batch", status_code=201, response_model=BatchOut, responses={
    200: {"model": BatchOut, "description": "Every event was already stored (a retry)."},
    **problems(409, 413, 422)})
def append_batch(batch: BatchIn, application: Application, actor: Actor, settings: AppSettings,
                 response: Response) -> dict[str, Any]:
    """Append events atomically: all of them, or (if any is refused) none.
    Errors name the event as `events[i]`."""
    drafts = _drafts(batch.events, settings.max_batch_events)
    try:
        result = application.append(drafts, actor)
    except DomainError as error:
        # The store names the event only when there are several; a client
        # of this route should always see `events[i]`.
        raise (error.at("events[0]") if len(drafts) == 1 else error) from None
    if not result.stored:
        response.status_code = 200
    return {"events": [e.to_json() for e in result.entries], "stored": result.stored,
            "duplicates": result.duplicates}


@router.get("", response_model=EventPage, responses=problems(422))
def read_events(application: Application,
                after: Annotated[int, Query(ge=0, description="Return events after this position.")] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Events in log order (the order they were stored)."""
    entries = application.entries(after, limit)
    return {"events": [e.to_json() for e in entries],
            "next_after": entries[-1].position if entries else after}


@router.get("/{event_id}", response_model=EventRecordOut, responses=problems(404, 422))
def read_event(event_id: uuid.UUID, application: Application, horizon: QueryHorizon) -> dict[str, Any]:
    """An event as written, the corrections and retractions that name it (reported by
    `known_at`), and the version believed then (`null` once retracted)."""
    record = application.event_record(event_id, horizon)
    if record is None:
        raise NotFound("event_id", f"no event {event_id} in the log")
    return record.to_json()


def _drafts(events: list[dict[str, Any]], limit: int) -> list[Draft]:
    if len(events) > limit:
        raise TooLarge("events", f"holds {len(events)} events; a batch may hold at most {limit}")
    drafts = []
    for index, raw in enumerate(events):
        try:
            drafts.append(Draft.from_json(raw, uuid.uuid4))
        except DomainError as error:
            raise error.at(f"events[{index}]") from None
    return drafts
