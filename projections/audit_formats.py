"""A decision audit for readers other than a JSON client: a Markdown report,
the evidence graph in Graphviz DOT or drawn as SVG, and W3C PROV-JSON.

- Markdown: the decision, its evidence chain as a tree, a timeline split at
  the decision (known when taken / learned afterwards), basis changed,
  supersession and consequences.
- DOT: one node per event (the decision boxed; retracted evidence dashed,
  unknown evidence dotted), one edge per rests-on link, pointing at the
  evidence.
- SVG: the same graph drawn without Graphviz (a small layered layout: each
  event in the column of its longest rests-on path from the decision, so
  every arrow points right, at the evidence); for a browser, offline.
- PROV-JSON: the decision is an activity associated with its authority (an
  agent), when the source names one (otherwise with no agent: the log does not
  know who decided, and the writer who recorded it did not decide); the events
  it rests on directly are entities it used, deeper
  evidence entities they were derived from; its consequences are entities it
  generated. Event ids are `urn:uuid:` IRIs.
"""

from __future__ import annotations

import html
import itertools
import re
import textwrap
from collections.abc import Callable
from typing import Any, Literal
from uuid import UUID

from prov.model import ProvDocument

from domain.entry import Entry
from domain.times import TimePoint
from projections.audit import DecisionAudit, EventRef, audit_horizon_json

Format = Literal["json", "markdown", "dot", "prov", "svg"]
NOT_NAMED = "not named by the source"
FORMATS: tuple[Format, ...] = ("json", "markdown", "dot", "prov", "svg")
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "markdown": "text/markdown; charset=utf-8",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "prov": "application/json",
    "svg": "image/svg+xml",
}


def render(audit: DecisionAudit, format: Format) -> str:
    """The audit as text in `format` (JSON: the documented shape, indented)."""
    if format == "json":
        import json

        return json.dumps(audit.to_json(), ensure_ascii=False, indent=2)
    renderers: dict[Format, Callable[[DecisionAudit], str]] = {"markdown": markdown, "dot": dot, "prov": prov_json,
                                                               "svg": svg}
    return renderers[format](audit)


def headline(entry: Entry, width: int | None = None) -> str:
    """What an event says, in one line: who, then what (its summary, description,
    title or mandate), then its cause and method; otherwise its fields."""
    data = entry.payload.to_json()
    who = next((data[k] for k in ("authority", "speaker", "observer", "commission") if data.get(k)), None)
    what = next((data[k] for k in ("summary", "description", "title", "mandate", "reason") if data.get(k)), None)
    if what is None:
        what = ", ".join(f"{k.replace('_', ' ')} {_plain(value)}" for k, value in data.items()
                         if value not in (None, "", []))
    extra = "; ".join(f"{k}: {data[k]}" for k in ("cause", "method") if data.get(k))
    text = " ".join(f"{f'{who}: ' if who else ''}{what}{f' ({extra})' if extra else ''}".split())
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


# --- Markdown -------------------------------------------------------------------


