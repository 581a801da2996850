"""What the log answers, defined once: the models of the HTTP API's answers
(their `response_model`, documented at /docs) and of the CLI's `--json`.

Each answer is built from the projections' objects by one class method
(`StateAnswer.of(state, explain)`, `VehicleAnswer.of(state, vehicle)`, …), so
the API, the CLI and the page read the same shape.
"""

from answers.capacity import CapacityAnswer, LifeboatOut, StationCapacityOut, VehicleSeatsOut
from answers.events import AuditedEvent, EventOut, EventRef, KnownEvidence, UnknownEvidence
from answers.explain import FieldAnswer, FieldExplanation, PartOut
from answers.history import ChangeOut, CrewHistory, FieldChange, VehicleHistory
from answers.horizon import Answer, AtHorizon, HorizonOut
from answers.state import StateAnswer
from answers.views import CrewAnswer, CrewView, IncidentView, TargetWindowOut, VehicleAnswer, VehicleView

__all__ = [
    "Answer", "AtHorizon", "AuditedEvent", "CapacityAnswer", "ChangeOut", "CrewAnswer", "CrewHistory", "CrewView",
    "EventOut", "EventRef", "FieldAnswer", "FieldChange", "FieldExplanation", "HorizonOut", "IncidentView",
    "KnownEvidence", "LifeboatOut", "PartOut", "StateAnswer", "StationCapacityOut", "TargetWindowOut",
    "UnknownEvidence", "VehicleAnswer", "VehicleHistory", "VehicleSeatsOut", "VehicleView",
]
