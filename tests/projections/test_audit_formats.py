"""The audit as a Markdown report, a Graphviz graph and W3C PROV-JSON."""

import re
import xml.etree.ElementTree as ET
from uuid import UUID

from prov.constants import PROV_ATTR_ACTIVITY, PROV_ATTR_AGENT, PROV_ATTR_ENTITY
from prov.identifier import QualifiedName
from prov.model import ProvDocument, ProvRecord

from projections.audit import DecisionAudit, audit
from projections.audit_formats import dot, markdown, prov_json, svg
from projections.horizon import Horizon
from tests.factories import event, new_id
from tests.projections.test_audit import (
    DECISION,
    FINDING,
    LATER,
    LEAK,
    PHOTOS,
    STORY,
    audit_of,
    in_incident,
)
from tests.projections.test_station_state import entries_of

# A source may name no observer, no body that issued a finding and no deciding body.
SIGHTING, UNSIGNED_FINDING, UNSIGNED_DECISION = new_id(), new_id(), new_id()
NAMELESS = [
    in_incident("ObservationRecorded", "2022-12-16", event_id=SIGHTING, description="a second plume of flakes",
                vehicle="capsule"),
    in_incident("FindingIssued", "2023-01-12", event_id=UNSIGNED_FINDING, based_on=[SIGHTING],
                cause="the same hole", method="by photographs", summary="one leak, not two"),
    in_incident("DecisionTaken", "2023-01-12", event_id=UNSIGNED_DECISION, based_on=[UNSIGNED_FINDING],
                summary="no second inspection", rationale="one leak only"),
]


def leaks_none(text: str) -> list[str]:
    """Python's None where a name should be ("None: ..." is prose that says nothing happened)."""
    return re.findall(r".{0,30}\bNone\b(?!:).{0,30}", text)


def test_the_markdown_report_has_the_decision_its_evidence_and_a_timeline() -> None:
    report = markdown(audit_of())
    assert report.startswith("# Decision audit: the capsule returns uncrewed\n")
    for heading in ("## Evidence chain", "## Timeline", "### Known when the decision was taken",
                    "### Learned afterwards", "## Basis changed", "## Supersession", "## Consequences"):
        assert f"\n{heading}" in report
    assert "- return crewed" in report  # the alternative considered
    assert f"FindingIssued `{FINDING[:8]}`" in report


def test_the_markdown_report_names_evidence_retracted_since() -> None:
    report = markdown(audit_of(event("EntryRetracted", "2023-02-01", target=PHOTOS, reason="wrong module")))
    assert f"ObservationRecorded `{PHOTOS[:8]}` (2022-12-14) was **retracted**" in report


def test_the_dot_graph_has_an_edge_for_each_rests_on_link() -> None:
    graph = dot(audit_of())
    assert graph.startswith("digraph ")
    for a, b in ((DECISION, FINDING), (FINDING, LEAK), (FINDING, PHOTOS), (PHOTOS, LEAK)):
        assert f'"{a}" -> "{b}";' in graph


def test_the_prov_json_validates_and_says_who_decided_on_what() -> None:
    document = ProvDocument.deserialize(content=prov_json(audit_of()), format="json")
    assert document == ProvDocument.deserialize(content=document.serialize(format="json"), format="json")
    records: dict[str, list[ProvRecord]] = {}
    for record in document.get_records():
        records.setdefault(type(record).__name__, []).append(record)
    [activity], [agent] = records["ProvActivity"], records["ProvAgent"]
    assert str(activity.identifier) == f"event:{DECISION}"
    assert agent.get_attribute("prov:label") == {"Agency"}
    assert {str(e.identifier) for e in records["ProvEntity"]} >= {f"event:{i}" for i in (FINDING, LEAK, PHOTOS)}
    [used] = records["ProvUsage"]  # it rests directly on the finding alone; the rest is derivation
    assert (formal(used, PROV_ATTR_ACTIVITY), formal(used, PROV_ATTR_ENTITY)) == (f"event:{DECISION}",
                                                                                 f"event:{FINDING}")
    [association] = records["ProvAssociation"]
    assert formal(association, PROV_ATTR_AGENT) == str(agent.identifier)
    assert len(records["ProvDerivation"]) == 3


def formal(record: ProvRecord, name: QualifiedName) -> str:
    return str(dict(record.formal_attributes)[name])