def markdown(audit: DecisionAudit) -> str:
    decision, taken = audit.decision, audit.taken
    lines = [f"# Decision audit: {_md(taken.summary)}", "", f"*{_as_known(audit)}*", "",
             "| | |", "|---|---|",
             f"| Decision | `{decision.id}` |",
             f"| Authority | {_md(taken.authority) if taken.authority else NOT_NAMED} |",
             f"| Taken (occurred) | {decision.occurred_at} |",
             f"| Reported | {decision.reported_at} |",
             f"| Recorded | {TimePoint.at(decision.recorded_at)} by {_md(decision.actor)} "
             f"(position {decision.position}) |",
             f"| Source | {_md(decision.source)} |",
             f"| Incidents | {_md(', '.join(decision.incidents)) or '–'} |"]
    if decision.amended_by:
        lines.append(f"| Corrected by | {', '.join(f'`{_short(i)}`' for i in decision.amended_by)} |")
    lines += ["", f"**Rationale.** {_md(taken.rationale)}", "", "**Alternatives considered.**", ""]
    lines += [f"- {_md(a)}" for a in taken.alternatives] or ["- none recorded"]
    lines += ["", "## Evidence chain", "",
              "What the decision rests on (`based_on`, transitively); an event already shown is named again.", ""]
    lines += _evidence_tree(audit) or ["None: the decision names no evidence."]
    lines += ["", "## Timeline", "", f"### Known when the decision was taken ({decision.occurred_at})", ""]
    lines += _timeline(audit.known_when_taken, audit.follows, "Nothing else of its incident had been reported.")
    by = f" by {_md(taken.authority)}" if taken.authority else ""
    lines += ["", f"**{decision.occurred_at}: decision taken{by}.** {_md(taken.summary)}",
              "", "### Learned afterwards", ""]
    lines += _timeline(audit.learned_afterwards, audit.follows, "Nothing related was reported later.")
    lines += ["", "## Basis changed", ""]
    lines += [f"- {_event(c.evidence)} was **{c.change}** by {_event(c.amendment)}: "
              f"{_md(headline(c.amendment))}" for c in audit.basis_changed] or [
        "None: no evidence was corrected or retracted after the decision."]
    lines += ["", "## Supersession", "", "- Supersedes: " + (", ".join(_ref(r) for r in audit.supersedes) or "none"),
              "- Superseded by: " + (", ".join(f"{_event(e)}: {_md(headline(e))}" for e in audit.superseded_by)
                                     or "none")]
    lines += ["", "## Consequences", ""]
    for consequence in audit.consequences:
        lines.append(f"- {_event(consequence.event)}: {_md(headline(consequence.event))}")
        lines += [f"  - {c.subject} {c.id}: `{c.field}` = {_md(_plain(c.value))}"
                  f"{'' if c.current else f' (now {_md(_plain(c.now))})'}" for c in consequence.changed]
    if not audit.consequences:
        lines.append("None: no event rests on this decision.")
    return "\n".join(lines) + "\n"


def _evidence_tree(audit: DecisionAudit) -> list[str]:
    children: dict[UUID, list[UUID]] = {}
    for parent, child in audit.edges:
        children.setdefault(parent, []).append(child)
    lines: list[str] = []
    shown: set[UUID] = set()

    def walk(parent: UUID, depth: int) -> None:
        for child in children.get(parent, []):
            ref = audit.node(child) or EventRef(child, None)
            indent = "  " * depth
            if child in shown:
                lines.append(f"{indent}- {_ref(ref)} (see above)")
                continue
            shown.add(child)
            lines.append(f"{indent}- {_ref(ref)}{_about(ref)}")
            walk(child, depth + 1)

    walk(audit.decision.id, 0)
    return lines


def _about(ref: EventRef) -> str:
    if ref.entry is None:
        return ": not reported by known_at"
    entry = ref.entry
    status = f" **Retracted** by {', '.join(f'`{_short(i)}`' for i in ref.retracted_by)}." if ref.retracted_by else ""
    corrected = (f" Corrected by {', '.join(f'`{_short(i)}`' for i in entry.amended_by)}."
                 if entry.amended_by else "")
    return (f", occurred {entry.occurred_at}, reported {entry.reported_at}: {_md(headline(entry))}.{status}"
            f"{corrected} *Source: {_md(entry.source)}*")


def _timeline(entries: list[Entry], follows: frozenset[UUID], empty: str) -> list[str]:
    if not entries:
        return [empty]
    rows = ["| occurred | reported | event | what | source |", "|---|---|---|---|---|"]
    rows += [f"| {e.occurred_at} | {e.reported_at} | {e.type} `{_short(e.id)}` | "
             f"{'*Follows from the decision.* ' if e.id in follows else ''}{_md(headline(e))} | {_md(e.source)} |"
             for e in entries]
    return rows


def _as_known(audit: DecisionAudit) -> str:
    horizon = audit_horizon_json(audit.horizon)
    bound = horizon["recorded_before"]
    recorded = "" if bound is None else f", as recorded by {'position ' if isinstance(bound, int) else ''}{bound}"
    return f"As known at {horizon['known_at']}{recorded} (drawn from the log up to position {audit.position})."


def _event(entry: Entry) -> str:
    return f"{entry.type} `{_short(entry.id)}` ({entry.occurred_at})"


def _ref(ref: EventRef) -> str:
    return _event(ref.entry) if ref.entry else f"`{_short(ref.id)}` (unknown)"


def _short(event_id: UUID) -> str:
    return str(event_id)[:8]


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return re.sub(r"([|*`\\<>])", r"\\\1", " ".join(str(text).split()))


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


# --- Graphviz DOT ---------------------------------------------------------------


