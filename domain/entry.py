"""The envelope every event travels in.

A `Draft` is what a writer submits: a payload with its valid time, its
knowledge time, its source and its evidence. An `Entry` is a draft the log has
accepted: it adds the system time (`recorded_at`), the writer (`actor`) and the
global `position`. Entries are never changed; a mistake is fixed by a new one.

A writer entering someone else's record (an import of another organisation's
log) says whose it is: `on_behalf_of` travels with the draft and is kept
beside the real writer, never in its place. Like the actor it is set by the
interface that writes, never by the event's JSON.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue
from domain.times import TimePoint
from domain.vocabulary import MAX_ITEMS, SLUG, UUID_TEXT, AnyPayload, checked_text, parse_payload

ENVELOPE_FIELDS = ("id", "type", "occurred_at", "reported_at", "source", "based_on",
                   "incident", "incidents", "data")
SYSTEM_FIELDS = ("recorded_at", "actor", "on_behalf_of", "position")
ValidTimeKey = tuple[datetime, int, datetime, str]


@dataclass(frozen=True)
class Draft:
    """An event as submitted, before the log records it."""

    id: UUID
    payload: AnyPayload
    occurred_at: TimePoint
    reported_at: TimePoint | None  # None: "when the log records it"
    source: str
    based_on: tuple[UUID, ...] = ()
    incidents: tuple[str, ...] = ()
    on_behalf_of: str | None = None  # whose record the writer enters, when not their own

    @property
    def type(self) -> str:
        return self.payload.type_name

    @classmethod
    def from_json(cls, raw: object, new_id: Callable[[], UUID]) -> Draft:
        """Read one event from its JSON form, naming the first field that is wrong."""
        if not isinstance(raw, Mapping):
            raise InvalidValue("", "an event must be a JSON object")
        for name in raw:
            if name in SYSTEM_FIELDS:
                raise InvalidValue(name, "is set by the log, never by the writer")
            if name not in ENVELOPE_FIELDS:
                raise InvalidValue(name, f"is not an event field; the fields are {', '.join(ENVELOPE_FIELDS)}")
        if "type" not in raw:
            raise InvalidValue("type", "is required")
        payload = parse_payload(raw["type"], raw.get("data", {}))
        if "occurred_at" not in raw:
            raise InvalidValue("occurred_at", "is required: when it happened in the world")
        occurred_at = TimePoint.parse(raw["occurred_at"], "occurred_at")
        reported_at = None
        if raw.get("reported_at") is not None:
            reported_at = TimePoint.parse(raw["reported_at"], "reported_at")
            if not occurred_at.not_after(reported_at):
                raise InvalidValue("reported_at", f"({reported_at}) is before occurred_at ({occurred_at}); "
                                   "a fact cannot be known before it happened")
        source = raw.get("source")
        if source is None:
            raise InvalidValue("source", "is required: cite who said it and where")
        source = checked_text(source, "source")
        return cls(
            id=_event_id(raw["id"], "id") if raw.get("id") is not None else new_id(),
            payload=payload,
            occurred_at=occurred_at,
            reported_at=reported_at,
            source=source.strip(),
            based_on=_event_ids(raw.get("based_on", [])),
            incidents=_incidents(raw),
        )

    def content(self) -> dict[str, Any]:
        """What the writer said, for telling a retry from a different event."""
        return {
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "source": self.source,
            "based_on": [str(i) for i in self.based_on],
            "incidents": list(self.incidents),
            "data": self.payload.to_json(),
        }


@dataclass(frozen=True)
class Entry:
    """An event the log holds, with its place in the log and in system time."""

    draft: Draft
    reported_at: TimePoint
    recorded_at: datetime
    actor: str
    position: int
    amended_by: tuple[UUID, ...] = ()  # corrections applied to get this version (see domain.corrections)

    @classmethod
    def record(cls, draft: Draft, recorded_at: datetime, actor: str, position: int) -> Entry:
        recorded = TimePoint.at(recorded_at)
        reported = draft.reported_at or recorded
        if not reported.not_after(recorded):
            raise InvalidValue("reported_at", f"({reported}) is in the future; "
                               f"the log is recording it at {recorded}")
        if not draft.occurred_at.not_after(recorded):
            raise InvalidValue("occurred_at", f"({draft.occurred_at}) is in the future; "
                               "record a plan as a fact about a decision instead")
        return cls(draft, reported, recorded_at, actor, position)

    # Convenient read-through of the envelope.
    @property
    def id(self) -> UUID:
        return self.draft.id

    @property
    def type(self) -> str:
        return self.draft.type

    @property
    def payload(self) -> AnyPayload:
        return self.draft.payload

    @property
    def occurred_at(self) -> TimePoint:
        return self.draft.occurred_at

    @property
    def based_on(self) -> tuple[UUID, ...]:
        return self.draft.based_on

    @property
    def incidents(self) -> tuple[str, ...]:
        return self.draft.incidents

    @property
    def source(self) -> str:
        return self.draft.source

    @property
    def on_behalf_of(self) -> str | None:
        return self.draft.on_behalf_of

    @functools.cached_property  # asked for by every query's fold; an entry never changes
    def valid_time_key(self) -> ValidTimeKey:
        """Where this event falls in valid time by its own content alone.

        Ties on `occurred_at` go by the type's `rank` (registrations first, then
        plans and other facts, then launch, dock, undock, land), then what was
        reported earlier, then the event id. Neither the log position nor the
        recording time decides, so the same events appended in any order, or
        exported and imported again, fold the same way. What an event rests on
        can move it later (`domain.order`).
        """
        return (self.occurred_at.start, self.payload.rank, self.reported_at.start, str(self.id))

    def at_position(self, position: int) -> Entry:
        return replace(self, position=position)

    def matches(self, retry: Draft) -> bool:
        """Is `retry` the same event as this one (an idempotent retry)?"""
        if retry.content() != self.draft.content():
            return False
        if retry.reported_at is None:
            return self.draft.reported_at is None
        return retry.reported_at == self.reported_at

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "reported_at": self.reported_at.isoformat(),
            "recorded_at": TimePoint.at(self.recorded_at).isoformat(),
            "source": self.source,
            "actor": self.actor,
            "on_behalf_of": self.on_behalf_of,
            "based_on": [str(i) for i in self.based_on],
            "incidents": list(self.incidents),
            "position": self.position,
            "data": self.payload.to_json(),
        }


def _event_id(raw: object, field: str) -> UUID:
    if not isinstance(raw, str) or not UUID_TEXT.fullmatch(raw.lower()):
        raise InvalidValue(field, f"must be a UUID; got {raw!r}")
    return UUID(raw)


def _event_ids(raw: object) -> tuple[UUID, ...]:
    if not isinstance(raw, list):
        raise InvalidValue("based_on", "must be a list of event ids")
    if len(raw) > MAX_ITEMS:
        raise InvalidValue("based_on", f"must not name more than {MAX_ITEMS} events; got {len(raw)}")
    ids = tuple(_event_id(item, f"based_on[{i}]") for i, item in enumerate(raw))
    if len(set(ids)) != len(ids):
        raise InvalidValue("based_on", "must not name an event twice")
    return ids


def _incidents(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """`incident` (one) or `incidents` (several): an event may belong to more than one."""
    if "incident" in raw and "incidents" in raw:
        raise InvalidValue("incident", "give either incident or incidents, not both")
    value = raw.get("incidents", raw.get("incident"))
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    field = "incidents" if "incidents" in raw else "incident"
    if not isinstance(items, list) or not all(isinstance(i, str) and SLUG.fullmatch(i) for i in items):
        raise InvalidValue(field, "must be an incident id (a lowercase slug) or a list of them")
    return tuple(dict.fromkeys(items))
