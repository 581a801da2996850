"""`incidentlog vocabulary`: every event type the log takes, what it means and
its fields, read from the domain's declarations (so it is never out of date).

Registered on the `incidentlog` app by importing this module (cli/main.py
does so at its end).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cli import render
from cli.app import USAGE, Json, _print_json, _stdout, app, fail
from domain.times import TargetDate
from domain.vocabulary import TypeDescription, describe_types

TARGET_EXAMPLES = ("2023-02-20", "2023-02-20T14:30Z", "2023-03", "2023", "no earlier than 2023-02-24",
                   "not later than 2023-03", "early 2023-03", "mid 2023-03", "late 2023-03",
                   "not announced", "to be set")


@app.command()
def vocabulary(
    type_name: Annotated[str | None, typer.Argument(
        metavar="[TYPE]", show_default=False, help="Only this event type (e.g. VehicleLost).")] = None,
    as_json: Json = False,
) -> None:
    """The event types: what each means and its fields (? marks an optional one), and the target date forms."""
    types = [t for t in describe_types() if type_name is None or t.name.lower() == type_name.lower()]
    if not types:
        known = ", ".join(t.name for t in describe_types())
        fail(f"no event type {type_name!r}; the types are {known}", USAGE)
    targets = [TargetDate.parse(text).window().to_json() for text in TARGET_EXAMPLES]
    if as_json:
        _print_json({"types": [dataclasses.asdict(t) for t in types], "target_dates": targets})
        return
    console = _stdout()
    console.print(types_table(types))
    if type_name is None:
        console.print(targets_table(targets))


def types_table(types: list[TypeDescription]) -> Table:
    table = render._table(title="Event types")
    table.add_column("type", style="bold", no_wrap=True)
    table.add_column("what it means", overflow="fold", ratio=3)
    table.add_column("data fields", overflow="fold", ratio=2)
    for t in types:
        fields = "\n".join(f"{f.name}{'' if f.required else '?'}: {f.kind}" for f in t.fields)
        table.add_row(t.name, t.summary, fields)
    return table


def targets_table(targets: list[dict[str, str | None]]) -> Table:
    table = render._table(title="Target dates (a plan's `target`, `planned_return`)")
    for column in ("written", "kind", "qualifier", "earliest", "latest"):
        table.add_column(column, no_wrap=True)
    for window in targets:
        table.add_row(window["text"], window["kind"], window["qualifier"] or Text("–", style="dim"),
                      _short(window["earliest"]), _short(window["latest"]))
    return table


def _short(moment: str | None) -> Text:
    """An ISO bound without its microseconds, for a person to read."""
    return Text(moment.replace(".000000", "").replace(".999999", "")) if moment else Text("–", style="dim")
