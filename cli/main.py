"""The `incidentlog` command: import and export the log, append to it, read it,
ask for the station picture at any horizon, and serve the HTTP API.

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
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, TextIO

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from cli import render
from cli.jsonlines import BadLines, Line, batches, check_against, read_events, refusal_at_line
from domain.entry import Draft
from domain.errors import DomainError, InvalidValue
from projections.horizon import Horizon
from projections.picture import CrewPlan, VehicleStatus
from projections.state import StationState
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
    "--actor", show_default=False, help="Who is writing. Default: your operating-system user name.")]
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


@app.command("import")
def import_events(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(
        metavar="FILE", show_default=False,
        help="Events as JSON Lines (one JSON object a line; blank lines and # comments are skipped), "
             "or - for standard input. An export imports again.")],
    actor: Actor = None,
    if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Import only if the log holds no events (to seed a store).")] = False,
    batch_size: Annotated[int, typer.Option(
        "--batch-size", min=1, help="Events stored per atomic append.")] = BATCH,
    quiet: Quiet = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import events from a JSON Lines file.

    The whole file is checked first, line by line and then against the log
    (references, movements, ids): if any line is wrong, nothing is stored and
    the error names the line. Then it is stored in batches, each atomic.
    Events that carry an id the log already holds with the same content are
    skipped, so importing a file again stores nothing new.
    """
    source = _input_file(file)
    shown = file if source is not None else "standard input"
    writer = _actor(actor)
    with open_log(ctx) as application:
        if if_empty and application.head:
            _summary(as_json, {"file": str(file), "skipped": True, "stored": 0, "already_stored": 0,
                               "head": application.head},
                     f"Skipped {shown}: the log already holds events (head is position {application.head}); "
                     "--if-empty imports only into an empty log.")
            return
        try:
            with _progress(quiet) as progress:
                lines = _checked_lines(source, progress, application, writer)
                stored, already = _store(lines, batch_size, progress, application, writer)
        except ImportRefused as refusal:  # reported once the progress bar has stopped
            fail(f"cannot import {shown}{refusal}")
        _summary(as_json, {"file": str(file), "skipped": False, "stored": stored, "already_stored": already,
                           "head": application.head},
                 f"Imported {shown}: {_events(stored)} stored, {already} already in the log; "
                 f"head is position {application.head}.")


class ImportRefused(Exception):
    """Why a file was not (wholly) imported; the message follows "cannot import FILE"."""


def _checked_lines(file: Path | None, progress: Progress, application: IncidentLogApplication,
                   writer: str) -> list[Line]:
    reading = progress.add_task("Checking", total=None)
    try:
        with _open_input(file) as stream:
            lines = read_events(stream, on_line=lambda n: progress.update(reading, completed=n))
        check_against(application, lines, writer)
    except BadLines as bad:
        more = bad.count - len(bad.errors)
        listed = "\n".join(f"  {error}" for error in bad.errors)
        tail = f"\n  … and {more} more bad line{'s' if more > 1 else ''}" if more > 0 else ""
        raise ImportRefused(f"; nothing was stored:\n{listed}{tail}") from None
    except OSError as error:
        raise ImportRefused(f": cannot read it: {error.strerror or error}") from None
    progress.update(reading, total=len(lines), completed=len(lines))
    return lines


def _store(lines: list[Line], batch_size: int, progress: Progress, application: IncidentLogApplication,
           writer: str) -> tuple[int, int]:
    """Append the checked lines batch by batch; return (stored, already there)."""
    task = progress.add_task("Storing", total=len(lines))
    stored = already = 0
    for batch in batches(lines, batch_size):
        try:
            result = application.append([line.draft for line in batch], writer)
        except DomainError as error:
            # Only another writer changing the log since the check can bring us here.
            refusal = refusal_at_line(error, batch)
            if batch[0] is lines[0]:
                raise ImportRefused(f"; nothing was stored:\n  {refusal}") from None
            raise ImportRefused(
                f" beyond line {batch[0].number - 1}:\n  {refusal}\nThe events before line {batch[0].number} "
                f"were stored ({stored} new; each batch is atomic); importing the file again "
                "skips those that carry an id.") from None
        stored += result.stored
        already += result.duplicates
        progress.advance(task, len(batch))
    return stored, already


def _input_file(name: str) -> Path | None:
    """The file to read, or None for standard input (``-``)."""
    # Checked here rather than by typer: its Path type refuses ``-`` even with allow_dash (typer 0.29).
    if name == "-":
        return None
    path = Path(name)
    if not path.exists():
        raise typer.BadParameter(f"file {name!r} does not exist", param_hint="'FILE'")
    if path.is_dir():
        raise typer.BadParameter(f"{name!r} is a directory, not a file", param_hint="'FILE'")
    return path


def _open_input(file: Path | None) -> AbstractContextManager[TextIO]:
    if file is None:  # standard input stays open: it is not ours to close
        return nullcontext(typer.get_text_stream("stdin", encoding="utf-8-sig"))
    return file.open(encoding="utf-8-sig")  # a byte-order mark, if any, is not part of line 1


