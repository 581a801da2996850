"""How one vehicle's status or one crew member's plan changed over valid time,
as known at `known_at`: each change with the event that caused it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from domain.entry import Entry
from projections.explain import describe
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import CrewPlan, Picture, Tracked, V, VehicleStatus, derive_return_crews, evolve
from projections.state import find_crew

Subject = Literal["vehicle", "crew"]


def history(entries: Iterable[Entry], horizon: Horizon, kind: Subject, name: str) -> list[dict[str, Any]] | None:
    """The changes to one subject, oldest first; None if it never appears.

    A vehicle is named by its id. A crew member is named by id (the member
    with that id, if one ever appears), else by name or alias: the first
    member, in valid time, to answer to it (`projections.state.find_crew`).
    `horizon.as_of` is ignored: a history runs through all of valid time.
    """
    return changes_of(in_valid_time(beliefs(entries, horizon), _all_time(horizon)), kind, name)


def changes_of(facts: Iterable[Entry], kind: Subject, name: str) -> list[dict[str, Any]] | None:
    """`history` from the facts that count through all of valid time, in
    valid-time order (a stream: the read model hands them over a slice at a
    time, `store.bounded_reads`)."""
    picture = _Watched()
    subject_id: str | None = name if kind == "vehicle" else None
    before: dict[str, Any] = {}
    changes: list[dict[str, Any]] = []
    order: dict[str, int] = {}  # each crew member's place in the picture, as it was named
    assigned: set[str] = set()  # the members whose return vehicle is the subject
    for entry in facts:
        picture.journal.clear()
        evolve(picture, entry)
        # What this fact set decides what can have changed: the fold of every
        # fact is the reference, and each step below is skipped only where it
        # could not have given another answer. A return crew counts each
        # member's return vehicle, among the vehicles named so far: only
        # those assigned to the subject, kept as return vehicles are set.
        if kind == "vehicle" and _return_crew_may_change(picture.journal, order, assigned, name):
            derive_return_crews(picture, only=subject_id,
                                among=[picture.crew[i] for i in sorted(assigned, key=order.__getitem__)])
        if kind == "crew" and subject_id != name:
            if name in picture.crew:
                # The member with that id, named just now: theirs is the history,
                # not that of one who answered to it by name or alias before.
                subject_id, before, changes = name, {}, []
            elif subject_id is None:
                # Only a member named now or given a name or alias now can have
                # become the first to answer to `name`: the others did not before.
                touched = {id(v) for v, _ in picture.journal if isinstance(v, CrewPlan)}
                candidates = Picture(crew={k: m for k, m in picture.crew.items() if id(m) in touched})
                member = find_crew(candidates, name)
                subject_id = member.id if member else None
        views = picture.vehicles if kind == "vehicle" else picture.crew
        view = views.get(subject_id) if subject_id else None
        if view is None or not any(v is view for v, _ in picture.journal):
            continue
        after = view.to_json()
        if diff := _diff(before, after):
            changes.append(_change(entry, diff))
        before = after
    return changes if before else None


def changes_from_versions(versions: Iterable[tuple[UUID, Tracked]],
                          facts: Mapping[UUID, Entry | None]) -> list[dict[str, Any]] | None:
    """`changes_of` from one view's versions as the read model keeps them
    (`projections.versions`: the view after each fact that changed it, in
    valid-time order), given those facts as believed."""
    before: dict[str, Any] = {}
    changes = []
    for fact, view in versions:
        after = view.to_json()
        if diff := _diff(before, after):
            entry = facts[fact]
            assert entry is not None, fact  # a fact the versions were folded from
            changes.append(_change(entry, diff))
        before = after
    return changes if before else None


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: {"from": before.get(key), "to": value}
            for key, value in after.items() if before.get(key) != value and key != "id"}


def _change(entry: Entry, diff: dict[str, Any]) -> dict[str, Any]:
    return {"occurred_at": entry.occurred_at.isoformat(), "event": describe(entry), "changes": diff}


NAMED = "id"  # noted in the journal for a view named for the first time


def _return_crew_may_change(journal: list[tuple[Tracked, str]], order: dict[str, int], assigned: set[str],
                            vehicle: str) -> bool:
    """Keep `order` and `assigned` with what a fact set; could the vehicle's
    return crew have changed (a member's return vehicle set, or a vehicle named)?"""
    may = False
    for view, name_set in journal:
        if isinstance(view, CrewPlan):
            if name_set == NAMED:
                order.setdefault(view.id, len(order))
            elif name_set == "return_vehicle":
                may = True
                if view.return_vehicle == vehicle:
                    assigned.add(view.id)
                else:
                    assigned.discard(view.id)
        elif isinstance(view, VehicleStatus) and name_set == NAMED:
            may = True
    return may


class _Journal(dict[str, UUID]):
    """A view's `set_by` that notes, in the picture's journal, every field set."""

    def __init__(self, view: Tracked, journal: list[tuple[Tracked, str]]) -> None:
        super().__init__()
        self._view, self._journal = view, journal

    def __setitem__(self, field: str, event: UUID) -> None:
        self._journal.append((self._view, field))
        super().__setitem__(field, event)

    def setdefault(self, field: str, event: UUID) -> UUID:
        self._journal.append((self._view, field))
        return super().setdefault(field, event)

    def pop(self, field: str, *default: Any) -> Any:
        self._journal.append((self._view, field))
        return super().pop(field, *default)


@dataclass
class _Watched(Picture):
    """A picture that notes which view fields each fact sets (every field a
    fact sets is noted in the view's `set_by`)."""

    journal: list[tuple[Tracked, str]] = field(default_factory=list)

    def _attached(self, view: V) -> V:
        view.set_by = _Journal(view, self.journal)
        self.journal.append((view, NAMED))
        return super()._attached(view)


def _all_time(horizon: Horizon) -> Horizon:
    return Horizon(datetime.max.replace(tzinfo=UTC), horizon.known_at, horizon.recorded_before)
