"""How one vehicle's status or one crew member's plan changed over valid time,
as known at `known_at`: each change with the event that caused it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from domain.entry import Entry
from projections.explain import describe
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import Picture, derive_return_crews, evolve
from projections.state import find_crew

Subject = Literal["vehicle", "crew"]


def history(entries: Iterable[Entry], horizon: Horizon, kind: Subject, name: str) -> list[dict[str, Any]] | None:
    """The changes to one subject, oldest first; None if it never appears.

    `horizon.as_of` is ignored: a history runs through all of valid time.
    """
    return changes_of(in_valid_time(beliefs(entries, horizon), _all_time(horizon)), kind, name)


def changes_of(facts: Iterable[Entry], kind: Subject, name: str) -> list[dict[str, Any]] | None:
    """`history` from the facts that count through all of valid time, in
    valid-time order (a stream: the read model hands them over a slice at a
    time, `store.bounded_reads`)."""
    picture = Picture()
    subject_id: str | None = name if kind == "vehicle" else None
    before: dict[str, Any] = {}
    changes = []
    for entry in facts:
        evolve(picture, entry)
        derive_return_crews(picture)
        if kind == "crew" and subject_id is None:
            member = find_crew(picture, name)
            subject_id = member.id if member else None
        after = _snapshot(picture, kind, subject_id)
        diff = {field: {"from": before.get(field), "to": value}
                for field, value in after.items() if before.get(field) != value and field != "id"}
        if diff:
            changes.append({"occurred_at": entry.occurred_at.isoformat(), "event": describe(entry),
                            "changes": diff})
        before = after
    return changes if before else None


def _snapshot(picture: Picture, kind: Subject, subject_id: str | None) -> dict[str, Any]:
    views = picture.vehicles if kind == "vehicle" else picture.crew
    view = views.get(subject_id) if subject_id else None
    return view.to_json() if view else {}


def _all_time(horizon: Horizon) -> Horizon:
    return Horizon(datetime.max.replace(tzinfo=UTC), horizon.known_at, horizon.recorded_before)
