"""Commands for auditors: `decisions`, `audit DECISION` and `incident ID`.

Registered on the `incidentlog` app by importing this module (cli/main.py
does so at its end).
"""

from __future__ import annotations

import enum
import re
import uuid
from typing import Annotated, Any, cast

import typer
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from cli import render
from cli.app import USAGE, AsOf, Json, KnownAt, RecordedBefore, _horizon, _print_json, _stdout, app, fail, open_log
from domain.entry import Entry
from domain.errors import InvalidValue
from projections.audit import DecisionAudit, DecisionFilter, DecisionSummary, EventRef
from projections.audit_formats import Format, headline
from projections.audit_formats import render as render_audit
from projections.case_file import SECTIONS, CaseFile
from projections.horizon import Horizon
from store.application import IncidentLogApplication

HEX = re.compile(r"^[0-9a-f]+$")


class AuditFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    dot = "dot"
    prov = "prov"


@app.command("decisions")
def list_decisions(
    ctx: typer.Context,
    incident: Annotated[str | None, typer.Option(
        "--incident", metavar="ID", show_default=False, help="Only decisions of this incident.")] = None,
    authority: Annotated[str | None, typer.Option(
        "--authority", show_default=False, help="Only decisions by this authority (case does not matter).")] = None,
    occurred_from: Annotated[str | None, typer.Option(
        "--from", metavar="TIME", show_default=False, help="Only decisions taken on or after this time.")] = None,
    occurred_to: Annotated[str | None, typer.Option(
        "--to", metavar="TIME", show_default=False,
        help="Only decisions taken on or before this time (a bare date: that day included).")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """The decisions taken by --as-of, as known at --known-at: who decided what, and when."""
    try:
        where = DecisionFilter.parse(incident, authority, occurred_from, occurred_to)
    except InvalidValue as error:
        flag = {"occurred_from": "--from", "occurred_to": "--to"}.get(error.field, error.field)
        raise typer.BadParameter(error.rule, param_hint=f"'{flag}'") from None
    with open_log(ctx) as application:
        horizon = _horizon(application, as_of, known_at, recorded_before)
        found = application.decisions(horizon, where)
    if as_json:
        _print_json({**horizon.to_json(), "decisions": [d.to_json() for d in found]})
    elif not found:
        _stdout().print(Text("No decision matches at this horizon.", style="dim"))
    else:
        _stdout().print(decisions_table(found))


@app.command("audit")
def audit_decision(
    ctx: typer.Context,
    decision: Annotated[str, typer.Argument(
        metavar="DECISION", show_default=False,
        help="The decision's event id, or enough of its start to name one decision (e.g. 244d50da).")],
    output: Annotated[AuditFormat, typer.Option(
        "--format", "-f", case_sensitive=False,
        help="text (for a terminal), json (the schema of GET /decisions/{id}/audit), markdown (a report), "
             "dot (the evidence graph, for Graphviz) or prov (W3C PROV-JSON).")] = AuditFormat.text,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
) -> None:
    """How a decision was reached: its evidence chain, what was known when it was taken and what was
    learned afterwards, evidence corrected or retracted since, supersession and consequences, as the
    audit could have been written at --known-at."""
    with open_log(ctx) as application:
        horizon = _horizon(application, None, known_at, recorded_before)
        decision_id = _decision_id(application, decision)
        found = application.audit(decision_id, horizon)
    if found is None:
        fail(f"decision {decision_id} is not known at this horizon (not reported by --known-at, "
             "not recorded by --recorded-before, or retracted)")
    if output is AuditFormat.text:
        _stdout().print(audit_view(found))
    else:
        typer.echo(render_audit(found, cast(Format, output.value)), nl=False)


@app.command("incident")
def incident(
    ctx: typer.Context,
    incident_id: Annotated[str, typer.Argument(metavar="ID", show_default=False, help="The incident's id.")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """An incident's case file: status, timeline, observations, statements, findings and decisions."""
    with open_log(ctx) as application:
        horizon = _horizon(application, as_of, known_at, recorded_before)
        found = application.incident_file(incident_id, horizon)
        known = sorted(application.state(horizon).picture.incidents) if found is None else []
    if found is None:
        fail(f"no incident {incident_id!r} at this horizon; known: {', '.join(known) or 'none'}")
    if as_json:
        _print_json(found.to_json())
    else:
        _stdout().print(case_file_view(found))


def _decision_id(application: IncidentLogApplication, given: str) -> uuid.UUID:
    """The decision a full id or an unambiguous start of one names."""
    wanted = given.strip().lower().replace("-", "")
    if not wanted or not HEX.match(wanted) or len(wanted) > 32:
        fail(f"{given!r} is not an event id or the start of one (hexadecimal digits)", USAGE)
    # From the indexes: the ids of decisions, and of any entry, that start so.
    count, chosen = application.with_id_prefix(wanted, "DecisionTaken", 5)
    if count == 1:
        return chosen[0].id
    if count > 1:
        fail(f"{given!r} names {count} decisions: "
             f"{', '.join(str(e.id) for e in chosen)}{', …' if count > 5 else ''}; give more of the id")
    matches = application.first_with_id_prefix(wanted, 2)
    if matches:
        fail(f"event {matches[0].id} is a {matches[0].type}, not a decision"
             if len(matches) == 1 else f"{given!r} names no decision")
    fail(f"no event with an id starting {given!r} in the log")


# --- For people -------------------------------------------------------------------


def decisions_table(found: list[DecisionSummary]) -> Table:
    table = _table("Decisions")
    for column in ("id", "taken", "authority", "summary", "incidents", "superseded by"):
        # Ids and dates never wrap; a summary folds; incident slugs keep whole (rich folds at hyphens).
        table.add_column(column, overflow="fold" if column == "summary" else "ellipsis",
                         no_wrap=column != "summary", min_width=30 if column == "summary" else len(column))
    for summary in found:
        entry = summary.decision
        data = entry.payload.to_json()
        table.add_row(Text(_short(entry.id), style="bold"), entry.occurred_at.isoformat(),
                      data["authority"] or render.NONE, data["summary"], ", ".join(entry.incidents),
                      ", ".join(_short(i) for i in summary.superseded_by) or render.NONE)
    return table


def audit_view(audit: DecisionAudit) -> RenderableType:
    """The audit for a terminal: the decision, then each part in turn."""
    decision, taken = audit.decision, audit.taken
    facts = _table(f"Decision {decision.id}", show_header=False)
    facts.add_column("field", style="bold", no_wrap=True)
    facts.add_column("value", overflow="fold")
    for name, value in (("authority", taken.authority or render.NONE), ("summary", taken.summary),
                        ("rationale", taken.rationale),
                        ("alternatives", "; ".join(taken.alternatives) or render.NONE),
                        ("occurred", decision.occurred_at.isoformat()),
                        ("reported", decision.reported_at.isoformat()),
                        ("recorded", f"{render.moment(decision.recorded_at)} by {decision.actor} "
                                     f"(position {decision.position})"),
                        ("source", decision.source), ("incidents", ", ".join(decision.incidents) or render.NONE)):
        facts.add_row(name, value)
    parts: list[RenderableType] = [
        _horizon_line(audit.horizon, audit.position, as_of=False),
        facts, _evidence_tree(audit),
        _events_table("Known when it was taken", audit.known_when_taken, audit),
        _events_table("Learned afterwards (* follows from the decision)", audit.learned_afterwards, audit),
    ]
    changed = _table("Basis changed")
    for column in ("evidence", "change", "by", "reported", "reason"):
        changed.add_column(column, overflow="fold")
    for change in audit.basis_changed:
        reason = change.amendment.payload.to_json().get("reason", "")
        changed.add_row(_name(change.evidence), change.change, _name(change.amendment),
                        change.amendment.reported_at.isoformat(), reason)
    parts.append(changed if audit.basis_changed else Text("Basis changed: none since the decision.", style="dim"))
    parts.append(Text.assemble(("Supersedes: ", "bold"), ", ".join(_ref(r) for r in audit.supersedes) or "none",
                               ("   Superseded by: ", "bold"),
                               ", ".join(_name(e) for e in audit.superseded_by) or "none"))
    consequences = Tree(Text("Consequences (events resting on the decision, and the fields they set)",
                             style="bold"))
    for consequence in audit.consequences:
        branch = consequences.add(Text.assemble((_name(consequence.event), "bold"), f"  {headline(consequence.event)}"))
        for c in consequence.changed:
            branch.add(f"{c.subject} {c.id}: {c.field} = {_plain(c.value)}"
                       f"{'' if c.current else f' (now {_plain(c.now)})'}")
    parts.append(consequences if audit.consequences else Text("Consequences: none.", style="dim"))
    return Group(*parts)


def _evidence_tree(audit: DecisionAudit) -> RenderableType:
    if not audit.evidence:
        return Text("Evidence: none named.", style="dim")
    tree = Tree(Text("Evidence chain (rests on)", style="bold"))
    children: dict[uuid.UUID, list[uuid.UUID]] = {}
    for parent, child in audit.edges:
        children.setdefault(parent, []).append(child)
    shown: set[uuid.UUID] = set()

    def grow(branch: Tree, parent: uuid.UUID) -> None:
        for child in children.get(parent, []):
            ref = audit.node(child) or EventRef(child, None)
            if child in shown:
                branch.add(Text(f"{_ref(ref)} (see above)", style="dim"))
                continue
            shown.add(child)
            label = Text(_ref(ref), style="bold red" if ref.status == "retracted" else "bold")
            if ref.entry is not None:
                label.append(f"  occurred {ref.entry.occurred_at}, reported {ref.entry.reported_at}", style="dim")
                label.append(f"\n{headline(ref.entry)}\n")
                label.append(f"source: {ref.entry.source}", style="dim")
            if ref.status == "retracted":
                label.append(f"\nretracted by {', '.join(_short(i) for i in ref.retracted_by)}", style="red")
            grow(branch.add(label), child)

    grow(tree, audit.decision.id)
    return tree


def _events_table(title: str, entries: list[Entry], audit: DecisionAudit) -> RenderableType:
    if not entries:
        return Text(f"{title}: none.", style="dim")
    table = _table(title)
    for column in ("occurred", "reported", "event", "what"):
        table.add_column(column, overflow="fold", no_wrap=column != "what")
    for entry in entries:
        marker = "* " if entry.id in audit.follows else ""
        table.add_row(entry.occurred_at.isoformat(), entry.reported_at.isoformat(), f"{marker}{_name(entry)}",
                      headline(entry))
    return table


def case_file_view(case: CaseFile) -> RenderableType:
    incident = case.incident
    head = _table(f"Incident {incident.id}", show_header=False)
    head.add_column("field", style="bold", no_wrap=True)
    head.add_column("value", overflow="fold")
    for name, value in (("title", incident.title), ("status", incident.status),
                        ("status set by", _name(case.status_set_by) if case.status_set_by else render.NONE),
                        ("vehicles", ", ".join(incident.vehicles) or render.NONE),
                        ("opened", incident.opened_at or render.NONE),
                        *((name, str(len(case.section(name)))) for name in SECTIONS)):
        head.add_row(name, value)
    timeline = _table("Timeline")
    for column in ("occurred", "reported", "event", "what"):
        timeline.add_column(column, overflow="fold", no_wrap=column != "what")
    for entry in case.timeline:
        timeline.add_row(entry.occurred_at.isoformat(), entry.reported_at.isoformat(), _name(entry), headline(entry))
    return Group(_horizon_line(case.horizon, case.position, as_of=True), head, timeline)


def _table(title: str, show_header: bool = True) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", show_header=show_header,
                 box=box.SIMPLE_HEAD, header_style="bold dim")


def _name(entry: Entry) -> str:
    return f"{entry.type} ({_short(entry.id)})"


def _ref(ref: EventRef) -> str:
    return _name(ref.entry) if ref.entry else f"{_short(ref.id)} (not known)"


def _short(event_id: uuid.UUID) -> str:
    return str(event_id)[:8]


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return render.NONE
    if isinstance(value, list):
        return ", ".join(map(str, value)) or render.NONE
    return str(value)


def _horizon_line(horizon: Horizon, position: int, as_of: bool) -> Text:
    bound = horizon.recorded_before
    recorded = "" if bound is None else (
        f", as recorded by {f'position {bound}' if isinstance(bound, int) else render.moment(bound)}")
    valid = f"As of {render.moment(horizon.as_of)}, known" if as_of else "Known"
    return Text(f"{valid} at {render.moment(horizon.known_at)}{recorded} "
                f"(drawn from the log up to position {position})", style="dim")
