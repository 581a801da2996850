"""An incident's case file: its status and its timeline, with the observations,
statements, findings and decisions drawn out, as of `as_of`, as known at
`known_at` (both apply: the file as it stood then, as it was known then)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain import vocabulary as v
from domain.entry import Entry
from domain.order import ValidTimeOrder
from projections.explain import describe
from projections.horizon import Horizon, beliefs, in_valid_time
from projections.picture import IncidentFile, fold

# The parts of a case file, by the kinds of event that go in each.
SECTIONS: dict[str, tuple[type[v.Payload], ...]] = {
    "observations": (v.LeakDetected, v.ObservationRecorded),
    "statements": (v.StatementIssued,),
    "findings": (v.FindingIssued, v.VehicleDamageAssessed),
    "decisions": (v.DecisionTaken,),
}


@dataclass(frozen=True)
class CaseFile:
    horizon: Horizon
    position: int  # the last log position the answer drew on
    incident: IncidentFile
    timeline: list[Entry]  # in valid time, evidence before what rests on it
    status_set_by: Entry | None

    def section(self, name: str) -> list[Entry]:
        return [e for e in self.timeline if isinstance(e.payload, SECTIONS[name])]

    def to_json(self) -> dict[str, Any]:
        body = self.incident.to_json()
        del body["timeline"]
        return {
            **body,
            **self.horizon.to_json(),
            "position": self.position,
            "status_set_by": describe(self.status_set_by) if self.status_set_by else None,
            "timeline": [describe(e) for e in self.timeline],
            **{name: [describe(e) for e in self.section(name)] for name in SECTIONS},
        }


def case_file(entries: Iterable[Entry], horizon: Horizon, incident_id: str) -> CaseFile | None:
    """The incident's case file; None if nothing about it is known at the horizon."""
    stored = [e for e in entries if horizon.stored(e)]
    known = beliefs(stored, horizon)
    picture = fold(in_valid_time(known, horizon))
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return None
    setter = incident.set_by.get("status")
    return CaseFile(
        horizon=horizon,
        position=max((e.position for e in stored), default=0),
        incident=incident,
        timeline=ValidTimeOrder(known.get).sorted(known[UUID(event_id)] for event_id in incident.timeline),
        status_set_by=known.get(setter) if setter else None,
    )