@app.command()
def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, allow_dash=True, show_default=False,
        help="Write to this file instead of standard output.")] = None,
    quiet: Quiet = False,
) -> None:
    """Export every event in log order as JSON Lines, ready for `import`."""
    with open_log(ctx) as application:
        entries = application.entries()
        head = application.head
    lines = (_json_line(entry.to_json()) for entry in entries)
    if output is None or str(output) == "-":
        _write_stdout(lines)
        return
    partial = output.with_name(output.name + ".part")  # a half-written export never has the real name
    try:
        with _progress(quiet) as progress, partial.open("w", encoding="utf-8", newline="\n") as out:
            task = progress.add_task("Exporting", total=len(entries))
            for line in lines:
                out.write(line)
                progress.advance(task)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {output}: {error.strerror or error}")
    if not quiet:
        _stderr().print(Text(f"Exported {_events(len(entries))} to {output} (head is position {head})."),
                        soft_wrap=True)


@app.command()
def append(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Argument(
        metavar="[JSON]", show_default=False,
        help="One event as a JSON object; read from standard input when left out.")] = None,
    actor: Actor = None,
) -> None:
    """Append one event and print it as stored (with its position and recorded_at).

    A refused event stores nothing; the error names the field and the rule.
    An event whose id is already stored with the same content is a retry:
    the stored event is printed again and nothing new is stored.
    """
    text = event if event is not None else _read_stdin()
    if not text.strip():
        fail("no event given: pass it as an argument or on standard input", USAGE)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"refused, nothing stored: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")
    writer = _actor(actor)
    try:
        draft = Draft.from_json(raw, uuid.uuid4)
    except DomainError as error:
        _refused(error)
    with open_log(ctx) as application:
        try:
            result = application.append([draft], writer)
        except DomainError as error:
            _refused(error)
    [entry] = result.entries
    if not result.stored:
        _stderr().print(Text(f"Event {entry.id} is already in the log at position {entry.position}; "
                             "nothing new was stored."), soft_wrap=True)
    typer.echo(json.dumps(entry.to_json(), ensure_ascii=False, indent=2))


def _read_stdin() -> str:
    stdin = typer.get_text_stream("stdin")
    if stdin.isatty():
        fail("give the event as an argument, or pipe it on standard input", USAGE)
    return stdin.read()


def _refused(error: DomainError) -> NoReturn:
    where = f"{error.field}: " if error.field else ""
    fail(f"refused, nothing stored: {where}{error.rule}")


# --- Reading ----------------------------------------------------------------


@app.command("log")
def show_log(
    ctx: typer.Context,
    after: Annotated[int, typer.Option("--after", min=0, help="Start after this log position.")] = 0,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, show_default=False, help="At most this many events. Default: all.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines (the export format).")] = False,
) -> None:
    """List events in log order (by position), with their three times."""
    with open_log(ctx) as application:
        entries = application.entries(after=after, limit=limit)
    if as_json:
        _write_stdout(_json_line(entry.to_json()) for entry in entries)
    elif not entries:
        _stderr().print(f"No events after position {after}.")
    else:
        console = _stdout()
        console.print(render.log_table(entries, console.width))


@app.command()
def state(
    ctx: typer.Context,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
    explain: Explain = False,
) -> None:
    """The station picture at a horizon: vehicles, crew, station capacity, incidents."""
    station = _station_at(ctx, as_of, known_at, recorded_before)
    if as_json:
        from answers import StateAnswer  # the answers (pydantic) load only for JSON: tables start faster

        _print_answer(StateAnswer.of(station, explain))
    else:
        _stdout().print(render.state_view(station, explain))


