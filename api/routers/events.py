"""The log itself: append events, read them back by position or id, follow it live."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Header, Query, Response
from sse_starlette import EventSourceResponse, JSONServerSentEvent

from api.auth import check_may_write
from api.deps import Application, AppSettings, QueryHorizon, Writer
from api.errors import NotFound, TooLarge
from api.event_schemas import refer_to_event
from api.schemas import EVENT_EXAMPLES, BatchIn, BatchOut, EventOut, EventPage, EventRecordOut
from domain.entry import Draft
from domain.errors import DomainError
from observability import metrics
from store.application import IncidentLogApplication

router = APIRouter(prefix="/events", tags=["events"])

STREAM_EVENT = "appended"  # the SSE `event:` name of every message on /events/stream
STREAM_PAGE = 500  # events read from the store at a time while a stream catches up
STREAM_GRACE_SECONDS = 1.0  # on shutdown, how long a stream may take to end its last message
STREAM_EXAMPLE = (
    'id: 18\nevent: appended\ndata: {"id":"4c59c08e-5aaa-5862-a66b-1e604763b3f8","type":"LeakDetected",'
    '"occurred_at":"2025-05-14","reported_at":"2025-05-15","recorded_at":"2025-05-15T09:14:03Z",'
    '"source":"Operator status report, 15 May 2025","actor":"flight-controller-1","based_on":[],'
    '"incidents":["capsule-1-coolant-leak"],"position":18,"data":{"vehicle":"capsule-1",'
    '"system":"cooling system","description":"Coolant leaking from capsule-1 while docked",'
    '"assessment":"under_review","health":null}}\n\n'
    ': ping - 2025-05-15 09:14:18.000000+00:00\n\n')


@router.post("", status_code=201, response_model=EventOut, responses={
    200: {"model": EventOut, "description": "A retry of an event already stored: the original."},
    201: {"description": "Stored; `Location` says where to read it.",
          "headers": {"Location": {"description": "Where the event can be read: `/events/{id}`.",
                                   "required": True, "schema": {"type": "string"}}}}})
def append_event(raw: Annotated[dict[str, Any], Body(openapi_examples=EVENT_EXAMPLES,
                                                     json_schema_extra=refer_to_event)],
                 application: Application, writer: Writer, response: Response) -> dict[str, Any]:
    """Append one event. Give it an `id` to make retries safe: the same id with
    the same content returns the stored event (200); with other content, 409."""
    drafts = [Draft.from_json(raw, uuid.uuid4)]
    check_may_write(writer, drafts, application, batch=False)
    result = application.append(drafts, writer.name)
    entry = result.entries[0]
    response.headers["Location"] = f"{router.prefix}/{entry.id}"
    metrics.record_append(router.prefix, result.stored, result.duplicates)
    if not result.stored:
        response.status_code = 200
    return entry.to_json()


@router.post("/batch", status_code=201, response_model=BatchOut, responses={
    200: {"model": BatchOut, "description": "Every event was already stored (a retry)."}})
def append_batch(batch: BatchIn, application: Application, writer: Writer, settings: AppSettings,
                 response: Response) -> dict[str, Any]:
    """Append events atomically: all of them, or (if any is refused) none.
    Errors name the event as `events[i]`; the writer's role must cover every
    event (403 names the first it does not)."""
    drafts = _drafts(batch.events, settings.max_batch_events)
    check_may_write(writer, drafts, application, batch=True)
    try:
        result = application.append(drafts, writer.name)
    except DomainError as error:
        # The store names the event only when there are several; a client
        # of this route should always see `events[i]`.
        raise (error.at("events[0]") if len(drafts) == 1 else error) from None
    metrics.record_append(f"{router.prefix}/batch", result.stored, result.duplicates)
    if not result.stored:
        response.status_code = 200
    return {"events": [e.to_json() for e in result.entries], "stored": result.stored,
            "duplicates": result.duplicates}


@router.get("", response_model=EventPage)
def read_events(application: Application,
                after: Annotated[int, Query(ge=0, description="Return events after this position.")] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Events in log order (the order they were stored)."""
    entries = application.entries(after, limit)
    return {"events": [e.to_json() for e in entries],
            "next_after": entries[-1].position if entries else after}


@router.get("/stream", response_class=EventSourceResponse, responses={
    200: {"description": "An endless `text/event-stream`; each message is one stored event.",
          "content": {"text/event-stream": {"schema": {"type": "string"}, "example": STREAM_EXAMPLE}}}})
async def stream_events(
    application: Application, settings: AppSettings,
    after: Annotated[int | None, Query(ge=0, description="Start after this position (default: the log's "
                                       "end when you connect; 0 replays the whole log).")] = None,
    last_event_id: Annotated[int | None, Header(ge=0, alias="Last-Event-ID", description=(
        "Sent by a reconnecting EventSource: the `id` of the last message it received. "
        "Takes precedence over `after`."))] = None,
) -> EventSourceResponse:
    """The live feed: events appended by anyone (any process, any worker), as
    [server-sent events](https://html.spec.whatwg.org/multipage/server-sent-events.html),
    oldest first.

    Each message has `id:` the event's log position, `event: appended`, and
    `data:` the event as written (one line of JSON, the `EventOut` shape of
    `GET /events/{event_id}`). A client that reconnects with `Last-Event-ID`
    (browsers' `EventSource` sends it by itself) or `?after=POSITION` first
    gets every event it missed, then new ones; nothing is skipped or repeated.
    The log is polled every `INCIDENTLOG_STREAM_POLL_SECONDS` (0.5 s); a quiet
    stream carries a `: ping` comment every `INCIDENTLOG_STREAM_PING_SECONDS`
    (15 s). The stream ends when the server shuts down.

        const feed = new EventSource("/events/stream");
        feed.addEventListener("appended", (m) => show(JSON.parse(m.data)));
    """
    start = last_event_id if last_event_id is not None else after
    if start is None:
        start = await anyio.to_thread.run_sync(_head, application)
    shutdown = anyio.Event()  # set by sse-starlette when the server is told to stop
    return EventSourceResponse(
        _appended(application, start, settings.stream_poll_seconds, shutdown),
        ping=settings.stream_ping_seconds, shutdown_event=shutdown, shutdown_grace_period=STREAM_GRACE_SECONDS)


@router.get("/{event_id}", response_model=EventRecordOut)
def read_event(event_id: uuid.UUID, application: Application, horizon: QueryHorizon) -> dict[str, Any]:
    """An event as written, the corrections and retractions that name it (reported by
    `known_at`), and the version believed then (`null` once retracted)."""
    record = application.event_record(event_id, horizon)
    if record is None:
        raise NotFound("event_id", f"no event {event_id} in the log")
    return record.to_json()


def _head(application: IncidentLogApplication) -> int:
    return application.head  # from the read model's index: the log is not read into memory for it


async def _appended(application: IncidentLogApplication, after: int, poll_seconds: float,
                    shutdown: anyio.Event) -> AsyncIterator[JSONServerSentEvent]:
    """Every event after `after`, then each new one as the store shows it.

    The store is read in a worker thread, a page at a time, so neither a slow
    database nor a long backlog holds up the event loop; a client's disconnect
    cancels this generator between reads.
    """
    while not shutdown.is_set():
        entries = await anyio.to_thread.run_sync(application.entries, after, STREAM_PAGE)
        for entry in entries:
            yield JSONServerSentEvent(entry.to_json(), id=str(entry.position), event=STREAM_EVENT)
            after = entry.position
        if len(entries) < STREAM_PAGE:
            with anyio.move_on_after(poll_seconds):
                await shutdown.wait()


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
