"""Synthetic, rule-abiding logs for the benchmarks.

- `history(n)`: the first, simple one: crews fly up in a new vehicle each,
  stay, and come home (the slider benchmark uses it).
- `fleet_log(size, seed)`: a realistic one (`make bench`): a fleet of capsules
  flown again and again to three stations by a crew pool of hundreds, cargo
  ships that fly once and burn up on re-entry (a few lost), plans that are
  rescheduled or withdrawn, late reports, corrections (of data and of times)
  and retractions, and incidents with leaks, observations, findings and
  decisions whose consequences (reassignments, replacement flights) rest on
  them.

Every event of `fleet_log` is accepted by the log's rules when the events are
appended in the order given (any batch size): the order is the order the
organisation learned them (`reported_at`), and each event comes after every
event it names. Per 100,000 events: about 120 capsules, 600 crew members,
3 stations, 5% corrections, 1% retractions and 100 incidents over some twenty
years from 2000; the fleet and the crew pool grow with the size.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

START = date(2000, 1, 1)


def history(events: int) -> Iterator[dict[str, Any]]:
    """About `events` events: each rotation registers a vehicle and three crew,
    launches, docks, plans their return, and (after a while) brings them home."""
    produced = 0
    rotation = 0
    while produced < events:
        day = START + timedelta(days=rotation)
        vehicle = f"vehicle-{rotation}"
        crew = [f"crew-{rotation}-{seat}" for seat in range(3)]
        batch = [
            _event("VehicleRegistered", day, id=vehicle, name=f"Vehicle {rotation}", kind="capsule", seats=3),
            *(_event("CrewMemberRegistered", day, id=c, name=c.replace("-", " "), agency="agency",
                     aliases=[]) for c in crew),
            _event("VehicleLaunched", day, vehicle=vehicle, crew=crew),
            _event("VehicleDocked", day, vehicle=vehicle, station="station"),
            *(_event("ReturnVehicleAssigned", day, crew_member=c, vehicle=vehicle, planned_return="2001-01")
              for c in crew),
        ]
        if rotation >= 60:  # the crew of 60 rotations ago comes home
            old = rotation - 60
            old_crew = [f"crew-{old}-{seat}" for seat in range(3)]
            batch += [_event("VehicleUndocked", day, vehicle=f"vehicle-{old}", crew=old_crew),
                      _event("VehicleLanded", day, vehicle=f"vehicle-{old}", crew=old_crew)]
        for item in batch:
            if produced >= events:
                return
            produced += 1
            yield item
        rotation += 1


def _event(type_: str, day: date, **data: Any) -> dict[str, Any]:
    return {"type": type_, "occurred_at": day.isoformat(), "reported_at": day.isoformat(),
            "source": "benchmark", "data": data}


# --- The realistic log --------------------------------------------------------

SEED = 20221214
STATIONS = ("station-a", "station-b", "station-c")
PER_100K = {"capsules": 120, "crew": 600}
CORRECTED = 0.05  # share of the log that corrects an earlier event
RETRACTED = 0.01  # share that retracts one
LAST_DAY = date(2025, 12, 31)  # nothing may happen or be reported in the future

# Daily odds, tuned so that 100,000 events span about twenty years.
OBSERVATION = 0.18  # per docked vehicle per day
STATEMENT = 0.012
SEATS_CHANGED = 0.0008
INCIDENT = 0.00036  # per docked crewed flight per day (and a fifth as many aboard each station)

SYSTEMS = ("coolant loop", "cabin air", "thermal control", "propulsion", "docking mechanism", "power")
ROUTINE = ("cabin pressure {n} kPa, nominal", "coolant loop temperature {n} C, within limits",
           "thermal control check completed, {n} readings nominal", "hatch seal inspected, {n} mm gap",
           "carbon dioxide scrubber at {n} percent", "micrometeoroid strike on a panel, {n} mm crater",
           "battery bank at {n} percent charge", "docking port {n} inspected, no anomaly")
SPEAKERS = ("flight director", "program manager", "chief engineer", "mission control spokesperson",
            "commission chair", "crew surgeon")
SITES = ("steppe landing zone", "ocean splashdown east", "ocean splashdown west", "desert range")
SOURCES = ("flight control log", "mission status report", "agency press release", "crew report",
           "telemetry review", "commission minutes")
AMENDABLE = frozenset({"ObservationRecorded", "StatementIssued", "LeakDetected", "VehicleDamageAssessed",
                       "ReturnVehicleAssigned", "LaunchScheduled", "ReturnScheduled", "SeatCapacityChanged",
                       "VehicleLanded", "DecisionTaken"})


def fleet_log(size: int, seed: int = SEED) -> list[dict[str, Any]]:
    """Exactly `size` events (JSON objects with ids), in the order to append them."""
    if size < 1:
        raise ValueError("size must be positive")
    return _Simulation(size, random.Random(seed)).run()


def describe(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What a generated log holds: counts by type and of what it names, and its span."""
    types = Counter(e["type"] for e in events)
    vehicles = [e["data"] for e in events if e["type"] == "VehicleRegistered"]
    crew = {e["data"]["id"] for e in events if e["type"] == "CrewMemberRegistered"}
    stations = {e["data"]["station"] for e in events if e["type"] == "VehicleDocked"}
    late = sum(1 for e in events if e["reported_at"][:10] > e["occurred_at"][:10])
    time_fixes = sum(1 for e in events if e["type"] == "EntryCorrected" and
                     {"occurred_at", "reported_at"} & set(e["data"]["changes"]))
    return {
        "events": len(events),
        "capsules": sum(1 for v in vehicles if v["seats"] > 0),
        "cargo_ships": sum(1 for v in vehicles if v["seats"] == 0),
        "crew": len(crew),
        "stations": len(stations),
        "incidents": types["IncidentOpened"],
        "launches": types["VehicleLaunched"],
        "corrections": types["EntryCorrected"],
        "corrections_of_times": time_fixes,
        "retractions": types["EntryRetracted"],
        "late_reports": late,
        "first_day": min((e["occurred_at"][:10] for e in events), default=None),
        "last_day": max((e["reported_at"][:10] for e in events), default=None),
        "types": dict(sorted(types.items())),
    }


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def _month(n: int) -> str:
    return _day(n)[:7]


