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
from collections.abc import Callable
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


class Stored:
    """A value as the read model stores it, JSON text, encoded only when
    first read. A fold keeps a version of each view after every change, and
    most are compared rather than stored: a view worked out again unchanged,
    a knowledge level's fold carried again over facts that leave the view as
    it was (`projections.knowledge_levels`). `key` is what the text is made
    of, in its order, so two are equal exactly when their texts are (each
    field holds one type, the vocabulary's: no 1 where another has 1.0)."""

    __slots__ = ("_encode", "_text", "key")

    def __init__(self, key: tuple[Any, ...], encode: Callable[[tuple[Any, ...]], str]) -> None:
        self.key = key
        self._encode = encode
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._encode(self.key)
        return self._text

    def __eq__(self, other: object) -> bool:
        return self.key == other.key if isinstance(other, Stored) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Stored({self.text})"


def view_value(view: Tracked, derived: dict[str, tuple[Any, UUID | None]] | None = None) -> Stored:
    """One view as it is stored (a version of it, `projections.versions`),
    its derived fields given as worked out: (value, the event it names, if
    any). Lists are copied: the view goes on changing."""
    kind = type(view)
    state = view.__dict__
    names = _FIELDS[kind][0]
    values = [state[name] for name in names]
    for index in _LIST_PLACES[kind]:
        values[index] = tuple(values[index])
    for index in _TARGET_PLACES[kind]:
        if isinstance(value := values[index], TargetDate):
            values[index] = value.text
    set_by = view.set_by
    if derived:
        set_by = dict(set_by)
        for name, (value, event) in derived.items():
            values[names.index(name)] = tuple(value) if isinstance(value, list) else value
            set_by.pop(name, None)
            if event is not None:
                set_by[name] = event
    return Stored((kind, tuple(values), tuple(set_by), tuple(set_by.values())), _view_json)


def view_text(view: Tracked, derived: dict[str, tuple[Any, UUID | None]] | None = None) -> str:
    """`view_value` as JSON text."""
    return view_value(view, derived).text


def _view_json(key: tuple[Any, ...]) -> str:
    kind, values, set_by, events = key
    return _json({"fields": dict(zip(_FIELDS[kind][0], values, strict=True)),
                  "set_by": dict(zip(set_by, map(_event_text, events), strict=True))})


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
# Where each kind's lists and target dates are among its stored fields.
_LIST_PLACES = {kind: tuple(names.index(name) for name in lists) for kind, (names, lists) in _FIELDS.items()}
_TARGET_PLACES = {kind: tuple(names.index(name) for name in kind.target_fields) for kind, (names, _) in _FIELDS.items()}


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
