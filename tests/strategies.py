"""Hypothesis strategies: random logs that obey the rules.

A log starts with a small cast (vehicles, crew, one incident) and then draws
fleet, crew and incident events at random days, reported at random lags
(so many are back-dated), with corrections and retractions of earlier events
(and of corrections), and retractions of retractions. Every generated event is
meant to be accepted; a refusal is a failure worth seeing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

DAY0 = date(2022, 1, 1)
VEHICLES = ["v0", "v1", "v2"]
CREW = ["c0", "c1", "c2", "c3"]
TARGETS = ["2023-03", "not announced", "2023-02-20", "no earlier than 2023-02-24"]
QUERY_DAYS = [0, 15, 30, 45, 60, 75, 200]


def day(n: int) -> str:
    return (DAY0 + timedelta(days=n)).isoformat()


@dataclass
class _Log:
    events: list[dict[str, Any]] = field(default_factory=list)
    amendable_events: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> event of a kind we amend
    retractions: list[tuple[str, str]] = field(default_factory=list)  # (retraction id, its target)
    flights: dict[str, str] = field(default_factory=dict)  # vehicle -> "docked" | "landed"
    dock_day: dict[str, int] = field(default_factory=dict)
    known_from: dict[str, int] = field(default_factory=dict)  # id -> latest day it may be believed reported

    def add(self, event: dict[str, Any], amendable: bool = True) -> dict[str, Any]:
        event["id"] = str(uuid.UUID(int=len(self.events) + 1))
        self.events.append(event)
        if amendable:
            self.amendable_events[event["id"]] = event
        return event

    def believed(self, event_id: str) -> bool:
        """Not retracted: no retraction of it that is itself believed."""
        return not any(target == event_id and self.believed(r) for r, target in self.retractions)

    @property
    def amendable(self) -> dict[str, dict[str, Any]]:
        """The events a correction or retraction may name now."""
        return {i: e for i, e in self.amendable_events.items() if self.believed(i)}


def _event(type_: str, occurred: int, lag: int, **data: Any) -> dict[str, Any]:
    return {"type": type_, "occurred_at": day(occurred), "reported_at": day(occurred + lag),
            "source": "generated", "data": data}


DECISION_KINDS = ["decide", "decide", "consequence", "consequence", "supersede"]


@st.composite
def logs(draw: st.DrawFn, max_events: int = 14, decisions: bool = False) -> list[dict[str, Any]]:
    """A log; with `decisions`, also decisions resting on earlier events, a
    second incident, events resting on decisions (and on those), and
    corrections of what a decision supersedes."""
    log = _Log()
    for vehicle in VEHICLES:
        seats = draw(st.sampled_from([0, 3, 4]))
        log.add(_event("VehicleRegistered", 0, 0, id=vehicle, name=vehicle, kind="k", seats=seats), False)
    for member in CREW:  # an alias may be another member's id: the id still names that member
        aliases = draw(st.lists(st.sampled_from(CREW), max_size=1))
        log.add(_event("CrewMemberRegistered", 0, 0, id=member, name=member, agency="a", aliases=aliases), False)
    log.add(_event("IncidentOpened", 0, 0, id="inc", title="incident", vehicles=["v0"]) | {"incident": "inc"},
            False)
    if decisions:
        log.add(_event("IncidentOpened", 0, 0, id="inc2", title="another", vehicles=["v1"]) | {"incident": "inc2"},
                False)
    for _ in range(draw(st.integers(0, max_events))):
        occurred, lag = draw(st.integers(1, 60)), draw(st.integers(0, 30))
        if decisions and draw(st.booleans()):  # half the events, so that decisions have a story
            kind = draw(st.sampled_from(DECISION_KINDS))
        else:
            kind = draw(st.sampled_from(["leak", "assess", "return", "lifeboat", "extend", "seats", "schedule",
                                         "flight", "withdraw", "end", "same day", "observe", "rests",
                                         "correct", "correct", "retract"]))
        if kind in DECISION_KINDS:
            _draw_decision_event(draw, log, kind, occurred, lag)
        else:
            _draw_event(draw, log, kind, occurred, lag)
    return log.events


def _draw_decision_event(draw: st.DrawFn, log: _Log, kind: str, occurred: int, lag: int) -> None:
    facts = [e["id"] for e in log.events if e["type"] not in ("EntryCorrected", "EntryRetracted")]
    taken = [e["id"] for e in log.events if e["type"] == "DecisionTaken"]
    incidents = draw(st.sampled_from([[], ["inc"], ["inc2"], ["inc", "inc2"]]))
    if kind == "decide":
        log.add(_event("DecisionTaken", occurred, lag, summary="decided", rationale="because",
                       authority=draw(st.sampled_from([None, "Agency", "the  agency", "AGENCY"])),
                       supersedes=draw(st.lists(st.sampled_from(taken), max_size=2, unique=True)) if taken else [])
                | {"based_on": draw(st.lists(st.sampled_from(facts), max_size=3, unique=True)),
                   "incidents": incidents})
    elif kind == "consequence" and taken:
        resting = [e["id"] for e in log.events if e.get("based_on") and e["type"] != "DecisionTaken"]
        based_on = draw(st.lists(st.sampled_from(taken + resting), min_size=1, max_size=2, unique=True))
        vehicle, member = draw(st.sampled_from(VEHICLES)), draw(st.sampled_from(CREW))
        event = draw(st.sampled_from([
            _event("VehicleDamageAssessed", occurred, lag, vehicle=vehicle, health="degraded",
                   crewed_return="emergency_only"),
            _event("ReturnVehicleAssigned", occurred, lag, crew_member=member, vehicle=vehicle,
                   planned_return="2023-03"),
            _event("LifeboatAssigned", occurred, lag, crew_member=member, vehicle=vehicle),
            _event("SeatCapacityChanged", occurred, lag, vehicle=vehicle, seats=2, reason="decided")]))
        log.add(event | {"based_on": based_on, "incidents": incidents})
        if draw(st.booleans()):  # later set again: what the consequence set is no longer current
            again = _event(event["type"], occurred + draw(st.integers(1, 20)), lag,
                           **{**event["data"], **(_data_change(draw, event["type"]) or {})})
            log.add(again)
    elif kind == "supersede":
        believed = [i for i in taken if i in log.amendable]
        if believed:
            target = draw(st.sampled_from(believed))
            others = [i for i in taken if i != target]
            log.add(_event("EntryCorrected", _after(log, log.amendable[target], occurred), lag, target=target,
                           reason="it replaced others",
                           changes={"supersedes": draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
                                    if others else [], "authority": "Board"}))


def _draw_event(draw: st.DrawFn, log: _Log, kind: str, occurred: int, lag: int) -> None:
    vehicle = draw(st.sampled_from(VEHICLES))
    member = draw(st.sampled_from(CREW))
    if kind == "leak":
        judged = draw(st.sampled_from([{}, {"assessment": "acceptable"}, {"assessment": "acceptable",
                                                                          "health": "degraded"}]))
        log.add(_event("LeakDetected", occurred, lag, vehicle=vehicle, system="cooling", description="leak", **judged)
                | {"incident": "inc"})
    elif kind == "withdraw":
        subject = {"vehicle": vehicle} if draw(st.booleans()) else {"crew_member": member}
        log.add(_event("PlanWithdrawn", occurred, lag, plan=draw(st.sampled_from(["launch", "return"])),
                       reason="cancelled", **subject))
    elif kind == "end":
        log.add(_event("AssignmentEnded", occurred, lag, crew_member=member,
                       assignment=draw(st.sampled_from(["return_vehicle", "lifeboat"])), reason="reassigned"))
    elif kind == "same day":
        # A timed test, and a date-only assessment of the same day resting on it:
        # the assessment folds after the test, whatever their own keys say.
        test = log.add(_event("ObservationRecorded", occurred, lag, description="pressure test", vehicle=vehicle)
                       | {"occurred_at": f"{day(occurred)}T{draw(st.integers(0, 23)):02d}:30:00Z"})
        log.add(_event("VehicleDamageAssessed", occurred, lag, vehicle=vehicle, **_assessment(draw))
                | {"based_on": [test["id"]]})
    elif kind == "observe":
        # Evidence the picture cannot see, unless it names the incident or
        # something comes to rest on it (see "rests").
        named = {"incident": "inc"} if draw(st.booleans()) else {}
        log.add(_event("ObservationRecorded", occurred, lag, description="seen", vehicle=vehicle) | named)
    elif kind == "rests" and (seen := [e for e in log.events if e["type"] == "ObservationRecorded"]):
        # An assessment of an observation's day resting on it, written later:
        # the observation now decides where the assessment falls in its day.
        test = draw(st.sampled_from(seen))
        observed = (date.fromisoformat(test["occurred_at"][:10]) - DAY0).days
        log.add(_event("VehicleDamageAssessed", observed, max(lag, occurred - observed), vehicle=vehicle,
                       **_assessment(draw)) | {"based_on": [test["id"]]})
    elif kind == "assess":
        log.add(_event("VehicleDamageAssessed", occurred, lag, vehicle=vehicle, **_assessment(draw)))
    elif kind == "return":
        log.add(_event("ReturnVehicleAssigned", occurred, lag, crew_member=member, vehicle=vehicle,
                       planned_return=draw(st.sampled_from(TARGETS))))
    elif kind == "lifeboat":
        log.add(_event("LifeboatAssigned", occurred, lag, crew_member=member, vehicle=vehicle))
    elif kind == "extend":
        crew = draw(st.lists(st.sampled_from(CREW), min_size=1, max_size=3, unique=True))
        log.add(_event("MissionExtended", occurred, lag, crew=crew, planned_return=draw(st.sampled_from(TARGETS))))
    elif kind == "seats":
        log.add(_event("SeatCapacityChanged", occurred, lag, vehicle=vehicle, seats=draw(st.integers(0, 4)),
                       reason="seat liner moved"))
    elif kind == "schedule":
        crew = draw(st.lists(st.sampled_from(CREW), max_size=3, unique=True))
        log.add(_event("LaunchScheduled", occurred, lag, vehicle=vehicle, target=draw(st.sampled_from(TARGETS)),
                       crew=crew))
    elif kind == "flight":
        _fly(draw, log, vehicle, occurred, lag)
    elif kind == "correct" and log.amendable:
        _correct(draw, log, occurred, lag)
    elif kind == "retract" and log.amendable:
        target = draw(st.sampled_from(sorted(log.amendable)))
        retraction = log.add(_event("EntryRetracted", _after(log, log.amendable[target], occurred), lag,
                                    target=target, reason="wrong"))
        log.retractions.append((retraction["id"], target))  # retracting a retraction restores its target


def _after(log: _Log, target: dict[str, Any], occurred: int) -> int:
    """A day for an amendment: after its target was reported, as it may now be
    believed (what is not yet known cannot be amended), and late enough to be a
    correction."""
    reported = (date.fromisoformat(target["reported_at"]) - DAY0).days
    return max(occurred + 30, reported, log.known_from.get(target["id"], 0))


def _assessment(draw: st.DrawFn) -> dict[str, Any]:
    return {"health": draw(st.sampled_from(["nominal", "degraded", "damaged"])),
            "crewed_return": draw(st.sampled_from(["cleared", "emergency_only", "not_cleared", "under_review"]))}


def _fly(draw: st.DrawFn, log: _Log, vehicle: str, occurred: int, lag: int) -> None:
    """Up, docked, and later home: each vehicle flies once, in order."""
    state = log.flights.get(vehicle)
    crew = draw(st.lists(st.sampled_from(CREW), max_size=3, unique=True))
    if state is None:
        # Sometimes a timed launch and a date-only docking resting on it.
        launch = _event("VehicleLaunched", occurred, lag, vehicle=vehicle, crew=crew)
        if draw(st.booleans()):
            launch["occurred_at"] = f"{day(occurred)}T{draw(st.integers(0, 23)):02d}:15:00Z"
        launch = log.add(launch, False)
        docked = _event("VehicleDocked", occurred, lag, vehicle=vehicle, station="station")
        log.add(docked | {"based_on": [launch["id"]]} if "T" in launch["occurred_at"] else docked, False)
        log.flights[vehicle], log.dock_day[vehicle] = "docked", occurred
    elif state == "docked":
        home = log.dock_day[vehicle] + draw(st.integers(1, 40))
        log.add(_event("VehicleUndocked", home, lag, vehicle=vehicle, crew=crew), False)
        ending = draw(st.sampled_from(["named", "whoever is inside", "lost"]))
        if ending == "lost":
            log.add(_event("VehicleLost", home, lag, vehicle=vehicle, circumstances="burned up"), False)
        else:
            log.add(_event("VehicleLanded", home, lag, vehicle=vehicle, crew=crew if ending == "named" else []),
                    False)
        log.flights[vehicle] = "landed"


def _correct(draw: st.DrawFn, log: _Log, occurred: int, lag: int) -> None:
    target_id = draw(st.sampled_from(sorted(log.amendable)))
    target = log.amendable[target_id]
    when = _after(log, target, occurred)
    if target["type"] == "EntryRetracted":
        return
    if target["type"] == "EntryCorrected":  # a correction of a correction: new values instead
        original = next(e for e in log.events if e["id"] == target["data"]["target"])
        changes = _data_change(draw, original["type"])
        if changes is None:
            return
        log.add(_event("EntryCorrected", when, lag, target=target_id, reason="the correction was wrong",
                       changes={"changes": changes}))
        return
    changes = _data_change(draw, target["type"]) if draw(st.booleans()) else None
    if changes is None:  # move it in valid and knowledge time instead
        # ...but never to after the correction itself was reported
        new_occurred = draw(st.integers(1, min(60, when + lag)))
        new_reported = min(new_occurred + draw(st.integers(0, 30)), when + lag)
        changes = {"occurred_at": day(new_occurred), "reported_at": day(new_reported)}
        log.known_from[target_id] = max(log.known_from.get(target_id, 0), new_reported)
    log.add(_event("EntryCorrected", when, lag, target=target_id, reason="the source was wrong", changes=changes))


def _data_change(draw: st.DrawFn, type_: str) -> dict[str, Any] | None:
    if type_ in ("ReturnVehicleAssigned", "LifeboatAssigned"):
        return {"vehicle": draw(st.sampled_from(VEHICLES))}
    if type_ == "VehicleDamageAssessed":
        return _assessment(draw)
    if type_ == "SeatCapacityChanged":
        return {"seats": draw(st.integers(0, 4))}
    if type_ == "LeakDetected":
        return {"description": draw(st.sampled_from(["a hole under 1 mm", "0.8 mm hole"]))}
    if type_ in ("MissionExtended", "LaunchScheduled"):
        return {"planned_return" if type_ == "MissionExtended" else "target": draw(st.sampled_from(TARGETS))}
    return None


def dependencies(event: dict[str, Any]) -> set[str]:
    """Ids an event needs in the log before it (evidence and amendment targets)."""
    needs = set(event.get("based_on", []))
    if event["type"] in ("EntryCorrected", "EntryRetracted"):
        needs.add(event["data"]["target"])
    return needs