@dataclass
class _Vehicle:
    id: str
    name: str
    seats: int
    kind: str
    registered: bool = False
    busy: bool = False  # planned, flying, docked, or taken for a replacement flight
    damaged: bool = False  # since an incident; assessed again before it flies again
    last_reported: int = 0  # movements are reported in the order they happened


@dataclass
class _Flight:
    vehicle: _Vehicle
    crew: list[str]
    station: str
    launch_day: int
    undock_day: int = 0
    state: str = "planned"  # planned, flying, docked, done, cancelled
    held: bool = False  # an incident holds it at the station until a decision
    return_crew: list[str] = field(default_factory=list)  # who comes home in it
    cargo: bool = False


@dataclass
class _Record:
    """What the generator remembers of an event it may amend or cite."""

    id: str
    type: str
    reported: int
    occurred: int
    data: dict[str, Any]


class _Simulation:
    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        scale = size / 100_000
        capsules = max(3, round(PER_100K["capsules"] * scale))
        self.vehicles = [_Vehicle(f"capsule-{i + 1}", f"Capsule {i + 1}", rng.choice((3, 3, 4)), "capsule")
                         for i in range(capsules)]
        self.crew_names = [f"crew-{i + 1}" for i in range(max(12, round(PER_100K["crew"] * scale)))]
        self.registered_crew: set[str] = set()
        self.crew_free_from = dict.fromkeys(self.crew_names, 0)  # rest after a flight
        self.crew_busy: set[str] = set()
        self.cargo_every = max(8, round(90 / scale))  # days between cargo flights to a station
        self.flights: list[_Flight] = []  # planned, flying or docked
        self.agenda: dict[int, list[Callable[[int], object]]] = {}
        self.events: list[tuple[int, int, dict[str, Any]]] = []  # (reported day, sequence, event)
        self.reported_by_day: Counter[int] = Counter()
        self.amendable: list[_Record] = []
        self.corrections: list[_Record] = []  # data corrections, which may be corrected or retracted
        self.retracted: set[str] = set()
        self.retractions: list[_Record] = []
        self.corrected = self.retracted_count = 0
        self.incidents = 0
        self.cargo_ships = 0

    # --- Running ---------------------------------------------------------------

    def run(self) -> list[dict[str, Any]]:
        for number, vehicle in enumerate(self.vehicles):  # a fleet that enters service over two years
            self.at(self.rng.randrange(0, 700) if number >= 2 else number * 5,
                    functools.partial(self.plan_flight, vehicle=vehicle))
        for number, station in enumerate(STATIONS):
            self.at(20 + 30 * number, functools.partial(self.plan_cargo, station=station))
        known = 0
        day = 0
        while True:
            while day in self.agenda:  # an action may add another for the same day
                for action in self.agenda.pop(day):
                    action(day)
            self.daily(day)
            self.amend(day)
            known += self.reported_by_day[day]  # everything reported by `day` has been generated
            if known >= self.size:
                break
            day += 1
            if START + timedelta(days=day) > LAST_DAY:
                raise RuntimeError(f"the simulation reached {LAST_DAY} with {known:,} of {self.size:,} events")
        self.events.sort(key=lambda item: (item[0], item[1]))
        return [event for _, _, event in self.events[:self.size]]

    def at(self, day: int, action: Callable[[int], object]) -> None:
        self.agenda.setdefault(day, []).append(action)

    def emit(self, type_: str, occurred: int, reported: int, data: dict[str, Any], *,
             based_on: tuple[str, ...] = (), incident: str | None = None, at: str | None = None) -> _Record:
        """One event; `at` gives its time of day (else it is known to the day)."""
        event_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        data = {key: list(value) if isinstance(value, list) else value for key, value in data.items()}  # a copy
        event: dict[str, Any] = {"id": event_id, "type": type_,
                                 "occurred_at": f"{_day(occurred)}T{at}Z" if at else _day(occurred),
                                 "reported_at": _day(reported), "source": self.rng.choice(SOURCES), "data": data}
        if based_on:
            event["based_on"] = list(based_on)
        if incident:
            event["incident"] = incident
        self.events.append((reported, len(self.events), event))
        self.reported_by_day[reported] += 1
        record = _Record(event_id, type_, reported, occurred, data)
        if type_ in AMENDABLE:
            self.amendable.append(record)
        return record

    def lag(self) -> int:
        """Days between a routine fact and its report: most the same day, some weeks later."""
        roll = self.rng.random()
        if roll < 0.75:
            return 0
        if roll < 0.90:
            return self.rng.randint(1, 5)
        if roll < 0.98:
            return self.rng.randint(6, 30)
        return self.rng.randint(31, 120)

    def move(self, type_: str, vehicle: _Vehicle, day: int, data: dict[str, Any]) -> _Record:
        """A movement, reported no earlier than the vehicle's previous one."""
        reported = max(day + (self.rng.randint(1, 3) if self.rng.random() < 0.1 else 0), vehicle.last_reported)
        vehicle.last_reported = reported
        return self.emit(type_, day, reported, {"vehicle": vehicle.id, **data})

    def register_vehicle(self, day: int, vehicle: _Vehicle) -> None:
        if not vehicle.registered:
            vehicle.registered = True
            self.emit("VehicleRegistered", day, day, {"id": vehicle.id, "name": vehicle.name, "kind": vehicle.kind,
                                                      "seats": vehicle.seats})

    def register_crew(self, day: int, members: list[str]) -> None:
        for member in members:
            if member not in self.registered_crew:
                self.registered_crew.add(member)
                number = member.removeprefix("crew-")
                self.emit("CrewMemberRegistered", day, day, {"id": member, "name": f"Crew Member {number}",
                                                             "agency": f"agency-{int(number) % 5 + 1}",
                                                             "aliases": [f"CM{number}"]})

    def pick_crew(self, day: int, count: int) -> list[str]:
        free = [c for c in self.crew_names if c not in self.crew_busy and self.crew_free_from[c] <= day]
        chosen = self.rng.sample(free, min(count, len(free)))
        self.crew_busy.update(chosen)
        return chosen

    def release_crew(self, day: int, members: list[str], rest: bool = True) -> None:
        for member in members:
            self.crew_busy.discard(member)
            self.crew_free_from[member] = day + (self.rng.randint(150, 400) if rest else 0)

    def docked(self, station: str | None = None) -> list[_Flight]:
        return [f for f in self.flights if f.state == "docked" and (station is None or f.station == station)]

    # --- Crewed flights ----------------------------------------------------------

    def plan_flight(self, day: int, vehicle: _Vehicle) -> None:
        if vehicle.busy:
            return
        crew = self.pick_crew(day, vehicle.seats if self.rng.random() < 0.8 else vehicle.seats - 1)
        if not crew:
            self.at(day + 30, lambda d: self.plan_flight(d, vehicle))
            return
        vehicle.busy = True
        self.register_vehicle(day, vehicle)
        self.register_crew(day, crew)
        if vehicle.damaged:  # repaired on the ground since its incident
            vehicle.damaged = False
            self.emit("VehicleDamageAssessed", day, day, {"vehicle": vehicle.id, "health": "nominal",
                                                          "crewed_return": "cleared",
                                                          "condition": "repaired and requalified"})
        launch = day + self.rng.randint(25, 60)
        flight = _Flight(vehicle, crew, self.rng.choice(STATIONS), launch)
        self.flights.append(flight)
        self.emit("LaunchScheduled", day, day + self.rng.randint(0, 2),
                  {"vehicle": vehicle.id, "target": _day(launch), "crew": crew,
                   "mission": f"{vehicle.id}-flight-{day}"})
        roll = self.rng.random()
        if roll < 0.03:
            self.at(day + self.rng.randint(5, 20), lambda d: self.withdraw_launch(d, flight))
        elif roll < 0.18:
            self.at(day + self.rng.randint(5, 20), lambda d: self.reschedule(d, flight))
        self.at(launch, lambda d: self.launch(d, flight))

    def reschedule(self, day: int, flight: _Flight) -> None:
        if flight.state != "planned":
            return
        flight.launch_day = max(flight.launch_day + self.rng.randint(-3, 20), day + 3)
        if len(flight.crew) > 1 and self.rng.random() < 0.3:  # a crew member stood down, another in their place
            dropped = flight.crew.pop()
            self.release_crew(day, [dropped], rest=False)
            flight.crew += self.pick_crew(day, 1)
            self.register_crew(day, flight.crew)
        target = _day(flight.launch_day) if self.rng.random() < 0.7 else f"no earlier than {_day(flight.launch_day)}"
        self.emit("LaunchScheduled", day, day, {"vehicle": flight.vehicle.id, "target": target,
                                                "crew": flight.crew})
        self.at(flight.launch_day, lambda d: self.launch(d, flight))

    def withdraw_launch(self, day: int, flight: _Flight) -> None:
        if flight.state != "planned":
            return
        flight.state = "cancelled"
        self.flights.remove(flight)
        self.emit("PlanWithdrawn", day, day, {"plan": "launch", "vehicle": flight.vehicle.id,
                                              "reason": "flight cancelled: launch vehicle grounded"})
        self.release_crew(day, flight.crew, rest=False)
        flight.vehicle.busy = False
        self.at(day + self.rng.randint(30, 120), lambda d: self.plan_flight(d, flight.vehicle))

    def launch(self, day: int, flight: _Flight) -> None:
        if flight.state != "planned" or flight.launch_day != day:
            return  # rescheduled or withdrawn
        flight.state = "flying"
        self.move("VehicleLaunched", flight.vehicle, day, {"crew": flight.crew})
        self.at(day + self.rng.choice((0, 0, 1, 2)), lambda d: self.dock(d, flight))

    def dock(self, day: int, flight: _Flight) -> None:
        flight.state = "docked"
        vehicle = flight.vehicle
        self.move("VehicleDocked", vehicle, day, {"station": flight.station, "port": f"port-{self.rng.randint(1, 6)}"})
        if flight.cargo or (not flight.crew and not flight.return_crew):
            return
        if not flight.crew:  # a replacement, flown up empty: the crew it is for take their seats in it
            for member in flight.return_crew:
                self.emit("LifeboatAssigned", day, day, {"crew_member": member, "vehicle": vehicle.id})
            return
        flight.return_crew = list(flight.crew)
        flight.undock_day = day + self.rng.randint(150, 220)
        for member in flight.crew:
            self.emit("ReturnVehicleAssigned", day, day + self.rng.randint(0, 3),
                      {"crew_member": member, "vehicle": vehicle.id, "planned_return": _month(flight.undock_day)})
        self.emit("ReturnScheduled", day, day + self.rng.randint(0, 5),
                  {"vehicle": vehicle.id, "target": _month(flight.undock_day), "crew": flight.crew})
        self.at(flight.undock_day, lambda d: self.undock(d, flight))
        others = [f for f in self.docked(flight.station) if f is not flight and not f.cargo and f.vehicle.seats
                  and f.undock_day > day + 40]
        if others and self.rng.random() < 0.08:  # a seat liner moved to another vehicle, and back later
            member, other = self.rng.choice(flight.crew), self.rng.choice(others)
            self.emit("LifeboatAssigned", day, day, {"crew_member": member, "vehicle": other.vehicle.id})
            self.at(day + self.rng.randint(10, 30), lambda d: self.lifeboat_back(d, flight, member))
        if self.rng.random() < 0.15:
            self.at(day + self.rng.randint(60, 140), lambda d: self.extend(d, flight))
        if self.incidents == 0:  # even a small log has one incident
            self.at(day + 5, lambda d: self.open_incident(d, flight))

    def lifeboat_back(self, day: int, flight: _Flight, member: str) -> None:
        if flight.state == "docked" and member in flight.crew:
            self.emit("LifeboatAssigned", day, day, {"crew_member": member, "vehicle": flight.vehicle.id})

    def extend(self, day: int, flight: _Flight) -> None:
        if flight.state != "docked" or flight.held or flight.undock_day <= day:
            return
        flight.undock_day += self.rng.randint(30, 90)
        self.emit("MissionExtended", day, day + self.rng.randint(0, 3),
                  {"crew": flight.crew, "planned_return": _month(flight.undock_day)})
        self.emit("ReturnScheduled", day, day, {"vehicle": flight.vehicle.id, "target": _month(flight.undock_day),
                                                "crew": flight.crew})
        self.at(flight.undock_day, lambda d: self.undock(d, flight))

    def undock(self, day: int, flight: _Flight) -> None:
        if flight.state != "docked" or flight.undock_day != day or flight.held:
            return
        vehicle = flight.vehicle
        crew = flight.return_crew
        flight.state = "done"
        self.flights.remove(flight)
        self.move("VehicleUndocked", vehicle, day, {"crew": crew})
        if flight.cargo:
            self.end_cargo(day, flight)
            return
        landing = day + self.rng.choice((0, 0, 0, 1))
        named = crew if self.rng.random() < 0.85 else []  # or: whoever is inside
        self.move("VehicleLanded", vehicle, landing, {"crew": named, "site": self.rng.choice(SITES)})
        self.release_crew(landing, crew)
        vehicle.busy = False
        self.at(landing + self.rng.randint(120, 400), lambda d: self.plan_flight(d, vehicle))

    # --- Cargo ships: fly once, burn up on re-entry ----------------------------

    def plan_cargo(self, day: int, station: str) -> None:
        self.at(day + self.rng.randint(self.cargo_every // 2, self.cargo_every * 3 // 2),
                lambda d: self.plan_cargo(d, station))
        self.cargo_ships += 1
        ship = _Vehicle(f"cargo-{self.cargo_ships}", f"Cargo {self.cargo_ships}", 0, "cargo", busy=True)
        self.register_vehicle(day, ship)
        launch = day + self.rng.randint(20, 40)
        flight = _Flight(ship, [], station, launch, cargo=True)
        self.flights.append(flight)
        self.emit("LaunchScheduled", day, day, {"vehicle": ship.id, "target": _month(launch)})
        self.at(launch, lambda d: self.launch_cargo(d, flight))

    def launch_cargo(self, day: int, flight: _Flight) -> None:
        flight.state = "flying"
        self.move("VehicleLaunched", flight.vehicle, day, {})
        if self.rng.random() < 0.04:
            flight.state = "done"
            self.flights.remove(flight)
            self.move("VehicleLost", flight.vehicle, day, {"circumstances": "lost in a launch failure"})
            return
        flight.undock_day = day + 2 + self.rng.randint(40, 100)
        self.at(day + 2, lambda d: self.dock(d, flight))
        self.at(flight.undock_day, lambda d: self.undock(d, flight))

    def end_cargo(self, day: int, flight: _Flight) -> None:
        if self.rng.random() < 0.03:
            self.move("VehicleLost", flight.vehicle, day, {"circumstances": "broke up early on re-entry"})
        else:
            self.move("VehicleLost", flight.vehicle, day, {"circumstances": "deorbited; burned up on re-entry "
                                                                            "as planned", "planned": True})

    # --- Every day: routine observations and statements ------------------------

    def daily(self, day: int) -> None:
        for flight in self.docked():
            vehicle = flight.vehicle.id
            if self.rng.random() < OBSERVATION:
                data: dict[str, Any] = {"description": self.rng.choice(ROUTINE).format(n=self.rng.randint(1, 120)),
                                        "vehicle": vehicle}
                if flight.crew and self.rng.random() < 0.5:
                    data["observer"] = self.rng.choice(flight.crew)
                self.emit("ObservationRecorded", day, day + self.lag(), data)
            if self.rng.random() < STATEMENT:
                self.emit("StatementIssued", day, day + self.lag(), {
                    "speaker": self.rng.choice(SPEAKERS), "summary": f"{vehicle} operations proceeding as planned",
                    "kind": self.rng.choice(("statement", "assurance"))})
            if flight.vehicle.seats and self.rng.random() < SEATS_CHANGED:
                seats = max(1, flight.vehicle.seats - 1) if self.rng.random() < 0.5 else flight.vehicle.seats
                self.emit("SeatCapacityChanged", day, day, {"vehicle": vehicle, "seats": seats,
                                                            "reason": "seat liner fitted or removed"})
            if not flight.cargo and not flight.held and flight.undock_day - day > 60 \
                    and self.rng.random() < INCIDENT:
                self.open_incident(day, flight)
        for station in STATIONS:
            aboard = len(self.docked(station))
            if aboard and self.rng.random() < INCIDENT / 5 * aboard:
                self.open_incident(day, None, station)

    # --- Incidents -------------------------------------------------------------

    def open_incident(self, day: int, flight: _Flight | None, station: str | None = None) -> None:
        if flight is not None and (flight.state != "docked" or flight.held):
            return
        self.incidents += 1
        incident = f"incident-{self.incidents}"
        system = self.rng.choice(SYSTEMS)
        if flight is None:
            self.emit("IncidentOpened", day, day, {"id": incident, "title": f"{system} fault aboard {station}",
                                                   "vehicles": []}, incident=incident)
            observations = self.incident_observations(day, incident, None, 2)
            self.at(day + self.rng.randint(10, 30), lambda d: self.finding(d, incident, observations, None))
            return
        vehicle = flight.vehicle.id
        self.emit("IncidentOpened", day, day, {"id": incident, "title": f"{system} leak on {vehicle}",
                                               "vehicles": [vehicle]}, incident=incident)
        serious = self.rng.random() < 0.75
        self.emit("LeakDetected", day, day, {"vehicle": vehicle, "system": system,
                                             "description": f"pressure drop in the {system}",
                                             "assessment": "under_review" if serious else "acceptable"},
                  incident=incident)
        observations = self.incident_observations(day, incident, vehicle, 5 if serious else 2)
        if serious:
            flight.held = True
            self.at(day + self.rng.randint(2, 8), lambda d: self.emit(
                "CommissionConvened", d, d, {"commission": f"commission on {incident}",
                                             "mandate": "determine the cause and the crew's way home"},
                incident=incident))
        self.at(day + self.rng.randint(15, 40), lambda d: self.finding(d, incident, observations, flight))

    def incident_observations(self, day: int, incident: str, vehicle: str | None, count: int) -> list[_Record]:
        found: list[_Record] = []
        for _ in range(self.rng.randint(count, count + 4)):
            when = day + self.rng.randint(0, 12)
            data: dict[str, Any] = {"description": f"{incident}: reading {self.rng.randint(1, 999)}",
                                    "observer": self.rng.choice(SPEAKERS)}
            if vehicle:
                data["vehicle"] = vehicle

            def observe(d: int, data: dict[str, Any] = data) -> None:
                found.append(self.emit("ObservationRecorded", d, d + self.lag(), data, incident=incident))

            self.at(when, observe)
        for _ in range(self.rng.randint(1, 3)):
            self.at(day + self.rng.randint(1, 15), lambda d: self.emit(
                "StatementIssued", d, d + self.lag(), {"speaker": self.rng.choice(SPEAKERS),
                                                       "summary": f"update on {incident}",
                                                       "kind": self.rng.choice(("statement", "expert_opinion"))},
                incident=incident))
        return found

    def finding(self, day: int, incident: str, observations: list[_Record], flight: _Flight | None) -> None:
        known = [o for o in observations if o.reported <= day and o.id not in self.retracted]
        evidence = tuple(o.id for o in self.rng.sample(known, min(len(known), self.rng.randint(1, 3))))
        finding = self.emit("FindingIssued", day, day, {
            "cause": self.rng.choice(("micrometeoroid impact", "seal wear", "manufacturing defect")),
            "method": self.rng.choice(("inspection", "proven experimentally", "telemetry analysis")),
            "summary": f"cause of {incident} determined", "authority": f"commission on {incident}"},
            based_on=evidence, incident=incident)
        basis = [finding.id]
        if flight is not None and flight.held:
            verdict = self.rng.choice(("emergency_only", "not_cleared"))
            assessed = self.emit("VehicleDamageAssessed", day, day, {
                "vehicle": flight.vehicle.id, "health": "damaged", "crewed_return": verdict,
                "condition": "crew return only in an emergency" if verdict == "emergency_only" else None},
                based_on=(finding.id,), incident=incident)
            basis.append(assessed.id)
            flight.vehicle.damaged = True
        self.at(day + self.rng.randint(3, 10), lambda d: self.decide(d, incident, tuple(basis), flight))

    def decide(self, day: int, incident: str, basis: tuple[str, ...], flight: _Flight | None) -> None:
        held = flight is not None and flight.held and flight.state == "docked"
        spare = [v for v in self.vehicles if not v.busy and v.seats >= len(flight.return_crew)] \
            if held and flight is not None else []
        replace = bool(spare) and self.rng.random() < 0.6
        summary = ("fly a replacement up uncrewed to bring the crew home" if replace
                   else "repair in orbit and return as planned" if held else "continue operations")
        decision = self.emit("DecisionTaken", day, day, {
            "summary": summary, "rationale": f"on the findings of the commission on {incident}",
            "authority": "program management", "alternatives": ["return as planned", "replacement flight"]},
            based_on=basis, incident=incident)
        if flight is not None and held:
            if replace:
                self.replacement(day, flight, self.rng.choice(spare), decision.id, incident)
            else:
                self.repaired(day, flight, decision.id, incident)
        self.at(day + self.rng.randint(30, 120), lambda d: self.emit(
            "IncidentClosed", d, d, {"summary": f"{incident} closed"}, incident=incident))

    def repaired(self, day: int, flight: _Flight, decision: str, incident: str) -> None:
        self.emit("VehicleDamageAssessed", day, day, {"vehicle": flight.vehicle.id, "health": "degraded",
                                                      "crewed_return": "cleared", "condition": "repaired in orbit"},
                  based_on=(decision,), incident=incident)
        flight.vehicle.damaged = True
        flight.held = False
        flight.undock_day = max(flight.undock_day, day + 10)
        self.at(flight.undock_day, lambda d: self.undock(d, flight))

    def replacement(self, day: int, flight: _Flight, spare: _Vehicle, decision: str, incident: str) -> None:
        """The damaged vehicle comes home empty; a spare flies up empty and brings its crew home later."""
        spare.busy = True
        self.register_vehicle(day, spare)
        if spare.damaged:
            spare.damaged = False
            self.emit("VehicleDamageAssessed", day, day, {"vehicle": spare.id, "health": "nominal",
                                                          "crewed_return": "cleared", "condition": None})
        launch = day + self.rng.randint(20, 40)
        crew = flight.return_crew
        self.emit("LaunchScheduled", day, day, {"vehicle": spare.id, "target": _day(launch), "crew": [],
                                                "mission": f"replacement for {flight.vehicle.id}"},
                  based_on=(decision,), incident=incident)
        self.emit("PlanWithdrawn", day, day, {"plan": "return", "vehicle": flight.vehicle.id,
                                              "reason": "not cleared to bring the crew home"},
                  based_on=(decision,), incident=incident)
        home = max(flight.undock_day, launch + 30) + self.rng.randint(20, 60)
        for member in crew:
            if self.rng.random() < 0.3:
                self.emit("AssignmentEnded", day, day, {"crew_member": member, "assignment": "return_vehicle",
                                                        "reason": "its vehicle is not cleared"},
                          based_on=(decision,), incident=incident)
            self.emit("ReturnVehicleAssigned", day, day, {"crew_member": member, "vehicle": spare.id,
                                                          "planned_return": _month(home)},
                      based_on=(decision,), incident=incident)
        relief = _Flight(spare, [], flight.station, launch, return_crew=list(crew))
        self.flights.append(relief)
        self.at(launch, lambda d: self.launch(d, relief))

        def empty_return(d: int) -> None:  # once the relief has docked
            if relief.state != "docked":
                self.at(d + 1, empty_return)
                return
            flight.return_crew, flight.held, flight.undock_day = [], False, d
            self.undock(d, flight)
            relief.undock_day = home
            self.at(home, lambda h: self.undock(h, relief))

        self.at(launch + 5, empty_return)

    # --- Corrections and retractions ---------------------------------------------

    def amend(self, day: int) -> None:
        while self.corrected < CORRECTED * len(self.events):
            if not self.correct(day):
                break
        while self.retracted_count < RETRACTED * len(self.events):
            if not self.retract(day):
                break

    def target(self, day: int, pool: list[_Record], window: int = 3000) -> _Record | None:
        """A believed event of the pool, already reported, mostly a recent one."""
        for _ in range(20):
            if not pool:
                return None
            record = pool[max(0, len(pool) - 1 - int(self.rng.expovariate(1 / 400)) % window)]
            if record.reported <= day and record.id not in self.retracted:
                return record
        return None

    def correct(self, day: int) -> bool:
        if self.corrections and self.rng.random() < 0.03:  # the correction itself was wrong
            fix = self.target(day, self.corrections)
            if fix is not None:
                field_, value = next(iter(fix.data["changes"].items()))
                self.corrected += 1
                self.emit("EntryCorrected", day, day, {"target": fix.id, "reason": "the correction was wrong",
                                                       "changes": {"changes": {field_: _other(value)}}})
                return True
        record = self.target(day, self.amendable)
        if record is None:
            return False
        changes = self.changes(record)
        self.corrected += 1
        correction = self.emit("EntryCorrected", day, day, {"target": record.id, "reason": "the source was wrong",
                                                            "changes": changes})
        if not {"occurred_at", "reported_at"} & set(changes):
            self.corrections.append(correction)
        return True

    def changes(self, record: _Record) -> dict[str, Any]:
        data = record.data
        match record.type:
            case "ObservationRecorded" if self.rng.random() < 0.4:  # it happened earlier than first said
                occurred = max(0, record.occurred - self.rng.randint(1, 5))
                return {"occurred_at": _day(occurred), "reported_at": _day(max(occurred, record.reported - 1))}
            case "ObservationRecorded":
                return {"description": data["description"] + " (value corrected)"}
            case "StatementIssued":
                return {"summary": data["summary"] + " (as corrected by the speaker)"}
            case "LeakDetected":
                return {"description": data["description"] + ", rate revised"}
            case "VehicleDamageAssessed":
                return {"condition": "condition restated after review"}
            case "ReturnVehicleAssigned":
                return {"planned_return": _other(data["planned_return"])}
            case "LaunchScheduled" | "ReturnScheduled":
                return {"target": _other(data["target"])}
            case "SeatCapacityChanged":
                return {"seats": max(1, data["seats"] - 1) if data["seats"] > 1 else 2}
            case "VehicleLanded" if self.rng.random() < 0.5:  # the precise time of landing, learned later
                return {"occurred_at": f"{_day(record.occurred)}T{self.rng.randint(1, 23):02d}:"
                                       f"{self.rng.randint(0, 59):02d}:00Z"}
            case "VehicleLanded":
                return {"site": self.rng.choice(SITES)}
            case _:  # DecisionTaken
                return {"rationale": "rationale restated in the minutes"}

    def retract(self, day: int) -> bool:
        roll = self.rng.random()
        if roll < 0.02 and self.retractions:  # a retraction withdrawn: its target stands again
            record = self.target(day, self.retractions)
            if record is not None:
                self.emit("EntryRetracted", day, day, {"target": record.id, "reason": "retracted in error"})
                self.retracted_count += 1
                self.retracted.add(record.id)
                self.retracted.discard(record.data["target"])
                return True
        pool = self.corrections if roll < 0.12 and self.corrections else [
            r for r in self.amendable[-2000:] if r.type in ("ObservationRecorded", "StatementIssued")]
        record = self.target(day, pool)
        if record is None:
            return False
        retraction = self.emit("EntryRetracted", day, day, {"target": record.id, "reason": self.rng.choice((
            "duplicate report", "recorded against the wrong vehicle", "the source withdrew it"))})
        self.retracted_count += 1
        self.retracted.add(record.id)
        self.retractions.append(retraction)
        return True


def _other(value: Any) -> Any:
    """Another plausible value of the same kind (a target date one month on, a reworded text)."""
    if isinstance(value, str) and len(value) >= 7 and value[:4].isdigit() and value[4] == "-":
        year, month = int(value[:4]), int(value[5:7])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return f"{year:04d}-{month:02d}"
    if isinstance(value, str) and value.startswith("no earlier than "):
        return _other(value.removeprefix("no earlier than "))
    if isinstance(value, int):
        return max(1, value - 1)
    return f"{value} (restated)"
