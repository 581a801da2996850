"""The `incidentlog` command's frame: the Typer app and its store option, the
options its commands share, and the plumbing they all use (opening the log,
printing, failing). The commands live in modules of their own, by group;
`cli.main` gathers them.

Results go to standard output (tables for people, ``--json`` for scripts);
messages and progress bars go to standard error. Exit codes: 0 done;
1 refused or failed (a bad line, a refused event, an unknown vehicle, a store
that cannot be opened); 2 usage (a bad option, argument or time).
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from cli import render
from domain.errors import InvalidValue
from projections.horizon import Horizon
from projections.picture import CrewPlan, VehicleStatus
from projections.state import StationsAt, StationState, ViewAt
from projections.versions import VEHICLE
from store.application import IncidentLogApplication
from store.settings import Settings, SettingsError

if TYPE_CHECKING:
    from answers import Answer

FAILED = 1
USAGE = 2
BATCH = 500  # events per append: each batch is atomic
WIDE = 160  # columns for tables written to a file or a pipe
CONNECT_TIMEOUT = "5"  # seconds; the library's default is half a minute

app = typer.Typer(
    name="incidentlog",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold a store URL with its password
)

# --- Options shared by several commands -------------------------------------

AsOf = Annotated[str | None, typer.Option(
    "--as-of", metavar="TIME", show_default=False,
    help="Valid time: the world as it was then. ISO 8601; a bare date means the end of that UTC day. "
         "Default: now.")]
KnownAt = Annotated[str | None, typer.Option(
    "--known-at", metavar="TIME", show_default=False,
    help="Knowledge time: only what had been reported by then (corrections too). Default: now.")]
RecordedBefore = Annotated[str | None, typer.Option(
    "--recorded-before", metavar="TIME|POSITION", show_default=False,
    help="System time or log position: only what this log had stored by then (for audits).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
Explain = Annotated[bool, typer.Option("--explain", help="Say which event set each field.")]
Actor = Annotated[str | None, typer.Option(
    "--actor", show_default=False,
    help="Whose record this is, when not yours (importing someone else's): stored as \"on behalf of\" "
         "beside the writer, who is always you, the operating-system user.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on standard error.")]


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[str | None, typer.Option(
        "--store", metavar="PATH|URL", show_default=False,
        help="A SQLite file or a postgresql:// URL. Default: $INCIDENTLOG_STORE, else ./incidentlog.db.")] = None,
) -> None:
    """An event-sourced, bitemporal incident log for crewed spaceflight.

    Every fact is an immutable event with three times: when it happened
    (occurred_at), when it became known (reported_at) and when this log
    stored it (recorded_at). Queries take --as-of and --known-at.
    """
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        fail(str(error), USAGE)
    if store is not None:
        if not store.strip():
            fail("--store must name a SQLite file or a postgresql:// URL", USAGE)
        settings = dataclasses.replace(settings, store=store.strip())
    ctx.obj = settings


# --- Writing ----------------------------------------------------------------



def _find_subject(station: StationState, name: str) -> VehicleStatus | CrewPlan:
    found = station.find_vehicle(name) or station.find_crew(name)
    if found is None:
        fail(f"no vehicle or crew member {name!r} at this horizon"
             f"{_known({**station.picture.vehicles, **station.picture.crew})}")
    return found


@contextmanager
def _station_at(ctx: typer.Context, as_of: str | None, known_at: str | None,
                recorded_before: str | None) -> Iterator[StationState]:
    """The station picture at the horizon the options give, with the log kept
    open while it is shown (explanations look their evidence up as they go)."""
    with open_log(ctx) as application:
        yield application.state(_horizon(application, as_of, known_at, recorded_before))


@contextmanager
def _subject_at(ctx: typer.Context, subject: str, as_of: str | None, known_at: str | None,
                recorded_before: str | None) -> Iterator[tuple[StationState | ViewAt, VehicleStatus | CrewPlan]]:
    """A vehicle or crew member to explain, and what explains it: a vehicle
    named by its id is read from the read model's versions where they hold
    (as `GET /vehicles/{id}/explain/{field}`); anything else is found in the
    whole picture, as `_find_subject` finds it (by id, name or alias)."""
    with open_log(ctx) as application:
        horizon = _horizon(application, as_of, known_at, recorded_before)
        kept = application.read_model.view_at(VEHICLE, subject, horizon, explained=True)
        if kept is not None and isinstance(kept.view, VehicleStatus):
            yield kept, kept.view
            return
        station = application.state(horizon)
        yield station, _find_subject(station, subject)


@contextmanager
def _view_or_station(ctx: typer.Context, kind: str, name: str, as_of: str | None, known_at: str | None,
                     recorded_before: str | None, explain: bool) -> Iterator[ViewAt | StationState]:
    """What one vehicle's or crew member's answer is built from
    (`IncidentLogApplication.view_or_state`), the log kept open as `_station_at`."""
    with open_log(ctx) as application:
        yield application.view_or_state(kind, name, _horizon(application, as_of, known_at, recorded_before), explain)


@contextmanager
def _capacity_or_station(ctx: typer.Context, as_of: str | None, known_at: str | None,
                         recorded_before: str | None) -> Iterator[StationsAt | StationState]:
    """What the stations' capacity is built from (`IncidentLogApplication.capacity_or_state`)."""
    with open_log(ctx) as application:
        yield application.capacity_or_state(_horizon(application, as_of, known_at, recorded_before))