@app.command()
def capacity(
    ctx: typer.Context,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """Seats against crew at each station, and each person's lifeboat: can everyone get home?"""
    station = _station_at(ctx, as_of, known_at, recorded_before)
    if as_json:
        from answers import CapacityAnswer

        _print_answer(CapacityAnswer.of(station))
    else:
        _stdout().print(render.capacity_view(station))


@app.command()
def vehicle(
    ctx: typer.Context,
    vehicle_id: Annotated[str, typer.Argument(
        metavar="ID", show_default=False, help="The vehicle's id (e.g. cargo-ship-3) or its name.")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
    explain: Explain = False,
) -> None:
    """One vehicle at a horizon: location, health, crewed-return clearance, crews, plans."""
    station = _station_at(ctx, as_of, known_at, recorded_before)
    found = station.find_vehicle(vehicle_id)
    if found is None:
        fail(f"no vehicle {vehicle_id!r} at this horizon{_known(station.picture.vehicles)}")
    _show(found, station, as_json, explain)


@app.command()
def crew(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        metavar="NAME_OR_ALIAS", show_default=False,
        help="A crew member's id, name or any alias (case and accents do not matter).")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
    explain: Explain = False,
) -> None:
    """One crew member's plan at a horizon: aboard, return vehicle, lifeboat, planned return."""
    station = _station_at(ctx, as_of, known_at, recorded_before)
    found = station.find_crew(name)
    if found is None:
        fail(f"no crew member with id, name or alias {name!r} at this horizon{_known(station.picture.crew)}")
    _show(found, station, as_json, explain)


Subject = Annotated[str, typer.Argument(
    metavar="VEHICLE_OR_CREW", show_default=False,
    help="A vehicle's id or name, or a crew member's id, name or alias.")]


@app.command("explain")
def explain_field(
    ctx: typer.Context,
    subject: Subject,
    field: Annotated[str, typer.Argument(metavar="FIELD", show_default=False,
                                         help="A field of its view, e.g. crewed_return or return_vehicle.")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """Why a field has its value: the event that set it, and the evidence chain behind that event."""
    station = _station_at(ctx, as_of, known_at, recorded_before)
    view = _find_subject(station, subject)
    fields = view.to_json()
    if field not in fields:
        fail(f"{field!r} is not a field of {subject!r}; its fields are {', '.join(fields)}", USAGE)
    if as_json:
        from answers import FieldAnswer

        _print_answer(FieldAnswer.of(station, view, field))
    else:
        _stdout().print(render.horizon_line(station), render.explanation(station.explain(view, field)))


@app.command()
def history(
    ctx: typer.Context,
    subject: Subject,
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """Each change of a vehicle's status or a crew member's plan over valid time, with the
    event that caused it, as known at --known-at."""
    with open_log(ctx) as application:
        horizon = _horizon(application, None, known_at, recorded_before)
        view = _find_subject(application.state(horizon), subject)
        kind: Literal["vehicle", "crew"] = "vehicle" if isinstance(view, VehicleStatus) else "crew"
        changes = application.history(kind, view.id, horizon) or []
    if as_json:
        from answers import CrewHistory, VehicleHistory

        _print_answer(VehicleHistory.of(view.id, horizon, changes) if kind == "vehicle"
                      else CrewHistory.of(view.id, horizon, changes))
    else:
        _stdout().print(render.history_table(view.id, changes))


@app.command("event")
def show_event(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(metavar="EVENT_ID", show_default=False, help="The event's id.")],
    known_at: KnownAt = None,
    recorded_before: RecordedBefore = None,
    as_json: Json = False,
) -> None:
    """One event as written, the corrections and retractions naming it, and what is believed of it."""
    try:
        wanted = uuid.UUID(event_id)
    except ValueError:
        fail(f"{event_id!r} is not an event id (a UUID)", USAGE)
    with open_log(ctx) as application:
        horizon = _horizon(application, None, known_at, recorded_before)
        record = application.event_record(wanted, horizon)
    if record is None:
        fail(f"no event {event_id} in the log")
    if as_json:
        _print_json(record.to_json())
    else:
        _stdout().print(render.event_record(record.to_json()))


def _find_subject(station: StationState, name: str) -> VehicleStatus | CrewPlan:
    found = station.find_vehicle(name) or station.find_crew(name)
    if found is None:
        fail(f"no vehicle or crew member {name!r} at this horizon"
             f"{_known({**station.picture.vehicles, **station.picture.crew})}")
    return found


def _station_at(ctx: typer.Context, as_of: str | None, known_at: str | None,
                recorded_before: str | None) -> StationState:
    """The station picture at the horizon the options give."""
    with open_log(ctx) as application:
        return application.state(_horizon(application, as_of, known_at, recorded_before))


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


def _show(view: VehicleStatus | CrewPlan, station: StationState, as_json: bool, explain: bool) -> None:
    if as_json:  # the answer of GET /vehicles/{id} and GET /crew/{name}
        from answers import CrewAnswer, VehicleAnswer

        _print_answer(VehicleAnswer.of(station, view, explain) if isinstance(view, VehicleStatus)
                      else CrewAnswer.of(station, view, explain))
        return
    console = _stdout()
    console.print(render.horizon_line(station))
    console.print(render.detail_table(view, station.view_json(view, True)["explain"] if explain else None))


# --- Serving ----------------------------------------------------------------


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs)."""
    # Imported here so that the other commands start without loading the web stack.
    import uvicorn

    from api.logs import configure_logging

    settings: Settings = ctx.obj
    configure_logging(settings)
    # The app factory runs inside the server (in every worker) and reads its store from the environment.
    os.environ["INCIDENTLOG_STORE"] = settings.store
    # log_config=None: keep the logging configured above instead of uvicorn's own.
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_config=None)


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


def _actor(given: str | None) -> str:
    if given is not None:
        if not given.strip():
            fail("--actor must not be blank", USAGE)
        return given.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment (some containers)
        return "unknown"


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


from cli import audit as _audit  # noqa: E402,F401  (registers its commands)
from cli import vocabulary as _vocabulary  # noqa: E402,F401  (registers its command)
