"""Why a projected value is what it is: the event that set it, and the chain
of evidence (`based_on`, transitively) behind that event.

Every event is shown as believed at the query's `known_at` (corrections
applied); evidence not yet reported then, or retracted since, is named as such
rather than silently left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.entry import Entry
from projections.picture import Tracked


def describe(entry: Entry) -> dict[str, Any]:
    """One event, as an explanation shows it: as believed, with the corrections applied to it."""
    return {**entry.to_json(), "corrected_by": [str(i) for i in entry.amended_by]}


def evidence_chain(entry: Entry, known: Mapping[UUID, Entry]) -> list[dict[str, Any]]:
    """Every event `entry` rests on, transitively, nearest first, each once."""
    chain: list[dict[str, Any]] = []
    seen = {entry.id}
    frontier = list(entry.based_on)
    while frontier:
        next_frontier: list[UUID] = []
        for event_id in frontier:
            if event_id in seen:
                continue
            seen.add(event_id)
            evidence = known.get(event_id)
            if evidence is None:
                chain.append({"id": str(event_id), "known": False,
                              "note": "not reported by known_at, or retracted"})
                continue
            chain.append({**describe(evidence), "known": True})
            next_frontier.extend(evidence.based_on)
        frontier = next_frontier
    return chain


def explain_view(view: Tracked, known: Mapping[UUID, Entry]) -> dict[str, Any]:
    """For each field set by an event: its value, that event, and the evidence behind it."""
    values = view.to_json()
    explained: dict[str, Any] = {}
    for name, event_id in sorted(view.set_by.items()):
        entry = known.get(event_id)
        explained[name] = {
            "value": values.get(name),
            "set_by": describe(entry) if entry else {"id": str(event_id)},
            "evidence": evidence_chain(entry, known) if entry else [],
        }
    return explained
