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
# ... and written out: a series of checkpoints writes the same ids again and
# again. Found by the id object's identity (hashing a UUID runs Python code);
# the entry keeps the object, so its identity cannot be reused meanwhile.
_EVENT_TEXTS: dict[int, tuple[UUID, str]] = {}
# Views written out lately, by identity: (the view, its mark, its JSON text).
_FRAGMENTS: dict[int, tuple[Tracked, tuple[int, ...], str]] = {}
_FRAGMENTS_KEPT = 30_000


def encode(picture: Picture) -> bytes:
    """`picture` (before its derived fields are worked out) as JSON bytes."""
    if len(_FRAGMENTS) > _FRAGMENTS_KEPT:
        _FRAGMENTS.clear()
    if len(_EVENT_TEXTS) > _EVENT_IDS_KEPT:
        _EVENT_TEXTS.clear()
    assigned = {k: [t.start.isoformat(), t.precision] for k, t in picture.lifeboat_assigned_at.items()}
    return "".join((
        '{"vehicles":[', ",".join(map(_fragment, picture.vehicles.values())),
        '],"crew":[', ",".join(map(_fragment, picture.crew.values())),
        '],"incidents":[', ",".join(map(_fragment, picture.incidents.values())),
        '],"stations":', _json(sorted(picture.stations)),
        ',"lifeboat_assigned_at":', _json(assigned), "}",
    )).encode()


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


def view_text(view: Tracked, derived: dict[str, tuple[Any, UUID | None]] | None = None) -> str:
    """One view as JSON text (a version of it, `projections.versions`), its
    derived fields given as worked out: (value, the event it names, if any)."""
    body = _view(view)
    for name, (value, event) in (derived or {}).items():
        body["fields"][name] = value
        body["set_by"].pop(name, None)
        if event is not None:
            body["set_by"][name] = _event_text(event)
    return _json(body)


def restore_view(kind: type[V], text: str | bytes) -> V:
    """A view from `view_text`, standing alone."""
    return _restore(kind, json.loads(text), Picture())


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _fragment(view: Tracked) -> str:
    """A view as JSON text, kept for the next checkpoint of the series while the
    view is unchanged: between two checkpoints most views are. A view changes
    through its fields' assignments (counted in `_edits`) or a list or `set_by`
    growing in place (an incident's timeline), so those are its mark."""
    state = view.__dict__
    mark = (state.get("_edits", 0), len(view.set_by), *(len(state[n]) for n in _list_fields(type(view))))
    found = _FRAGMENTS.get(id(view))
    if found is not None and found[0] is view and found[1] == mark:
        return found[2]
    text = _json(_view(view))
    _FRAGMENTS[id(view)] = (view, mark, text)  # the entry keeps the view: its identity is not reused meanwhile
    return text


def _view(view: Tracked) -> dict[str, Any]:
    state = view.__dict__
    values = {name: state[name] for name in _stored_fields(type(view))}
    for name in view.target_fields:
        value = values[name]
        if isinstance(value, TargetDate):
            values[name] = value.text
    return {"fields": values, "set_by": {k: _event_text(v) for k, v in view.set_by.items()}}


def _stored_fields(kind: type[Tracked]) -> tuple[str, ...]:
    return _FIELDS[kind][0]


def _list_fields(kind: type[Tracked]) -> tuple[str, ...]:
    return _FIELDS[kind][1]


def _fields_of(kind: type[Tracked]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A view's stored fields, and those holding a list."""
    stored = tuple(f.name for f in fields(kind) if f.name not in _BOOKKEEPING)
    return stored, tuple(name for name in stored if isinstance(getattr(kind(), name), list))


_FIELDS: dict[type[Tracked], tuple[tuple[str, ...], tuple[str, ...]]] = {
    kind: _fields_of(kind) for kind in (VehicleStatus, CrewPlan, IncidentFile)}


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


def _event_text(event_id: UUID) -> str:
    found = _EVENT_TEXTS.get(id(event_id))
    if found is None or found[0] is not event_id:
        found = _EVENT_TEXTS[id(event_id)] = (event_id, str(event_id))
    return found[1]


def _event_id(text: str) -> UUID:
    found = _EVENT_IDS.get(text)
    if found is None:
        found = _EVENT_IDS[text] = UUID(text)
    return found
