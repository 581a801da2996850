"""The page at `/`: the incident on two time sliders, the station picture, the
decision audit and the live feed, for people who would rather look than read JSON.

The HTML is a Jinja2 template rendered here; it reads the JSON API with a
little plain JavaScript (`/static/page.js`), so the page and every other
client see the same answers. Everything it needs ships inside the package and
nothing is fetched from another host: a control-room network may be offline.

The server tells the page what only it knows cheaply: the span of the log's
valid and knowledge times (the sliders' range), the log's head, the kind
each event type is drawn as on the timeline, and who is signed in. The page
itself is open to all, so that one can sign in from it; to a caller who may
not read (not signed in, on a server whose reads are closed) it says nothing
of the log.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.auth import identity_of
from api.deps import Application, AppSettings
from domain import vocabulary as v
from store.application import IncidentLogApplication

WEB = Path(__file__).parents[1] / "web"
templates = Jinja2Templates(directory=WEB / "templates")
router = APIRouter(include_in_schema=False)

LOG_PAGE = 200  # events of the log the timeline shows at first (and loads at a time): never the whole log

# How the timeline marks each event type (a test checks every type has one).
KINDS: dict[str, tuple[type[v.Payload], ...]] = {
    "observation": (v.LeakDetected, v.ObservationRecorded, v.StatementIssued),
    "finding": (v.FindingIssued, v.VehicleDamageAssessed, v.CommissionConvened),
    "decision": (v.DecisionTaken,),
    "movement": (v.VehicleLaunched, v.VehicleDocked, v.VehicleUndocked, v.VehicleLanded, v.VehicleLost),
    "plan": (v.LaunchScheduled, v.ReturnScheduled, v.PlanWithdrawn, v.ReturnVehicleAssigned, v.LifeboatAssigned,
             v.AssignmentEnded, v.MissionExtended),
    "correction": (v.EntryCorrected, v.EntryRetracted),
    "record": (v.VehicleRegistered, v.CrewMemberRegistered, v.SeatCapacityChanged, v.IncidentOpened,
               v.IncidentClosed),
}
KIND_OF_TYPE = {cls.__name__: kind for kind, types in KINDS.items() for cls in types}


def install(app: FastAPI) -> None:
    """Serve the page at `/` and its script and styles under `/static`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")


def _fingerprint(*names: str) -> str:
    """Changes when the static files do, so a browser never runs a stale script."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((WEB / "static" / name).read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _fingerprint("page.js", "page.css")


@dataclass
class Span:
    """The first and last day any event happened (as told or as corrected) or
    was reported, up to `head`."""

    head: int = 0
    first: date | None = None
    last: date | None = None


_spans: weakref.WeakKeyDictionary[IncidentLogApplication, Span] = weakref.WeakKeyDictionary()


def time_span(application: IncidentLogApplication) -> Span:
    """The span of the log's times, kept up to date with only the events
    appended since last asked; from the index, never reading the log."""
    span = _spans.setdefault(application, Span())
    found = application.span_after(span.head)
    if found is not None:
        head, earliest, latest = found
        span.first = earliest.date() if span.first is None else min(span.first, earliest.date())
        span.last = latest.date() if span.last is None else max(span.last, latest.date())
        span.head = head
    return span


def _day_index(text: str | None, first: date, days: int) -> int:
    """Where a query time puts a day slider (`days`: now, no bound)."""
    if not text:
        return days
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        return days
    return max(0, min(days - 1, (day - first).days))


@router.get("/", response_class=HTMLResponse)
def page(
    request: Request, application: Application, settings: AppSettings,
    as_of: Annotated[str | None, Query()] = None,
    known_at: Annotated[str | None, Query()] = None,
    recorded_before: Annotated[str | None, Query()] = None,
    decision: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The page, its controls set from the query so that a shared link reopens the same view."""
    identity = identity_of(request.state)
    readable = identity is not None or settings.open_reads
    span = time_span(application) if readable else Span()
    today = application.now().date()
    first, last = span.first or today, span.last or today
    days = (last - first).days + 1  # one notch a day, and a last one: now
    query = {"as_of": as_of or "", "known_at": known_at or "", "recorded_before": recorded_before or "",
             "decision": decision or ""}
    config: dict[str, Any] = {
        "first_day": first.isoformat(), "days": days, "head": application.head if readable else 0,
        "log_page": LOG_PAGE, "readable": readable,
        "signed_in": {"name": identity.name, "role": identity.role.label} if identity else None,
        "kinds": KIND_OF_TYPE, "kind_order": list(KINDS), "query": query,
    }
    return templates.TemplateResponse(request, "index.html", {
        "config": config, "query": query, "days": days, "first_day": first, "last_day": last,
        "as_of_index": _day_index(as_of, first, days), "known_at_index": _day_index(known_at, first, days),
        "kinds": list(KINDS), "version": STATIC_VERSION, "signed_in": config["signed_in"],
    })
