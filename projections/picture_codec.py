"""A picture as plain JSON, and back: how the read model stores a checkpoint.

JSON rather than pickle, so that the database holds data, never code to run:
a store someone has tampered with can give a wrong answer (the hash chain is
there to say so), but cannot make the service execute anything. Everything
the fold reads back is kept, in the order it was made: views in the order
they were first named (a return crew lists its members in that order), each
field with the event that set it.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from domain.times import TargetDate, TimePoint
from projections.picture import CrewPlan, IncidentFile, Picture, Tracked, VehicleStatus

V = TypeVar("V", bound=Tracked)
_BOOKKEEPING = ("set_by", "derived")
# Event ids read back, shared by every decode in the process: checkpoints name
# mostly the same events, and reading a UUID costs more than finding it here.
_EVENT_IDS: dict[str, UUID] = {}
_EVENT_IDS_KEPT = 50_000


def encode(picture: Picture) -> bytes:
    """`picture` (before its derived fields are worked out) as JSON bytes."""
    body = {
        "vehicles": [_view(v) for v in picture.vehicles.values()],
        "crew": [_view(c) for c in picture.crew.values()],
        "incidents": [_view(i) for i in picture.incidents.values()],
        "stations": sorted(picture.stations),
        "lifeboat_assigned_at": {k: [t.start.isoformat(), t.precision] for k, t in
                                 picture.lifeboat_assigned_at.items()},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def decode(data: bytes) -> Picture:
    body = json.loads(data)
    if len(_EVENT_IDS) > _EVENT_IDS_KEPT:
        _EVENT_IDS.clear()
    picture = Picture(stations=set(body["stations"]), lifeboat_assigned_at={
        k: TimePoint(datetime.fromisoformat(start), precision) for k, (start, precision) in
        body["lifeboat_assigned_at"].items()})
    picture.vehicles = {v.id: v for v in (_restore(VehicleStatus, d, picture) for d in body["vehicles"])}
    picture.crew = {c.id: c for c in (_restore(CrewPlan, d, picture) for d in body["crew"])}
    picture.incidents = {i.id: i for i in (_restore(IncidentFile, d, picture) for d in body["incidents"])}
    return picture


def _view(view: Tracked) -> dict[str, Any]:
    values = {}
    for f in fields(view):
        if f.name in _BOOKKEEPING:
            continue
        value = getattr(view, f.name)
        values[f.name] = value.text if isinstance(value, TargetDate) else value
    return {"fields": values, "set_by": {k: str(v) for k, v in view.set_by.items()}}


def _restore(kind: type[V], data: dict[str, Any], picture: Picture) -> V:
    # Every field was stored, so the view is filled in directly rather than
    # through its constructor, whose every assignment `Tracked` watches: this
    # is most of what answering from a checkpoint costs.
    values = data["fields"]
    for name in kind.target_fields:
        if values.get(name) is not None:
            values[name] = TargetDate(values[name])  # stored as its canonical text
    view = object.__new__(kind)
    view.__dict__.update(values)
    view.__dict__["set_by"] = {k: _event_id(v) for k, v in data["set_by"].items()}
    view.__dict__["derived"] = {}
    view.attach(picture.cause)
    return view


def _event_id(text: str) -> UUID:
    found = _EVENT_IDS.get(text)
    if found is None:
        found = _EVENT_IDS[text] = UUID(text)
    return found