def dot(audit: DecisionAudit) -> str:
    decision = audit.decision
    lines = [f"digraph {_dot_id('evidence of ' + str(decision.id))} {{",
             "  rankdir=BT;",
             "  node [shape=ellipse, fontname=\"Helvetica\", fontsize=10];",
             "  edge [label=\"rests on\", fontsize=8, color=gray40];",
             f"  {_dot_id(str(decision.id))} [shape=box, style=bold, label={_dot_id(_dot_label(decision))}];"]
    for node in audit.evidence:
        if node.entry is None:
            lines.append(f"  {_dot_id(str(node.id))} [style=dotted, label={_dot_id(_short(node.id) + ' (unknown)')}];")
            continue
        style = ", style=dashed, color=red" if node.status == "retracted" else ""
        label = _dot_label(node.entry) + ("\nRETRACTED" if node.status == "retracted" else "")
        lines.append(f"  {_dot_id(str(node.id))} [label={_dot_id(label)}{style}];")
    lines += [f"  {_dot_id(str(a))} -> {_dot_id(str(b))};" for a, b in audit.edges]
    return "\n".join([*lines, "}"]) + "\n"


def _dot_label(entry: Entry) -> str:
    return "\n".join([entry.type, headline(entry, 60),
                      f"occurred {entry.occurred_at}, reported {entry.reported_at}", _short(entry.id)])