def _horizon(application: IncidentLogApplication, as_of: str | None, known_at: str | None,
             recorded_before: str | None) -> Horizon:
    """The query's horizon; left out, a time defaults to now on the log's own clock."""
    try:
        return Horizon.parse(as_of, known_at, recorded_before, application.now())
    except InvalidValue as error:
        raise typer.BadParameter(error.rule, param_hint=f"'--{error.field.replace('_', '-')}'") from None


def _known(views: dict[str, Any], shown: int = 10) -> str:
    if not views:
        return " (none is known)"
    names = sorted(views)
    more = f", … ({len(names) - shown} more)" if len(names) > shown else ""
    return f"; known: {', '.join(names[:shown])}{more}"


def _show(view: VehicleStatus | CrewPlan, station: StationState | ViewAt, as_json: bool, explain: bool) -> None:
    if as_json:  # the answer of GET /vehicles/{id} and GET /crew/{name}
        from answers import CrewAnswer, VehicleAnswer

        _print_answer(VehicleAnswer.of(station, view, explain) if isinstance(view, VehicleStatus)
                      else CrewAnswer.of(station, view, explain))
        return
    console = _stdout()
    console.print(render.horizon_line(station))
    explained = {name: why.to_json() for name, why in station.view_explanations(view).items()} if explain else None
    console.print(render.detail_table(view, explained))


# --- Serving ----------------------------------------------------------------



# --- Plumbing ---------------------------------------------------------------


@contextmanager
def open_log(ctx: typer.Context) -> Iterator[IncidentLogApplication]:
    """The log in the chosen store, for the length of one command."""
    settings: Settings = ctx.obj
    where = settings.describe_store()  # never the password
    env = {}
    if settings.is_postgres and "POSTGRES_CONNECT_TIMEOUT" not in os.environ:
        env["POSTGRES_CONNECT_TIMEOUT"] = CONNECT_TIMEOUT  # a missing server: say so in seconds
    try:
        application = IncidentLogApplication(settings, env=env)
    except SettingsError as error:
        fail(str(error), USAGE)
    except PersistenceError as error:
        fail(f"cannot open the store {where}: {error}")
    try:
        yield application
    except PersistenceError as error:
        fail(f"the store {where} failed: {error}")
    finally:
        application.close()


def fail(message: str, code: int = FAILED) -> NoReturn:
    _stderr().print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
    raise typer.Exit(code)


def _operator() -> str:
    """The writer of whatever the command line stores: the machine's operator,
    who can open the store directly and so needs no token."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment (some containers)
        return "unknown"


def _on_behalf_of(given: str | None) -> str | None:
    """`--actor`: whose record the operator enters, kept beside the operator's name."""
    if given is None:
        return None
    if not given.strip():
        fail("--actor must not be blank", USAGE)
    return given.strip()


def _progress(quiet: bool) -> Progress:
    console = _stderr()
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, disable=quiet or not console.is_terminal, transient=True)


def _summary(as_json: bool, body: dict[str, Any], message: str) -> None:
    if as_json:
        _print_json(body)
    else:
        _stdout().print(Text(message), soft_wrap=True)


def _events(count: int) -> str:
    return f"{count} event{'' if count == 1 else 's'}"


def _print_json(body: dict[str, Any]) -> None:
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


def _print_answer(answer: Answer) -> None:
    """An answer in the shape the HTTP API gives it (`answers`)."""
    _print_json(answer.model_dump(mode="json"))


def _json_line(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False) + "\n"


def _write_stdout(lines: Iterable[str]) -> None:
    try:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(FAILED) from None


def _stdout() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: no screen to fit, so do not squeeze tables into 80 columns.
        console.width = WIDE
    return console


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


