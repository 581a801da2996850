"""The whole station picture at a horizon."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from answers.capacity import StationCapacityOut, stations_of
from answers.horizon import AtHorizon
from answers.views import CrewView, IncidentView, VehicleView
from projections.state import StationState


class StateAnswer(AtHorizon):
    """Everything as it was at `as_of`, as known at `known_at` (`GET /state`, `incidentlog state --json`)."""

    vehicles: dict[str, VehicleView] = Field(description="By id.")
    crew: dict[str, CrewView] = Field(description="By id.")
    stations: dict[str, StationCapacityOut] = Field(description="Every station the log has named, crewed or not.")
    incidents: dict[str, IncidentView] = Field(description="By id.")

    @classmethod
    def of(cls, state: StationState, explain: bool = False) -> Self:
        picture = state.picture
        return cls(
            **state.horizon.to_json(), position=state.position,
            vehicles={k: VehicleView.of(v, state.view_explanations(v) if explain else None)
                      for k, v in sorted(picture.vehicles.items())},
            crew={k: CrewView.of(c, state.view_explanations(c) if explain else None)
                  for k, c in sorted(picture.crew.items())},
            stations=stations_of(state, explain),
            incidents={k: IncidentView.of(i, state.view_explanations(i) if explain else None)
                       for k, i in sorted(picture.incidents.items())},
        )