def test_a_decision_naming_no_authority_reports_it_as_not_named() -> None:
    report = markdown(audit_of(*NAMELESS, decision=UNSIGNED_DECISION))
    assert "| Authority | not named by the source |" in report
    assert "**2023-01-12: decision taken.** no second inspection" in report
    assert "one leak, not two" in report and "a second plume of flakes" in report  # the finding, the sighting
    assert leaks_none(report) == []


def test_a_graph_of_evidence_naming_no_one_has_every_node_and_edge() -> None:
    graph = dot(audit_of(*NAMELESS, decision=UNSIGNED_DECISION))
    assert graph.startswith("digraph ") and graph.endswith("}\n")
    assert f'"{UNSIGNED_DECISION}" -> "{UNSIGNED_FINDING}";' in graph
    assert f'"{UNSIGNED_FINDING}" -> "{SIGHTING}";' in graph
    assert leaks_none(graph) == []


def test_prov_of_a_decision_naming_no_authority_associates_no_agent() -> None:
    text = prov_json(audit_of(*NAMELESS, decision=UNSIGNED_DECISION))
    document = ProvDocument.deserialize(content=text, format="json")
    kinds = {type(record).__name__ for record in document.get_records()}
    assert "ProvAgent" not in kinds and "ProvAssociation" not in kinds
    assert {"ProvActivity", "ProvUsage", "ProvDerivation"} <= kinds
    assert "il:authority" not in text and leaks_none(text) == []


SVG = "{http://www.w3.org/2000/svg}"


def drawn(audit: DecisionAudit) -> tuple[dict[str, ET.Element], list[tuple[str, str]]]:
    """The graph an SVG draws: its event boxes by id, and its arrows (from, to)."""
    root = ET.fromstring(svg(audit))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    nodes = {g.get("data-id", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    edges = [(p.get("data-from", ""), p.get("data-to", ""))
             for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    return nodes, edges


def left_edge(node: ET.Element) -> float:
    rect = node.find(f"{SVG}rect")
    assert rect is not None
    return float(rect.get("x", "nan"))


def test_the_svg_graph_draws_a_box_for_each_event_and_an_arrow_for_each_rests_on_link() -> None:
    nodes, edges = drawn(audit_of())
    assert set(nodes) == {DECISION, FINDING, LEAK, PHOTOS}
    assert nodes[DECISION].get("data-status") == "decision"
    assert sorted(edges) == sorted([(DECISION, FINDING), (FINDING, LEAK), (FINDING, PHOTOS), (PHOTOS, LEAK)])


def test_every_arrow_of_the_svg_graph_points_right_at_the_evidence() -> None:
    nodes, edges = drawn(audit_of())
    assert all(left_edge(nodes[a]) < left_edge(nodes[b]) for a, b in edges)
    # The leak is evidence at depth 2, and the photos (depth 2) rest on it too: it stands a column further.
    assert left_edge(nodes[PHOTOS]) < left_edge(nodes[LEAK])


def test_the_svg_graph_escapes_the_text_it_draws() -> None:
    hostile = new_id()
    text = svg(audit_of(in_incident("DecisionTaken", "2023-01-12", event_id=hostile, based_on=[FINDING],
                                    authority='<script>alert("x")</script> & co', summary="a < b",
                                    rationale="'quoted'"), decision=hostile))
    assert "<script>" not in text
    root = ET.fromstring(text)  # well-formed
    words = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert '<script>alert("x")</script> & co: a < b' in words


def test_the_svg_graph_marks_retracted_and_unreported_evidence() -> None:
    nodes, _ = drawn(audit_of(event("EntryRetracted", "2023-02-01", target=PHOTOS, reason="wrong module")))
    assert nodes[PHOTOS].get("data-status") == "retracted"
    assert "RETRACTED" in "".join(nodes[PHOTOS].itertext())
    backfilled = [{**e, "reported_at": "2023-02-01"} if e.get("id") == LEAK else e for e in STORY]
    found = audit(entries_of(*backfilled), Horizon.parse(None, "2023-01-20", None, LATER), UUID(DECISION))
    assert found is not None
    nodes, _ = drawn(found)
    assert nodes[LEAK].get("data-status") == "unknown"
    assert "Not reported by known_at" in "".join(nodes[LEAK].itertext())


def test_a_decision_resting_on_nothing_is_drawn_alone() -> None:
    alone = new_id()
    nodes, edges = drawn(audit_of(in_incident("DecisionTaken", "2023-01-12", event_id=alone, summary="wait",
                                              rationale="nothing known yet"), decision=alone))
    assert list(nodes) == [alone] and edges == []