def _dot_id(text: str) -> str:
    """A quoted DOT string: quotes and backslashes escaped, line breaks as \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# --- W3C PROV-JSON --------------------------------------------------------------

EVENT_NS = "urn:uuid:"
TERMS_NS = "urn:incidentlog:"
AGENT_NS = "urn:incidentlog:agent:"


def prov_document(audit: DecisionAudit) -> ProvDocument:
    doc = ProvDocument()
    doc.add_namespace("event", EVENT_NS)
    doc.add_namespace("il", TERMS_NS)
    doc.add_namespace("agent", AGENT_NS)
    decision, taken = audit.decision, audit.taken
    authority = [("il:authority", taken.authority)] if taken.authority else []
    activity = doc.activity(f"event:{decision.id}", other_attributes=[
        ("prov:type", "il:DecisionTaken"), ("prov:label", taken.summary), *authority,
        ("il:rationale", taken.rationale), *(("il:alternative", a) for a in taken.alternatives),
        *_times(decision), ("il:source", decision.source), ("il:recordedBy", decision.actor)])
    if taken.authority:
        doc.wasAssociatedWith(activity, doc.agent(f"agent:{_slug(taken.authority)}", {"prov:label": taken.authority}))
    entities = {node.id: doc.entity(f"event:{node.id}", _entity_attributes(node)) for node in audit.evidence}
    for parent, child in audit.edges:
        if parent == decision.id:
            doc.used(activity, entities[child])
        else:
            doc.wasDerivedFrom(entities[parent], entities[child])
    for consequence in audit.consequences:
        generated = doc.entity(f"event:{consequence.event.id}", _entity_attributes(EventRef(
            consequence.event.id, consequence.event)))
        doc.wasGeneratedBy(generated, activity)
    return doc


def prov_json(audit: DecisionAudit) -> str:
    text = prov_document(audit).serialize(format="json", indent=2)
    assert text is not None, "serialize returns the text when given no destination"
    return text + "\n"


def _entity_attributes(ref: EventRef) -> list[tuple[str, Any]]:
    if ref.entry is None:
        return [("il:status", "unknown")]
    entry = ref.entry
    return [("prov:type", f"il:{entry.type}"), ("prov:label", headline(entry)), *_times(entry),
            ("il:source", entry.source), ("il:status", ref.status)]


def _times(entry: Entry) -> list[tuple[str, Any]]:
    # Kept as written (a bare date is a day, not its midnight), so not as xsd:dateTime.
    return [("il:occurredAt", entry.occurred_at.isoformat()), ("il:reportedAt", entry.reported_at.isoformat()),
            ("il:recordedAt", TimePoint.at(entry.recorded_at).isoformat())]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


# --- SVG ------------------------------------------------------------------------

_NODE_W, _NODE_H, _COL_GAP, _ROW_GAP, _MARGIN = 260, 84, 64, 16, 12
_PASS_H = 14  # the height a long arrow takes where it passes through a column
_LINE = 13  # pixels between lines of a node's text
_WRAP = 38  # characters of a headline per line (about 6 px each at 11 px)
_STROKES = {"decision": ("#1d3557", "3", None), "believed": ("#444444", "1.2", None),
            "retracted": ("#b00020", "1.5", "6 4"), "unknown": ("#777777", "1.2", "2 3")}

# A slot in a column: an event, or where the arrow (from, to) passes through the n-th column between them.
_Slot = UUID | tuple[UUID, UUID, int]


def svg(audit: DecisionAudit) -> str:
    """The evidence graph as a standalone SVG image: the decision in the first
    column, each event it rests on in the column of its longest rests-on path
    from the decision (so every arrow points right, at the evidence). An arrow
    that skips columns passes through a slot of its own in each, and each
    column is ordered near what connects to it in its neighbours. Text is escaped."""
    decision = audit.decision
    columns = _columns(decision.id, [n.id for n in audit.evidence], audit.edges)
    extents = [sum(_slot_height(slot) for slot in column) + _ROW_GAP * (len(column) - 1) for column in columns]
    height = 2 * _MARGIN + max(extents) + 2 * _LINE
    width = 2 * _MARGIN + len(columns) * _NODE_W + (len(columns) - 1) * _COL_GAP
    left: dict[_Slot, int] = {}
    middle: dict[_Slot, int] = {}
    for index, (column, extent) in enumerate(zip(columns, extents, strict=True)):
        y = _MARGIN + (max(extents) - extent) // 2
        for slot in column:
            left[slot], middle[slot] = _MARGIN + index * (_NODE_W + _COL_GAP), y + _slot_height(slot) // 2
            y += _slot_height(slot) + _ROW_GAP
    arrow = f"rests-on-{_short(decision.id)}"
    title = f"Evidence graph of the decision: {audit.taken.summary}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_x(title)}" '
             'font-family="system-ui, sans-serif" font-size="11">',
             f"<title>{_x(title)}</title>",
             "<desc>Each box is an event; each arrow points from an event to an event it rests on "
             f"(based_on). Dashed red: retracted since; dotted: not reported by known_at. {_x(_as_known(audit))}"
             "</desc>",
             f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555555"/></marker></defs>']
    status = {n.id: n.status for n in audit.evidence}
    routes: list[tuple[UUID, UUID, list[tuple[int, int]]]] = []
    for source, target in audit.edges:
        passes = sorted((slot for slot in left if isinstance(slot, tuple) and slot[:2] == (source, target)),
                        key=lambda slot: slot[2])
        points = [(left[source] + _NODE_W, middle[source])]
        points += [point for slot in passes for point in ((left[slot], middle[slot]),
                                                           (left[slot] + _NODE_W, middle[slot]))]
        points.append((left[target], middle[target]))
        routes.append((source, target, points))
    _spread_ports(routes)
    for source, target, points in routes:
        dash = ' stroke-dasharray="6 4"' if status.get(target) == "retracted" else ""
        parts.append(f'<path class="edge" data-from="{source}" data-to="{target}" fill="none" stroke="#555555" '
                     f'stroke-width="1.2"{dash} marker-end="url(#{arrow})" d="{_route(points)}"/>')
    parts.append(_svg_node(EventRef(decision.id, decision), "decision", (left[decision.id], middle[decision.id])))
    parts += [_svg_node(node, node.status, (left[node.id], middle[node.id])) for node in audit.evidence]
    parts.append(f'<text x="{_MARGIN}" y="{height - _MARGIN}" fill="#555555">Arrows point at what an event '
                 'rests on.</text>')
    return "\n".join([*parts, "</svg>"]) + "\n"


def _spread_ports(routes: list[tuple[UUID, UUID, list[tuple[int, int]]]]) -> None:
    """Arrows leaving (or entering) one box start (or end) at heights spread down
    its side, in the order of where they come from, so that they do not merge."""
    for end, near in ((0, 1), (-1, -2)):
        sides: dict[UUID, list[list[tuple[int, int]]]] = {}
        for source, target, points in routes:
            sides.setdefault(source if end == 0 else target, []).append(points)
        for group in sides.values():
            group.sort(key=lambda points: points[near][1])
            spacing = min(12, (_NODE_H - 24) // max(1, len(group) - 1))
            for index, points in enumerate(group):
                x, y = points[end]
                points[end] = (x, y + round((index - (len(group) - 1) / 2) * spacing))


def _slot_height(slot: _Slot) -> int:
    return _PASS_H if isinstance(slot, tuple) else _NODE_H


def _route(points: list[tuple[int, int]]) -> str:
    """A path through `points`: straight across a column, a curve between columns."""
    (x, y), rest = points[0], points[1:]
    path = [f"M {x} {y}"]
    for index, (nx, ny) in enumerate(rest):
        if index % 2 == 1:  # from entering a column to leaving it
            path.append(f"L {nx} {ny}")
        else:
            bend = (nx - x) // 2
            path.append(f"C {x + bend} {y}, {nx - bend} {ny}, {nx} {ny}")
        x, y = nx, ny
    return " ".join(path)


def _columns(root: UUID, nodes: list[UUID], edges: list[tuple[UUID, UUID]]) -> list[list[_Slot]]:
    """The slots of each column: events by their longest rests-on path from
    `root`, and a slot for each arrow passing through; ordered by sweeps that
    place each slot at the mean row of its neighbours (ties: the audit's order,
    nearest evidence first)."""
    layer = {root: 0}
    for _ in range(len(nodes) + 1):  # longest paths in a graph without cycles settle in that many rounds
        changed = False
        for source, target in edges:
            if source in layer and layer.get(target, -1) < layer[source] + 1 <= len(nodes):
                layer[target], changed = layer[source] + 1, True
        if not changed:
            break
    for node in nodes:
        layer.setdefault(node, 1)
    columns: list[list[_Slot]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in [root, *nodes]:
        columns[layer[node]].append(node)
    links: list[tuple[_Slot, _Slot]] = []  # between neighbouring columns
    for source, target in edges:
        chain: list[_Slot] = [source]
        for step in range(1, layer[target] - layer[source]):
            columns[layer[source] + step].append((source, target, step))
            chain.append((source, target, step))
        chain.append(target)
        links += itertools.pairwise(chain)
    row = {slot: index - (len(column) - 1) / 2 for column in columns for index, slot in enumerate(column)}
    sweeps = [(columns[1:], 0), (columns[-2::-1], 1), (columns[1:], 0)]  # rightwards, leftwards, rightwards
    for order, side in sweeps:  # side 0: place by the slots to the left; 1: by those to the right
        for column in order:
            near = {slot: [row[link[side]] for link in links if link[1 - side] == slot] for slot in column}
            mean = {slot: sum(rows) / len(rows) if rows else row[slot] for slot, rows in near.items()}
            column.sort(key=mean.__getitem__)
            row.update({slot: index - (len(column) - 1) / 2 for index, slot in enumerate(column)})
    return [column for column in columns if column]


def _svg_node(ref: EventRef, status: str, anchor: tuple[int, int]) -> str:
    x, y = anchor[0], anchor[1] - _NODE_H // 2
    colour, width, dash = _STROKES[status]
    entry = ref.entry
    if entry is None:
        lines = [("Not reported by known_at", "bold"), (f"event {_short(ref.id)}", "")]
        tooltip = f"event {ref.id}: not reported by known_at"
    else:
        kind = entry.type + (" · RETRACTED" if status == "retracted" else "")
        wrapped = textwrap.wrap(headline(entry), _WRAP) or [""]
        if len(wrapped) > 3:
            wrapped = [*wrapped[:2], textwrap.shorten(" ".join(wrapped[2:]), _WRAP, placeholder=" …")]
        lines = [(kind, "bold"), *((line, "") for line in wrapped),
                 (f"occurred {entry.occurred_at} · reported {entry.reported_at}", "small")]
        tooltip = f"{entry.type} {entry.id}: {headline(entry)} (source: {entry.source})"
    texts = []
    for index, (text, style) in enumerate(lines):
        attributes = {"bold": ' font-weight="bold"', "small": ' font-size="10" fill="#444444"', "": ""}[style]
        texts.append(f'<text x="{x + 8}" y="{y + 16 + index * _LINE}"{attributes}>{_x(text)}</text>')
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    fill = "#eef3fb" if status == "decision" else "#ffffff"
    return (f'<g class="node" data-id="{ref.id}" data-status="{status}"><title>{_x(tooltip)}</title>'
            f'<rect x="{x}" y="{y}" width="{_NODE_W}" height="{_NODE_H}" rx="6" fill="{fill}" '
            f'stroke="{colour}" stroke-width="{width}"{dashes}/>{"".join(texts)}</g>')


def _x(text: str) -> str:
    """Text safe in SVG content and in a quoted attribute."""
    return html.escape(" ".join(str(text).split()), quote=True)
