"""Versions of each vehicle's status and each crew member's plan, taken while
a fold is carried: what the read model answers one view from without folding.

A fold visits the facts in valid-time order, and the facts counting by any
`as_of` are a prefix of that order (its key starts with the time a fact
counts from). So a view's value at `as_of` is its value after the last fact
counting by then: keeping, for each view, its JSON after every fact that
changed it, with the time that fact counts from, answers every `as_of` with
one look-up (the latest version at or before it; of several facts counting
from the same instant, the last). Each version also names the fact that made
it, so a view's versions in order are its history as known now
(`projections.history.changes_from_versions`).

A view changes when the fold gives one of its fields a value (`Cause.touched`)
or names it for the first time. A vehicle's return crew is derived from the
crew's return vehicles (`picture.derive_return_crews`): it is worked out
again for every vehicle a member's assignment leaves or names, as the fold
would work it out at the end, from the members in the picture's order.

Each station is kept the same way, as a view of its own: who is aboard and
which vehicles are docked there, in the picture's order, kept again when
someone or something arrives or leaves, and when the station is first named.
Its capacity (`projections.capacity.seats_against_crew`) is worked out from those
views when asked: a version of the capacity itself would hold every person
aboard again at every change to any of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any
from uuid import UUID

from domain.entry import Entry
from projections import picture_codec
from projections.capacity import aboard_at, docked_at
from projections.picture import CrewPlan, Picture, Tracked, VehicleStatus

VEHICLE, CREW, STATION = "vehicle", "crew", "station"
KINDS: dict[str, type[Tracked]] = {VEHICLE: VehicleStatus, CREW: CrewPlan}

# (kind, id, counts from, order in the series, the fact that made it (None: as
# it stood where the fold started), the view as stored)
Version = tuple[str, str, datetime, int, UUID | None, picture_codec.Stored]


class Versions:
    """Watches a picture being folded and keeps a version of every view each
    fact changes. `restate(at)` first keeps every view as it stands, for a
    fold that starts from a checkpoint rather than from nothing."""

    def __init__(self, picture: Picture, made: int = 0) -> None:
        self.picture = picture
        picture.cause.touched = []
        self._rank = {member_id: rank for rank, member_id in enumerate(picture.crew)}  # the picture's order
        self._vehicle_rank = {vehicle_id: rank for rank, vehicle_id in enumerate(picture.vehicles)}
        self._returning: dict[str, str] = {}  # member -> the vehicle assigned to bring them home
        self._assigned: dict[str, set[str]] = {}  # vehicle -> members it is to bring home
        # Where each vehicle is docked and each member aboard: a station's view.
        self._docked: dict[str, set[str]] = {}  # station -> vehicles docked there
        self._aboard: dict[str, set[str]] = {}  # station -> members aboard
        self._docked_at: dict[str, str] = {}
        self._aboard_at: dict[str, str] = {}
        self._stations: set[str] = set()
        for member in picture.crew.values():
            self._assign(member.id, member.return_vehicle)
            self._place_member(member)
        for vehicle in picture.vehicles.values():
            self._place_vehicle(vehicle)
        self._stations.update(picture.stations)
        self._sizes = (len(picture.vehicles), len(picture.crew))
        self._last: dict[tuple[str, str], picture_codec.Stored] = {}  # each view's latest version
        self._marks: dict[str, tuple[Any, ...]] = {}  # what each vehicle's latest version was made of
        self._pending: list[Version] = []  # versions not yet taken
        self._made = made  # versions made so far (`made` before it: a series carried on): each one's place
        self._fact: UUID | None = None

    def resync(self, changed: Iterable[Tracked], gone: Iterable[Tracked]) -> None:
        """The picture was taken back (`projections.knowledge_levels`): these
        views were `changed` and these are `gone` from it (the last named).
        Versions made from now on start from the picture as it stands."""
        for view in gone:
            if isinstance(view, CrewPlan):
                self._assign(view.id, None)
                self._place_member(view, absent=True)
                del self._rank[view.id]
            elif isinstance(view, VehicleStatus):
                self._place_vehicle(view, absent=True)
                del self._vehicle_rank[view.id]
        for view in changed:
            if isinstance(view, CrewPlan) and self.picture.crew.get(view.id) is view:
                self._assign(view.id, view.return_vehicle)
                self._place_member(view)
            elif isinstance(view, VehicleStatus) and self.picture.vehicles.get(view.id) is view:
                self._place_vehicle(view)
        self._stations = set(self.picture.stations)
        self._sizes = (len(self.picture.vehicles), len(self.picture.crew))
        self._last.clear()  # what each view was last kept as may have been taken back
        self._marks.clear()
        self.picture.cause.touched = []

    def restate(self, at: datetime) -> None:
        """Keep every view as it stands at `at`."""
        for vehicle_id in self.picture.vehicles:
            self._keep(VEHICLE, vehicle_id, at, self._vehicle_value(vehicle_id))
        for member_id, member in self.picture.crew.items():
            self._keep(CREW, member_id, at, picture_codec.view_value(member))
        for station in sorted(self._stations):
            self._keep(STATION, station, at, self._station_value(station))

    def after(self, counted_from: datetime, fact: Entry) -> None:
        """`fact`, counting from `counted_from`, was just folded in."""
        self._fact = fact.id
        touched = self.picture.cause.touched
        assert touched is not None
        changed: dict[int, Tracked] = {id(view): view for view in touched}
        touched.clear()
        for view in self._new_views():
            changed[id(view)] = view
        vehicles: set[str] = set()
        stations = set(self.picture.stations - self._stations)  # named for the first time
        self._stations.update(stations)
        for view in changed.values():
            if isinstance(view, CrewPlan):
                before = self._returning.get(view.id)
                self._assign(view.id, view.return_vehicle)
                vehicles.update(v for v in (before, view.return_vehicle) if v is not None)
                stations.update(self._place_member(view))
                self._keep(CREW, view.id, counted_from, picture_codec.view_value(view))
            elif isinstance(view, VehicleStatus):
                vehicles.add(view.id)
                stations.update(self._place_vehicle(view))
        for vehicle_id in vehicles:
            # A member may name a vehicle the picture has not seen; most facts
            # touching a member leave their vehicle as it was.
            if vehicle_id in self.picture.vehicles and self._remade(vehicle_id):
                self._keep(VEHICLE, vehicle_id, counted_from, self._vehicle_value(vehicle_id))
        for station in sorted(stations & self._stations):
            self._keep(STATION, station, counted_from, self._station_value(station))

    @property
    def made(self) -> int:
        """The place in the series of the latest version made."""
        return self._made

    def take(self) -> list[Version]:
        """The versions kept since the last time, to store."""
        taken, self._pending = self._pending, []
        return taken

    def close(self) -> None:
        self.picture.cause.touched = None

    def _new_views(self) -> Iterator[Tracked]:
        vehicles, crew = self._sizes
        self._sizes = (len(self.picture.vehicles), len(self.picture.crew))
        if len(self.picture.vehicles) > vehicles:
            for vehicle in islice(self.picture.vehicles.values(), vehicles, None):
                self._vehicle_rank[vehicle.id] = len(self._vehicle_rank)
                yield vehicle
        if len(self.picture.crew) > crew:
            for member in islice(self.picture.crew.values(), crew, None):
                self._rank[member.id] = len(self._rank)
                yield member

    def _assign(self, member_id: str, vehicle_id: str | None) -> None:
        _move(member_id, vehicle_id, self._returning, self._assigned)

    def _place_member(self, member: CrewPlan, absent: bool = False) -> set[str]:
        """Note where the member is aboard (`absent`: no longer in the
        picture); the stations they left or came to."""
        now = None if absent else aboard_at(member)
        return _changed(_move(member.id, now, self._aboard_at, self._aboard), now)

    def _place_vehicle(self, vehicle: VehicleStatus, absent: bool = False) -> set[str]:
        now = None if absent else docked_at(vehicle)
        return _changed(_move(vehicle.id, now, self._docked_at, self._docked), now)

    def _station_value(self, station: str) -> picture_codec.Stored:
        """Who is aboard the station and what is docked there, each in the picture's order."""
        docked = sorted(self._docked.get(station, ()), key=self._vehicle_rank.__getitem__)
        aboard = sorted(self._aboard.get(station, ()), key=self._rank.__getitem__)
        return picture_codec.Stored((tuple(aboard), tuple(docked)), _station_json)

    def _return_crew(self, vehicle_id: str) -> tuple[list[str], UUID | None]:
        """Its return crew as `derive_return_crews` gives it, and the event named for it."""
        members = sorted(self._assigned.get(vehicle_id, ()), key=self._rank.__getitem__)
        return members, self.picture.crew[members[0]].set_by.get("return_vehicle") if members else None

    def _remade(self, vehicle_id: str) -> bool:
        """Has anything the vehicle's version is made of changed since it was
        last written: its assignments (`Tracked` counts them), its return crew
        or the event behind that?"""
        vehicle = self.picture.vehicles[vehicle_id]
        members, first = self._return_crew(vehicle_id)
        mark = (vehicle.__dict__.get("_edits", 0), len(vehicle.set_by), tuple(members), first)
        if self._marks.get(vehicle_id) == mark:
            return False
        self._marks[vehicle_id] = mark
        return True

    def _vehicle_value(self, vehicle_id: str) -> picture_codec.Stored:
        """The vehicle with its return crew worked out."""
        derived: dict[str, tuple[Any, UUID | None]] = {"return_crew": self._return_crew(vehicle_id)}
        return picture_codec.view_value(self.picture.vehicles[vehicle_id], derived)

    def _keep(self, kind: str, view_id: str, at: datetime, value: picture_codec.Stored) -> None:
        if self._last.get((kind, view_id)) == value:
            return  # worked out again, unchanged
        self._last[(kind, view_id)] = value
        self._made += 1
        self._pending.append((kind, view_id, at, self._made, self._fact, value))


def _move(item: str, place: str | None, at: dict[str, str], holding: dict[str, set[str]]) -> str | None:
    """Note that `item` is now at `place` (None: nowhere), both ways: `at`
    says where each item is, `holding` what each place holds. Returns where
    it was."""
    before = at.pop(item, None)
    if before is not None:
        holding[before].discard(item)
    if place is not None:
        at[item] = place
        holding.setdefault(place, set()).add(item)
    return before


def _station_json(key: tuple[Any, ...]) -> str:
    aboard, docked = key
    return json.dumps({"aboard": aboard, "docked": docked}, separators=(",", ":"))


def _changed(before: str | None, now: str | None) -> set[str]:
    """The places an item left or came to (none if it stayed)."""
    return set() if before == now else {p for p in (before, now) if p is not None}
