"""Commands on the log itself: `import`, `export`, `append` and `log`."""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import Progress
from rich.text import Text

from cli import render
from cli.app import (
    BATCH,
    USAGE,
    Actor,
    Quiet,
    _events,
    _json_line,
    _on_behalf_of,
    _operator,
    _progress,
    _stderr,
    _stdout,
    _summary,
    _write_stdout,
    app,
    fail,
    open_log,
)
from cli.jsonlines import (
    MAX_REPORTED,
    EventFile,
    HeldEvents,
    Line,
    LineError,
    batches,
    chain_hashes,
    export_lines,
    refusal_at_line,
)
from domain.entry import Draft
from domain.errors import DomainError
from store.application import IncidentLogApplication


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

    The whole file is checked first, line by line and against the log
    (references, movements, ids): if any line is wrong, nothing is stored and
    the error names the line. Then it is read again and stored in batches,
    each atomic, and the read model's "as known now" checkpoints are carried
    to its end. The file is never held in memory: an event may name events
    of earlier lines or of its own batch, as they will be stored. Events that
    carry an id the log already holds with the same content are skipped, so
    importing a file again stores nothing new.
    """
    source = _input_file(file)
    shown = file if source is not None else "standard input"
    writer, on_behalf_of = _operator(), _on_behalf_of(actor)
    with open_log(ctx) as application, _spooled(source) as path:
        if if_empty and application.head:
            _summary(as_json, {"file": str(file), "skipped": True, "stored": 0, "already_stored": 0,
                               "head": application.head},
                     f"Skipped {shown}: the log already holds events (head is position {application.head}); "
                     "--if-empty imports only into an empty log.")
            return
        events = EventFile(path, on_behalf_of)
        try:
            with _progress(quiet) as progress:
                count = _checked(events, batch_size, progress, application, writer)
                stored, already = _store(events, count, batch_size, progress, application, writer)
                if stored:  # the read model's checkpoints, so that the first questions do not fold the log
                    folding = progress.add_task("Checkpoints", total=None)
                    application.prepare_read_model(lambda done: progress.advance(folding, done))
        except ImportRefused as refusal:  # reported once the progress bar has stopped
            fail(f"cannot import {shown}{refusal}")
        _summary(as_json, {"file": str(file), "skipped": False, "stored": stored, "already_stored": already,
                           "head": application.head},
                 f"Imported {shown}: {_events(stored)} stored, {already} already in the log; "
                 f"head is position {application.head}.")


class ImportRefused(Exception):
    """Why a file was not (wholly) imported; the message follows "cannot import FILE"."""


def _checked(events: EventFile, batch_size: int, progress: Progress, application: IncidentLogApplication,
             writer: str) -> int:
    """Check the whole file against the log, a batch at a time, as it will be
    stored; return how many events it holds. Every bad line is looked for
    before the file is refused."""
    try:
        total = events.size
    except OSError as error:
        raise ImportRefused(f": cannot read it: {error.strerror or error}") from None
    reading = progress.add_task("Checking", total=total)
    errors: list[LineError] = []
    held = HeldEvents(events)
    count = 0
    part: list[Line] = []

    def parts() -> Iterator[list[Line]]:
        nonlocal count, part
        for offset, line in events.read(errors, lambda done: progress.update(reading, completed=done)):
            count += 1
            if errors:
                continue  # a line is bad: only look for the others
            held.note(line.draft.id, offset)
            part.append(line)
            if len(part) == batch_size:
                yield part
                part = []
        if part and not errors:
            yield part

    try:
        application.check_parts(([line.draft for line in p] for p in parts()), writer, held)
    except DomainError as error:
        refusal = refusal_at_line(error, part)
        errors.clear()
        for _ in events.read(errors):  # a bad line further on is named first, as if found before the check
            pass
        errors[:] = errors or [refusal]
    except OSError as error:
        raise ImportRefused(f": cannot read it: {error.strerror or error}") from None
    if errors:
        more = len(errors) - MAX_REPORTED
        listed = "\n".join(f"  {error}" for error in errors[:MAX_REPORTED])
        tail = f"\n  … and {more} more bad line{'s' if more > 1 else ''}" if more > 0 else ""
        raise ImportRefused(f"; nothing was stored:\n{listed}{tail}")
    return count


def _store(events: EventFile, count: int, batch_size: int, progress: Progress,
           application: IncidentLogApplication, writer: str) -> tuple[int, int]:
    """Read the checked file again and append it batch by batch; return (stored, already there)."""
    task = progress.add_task("Storing", total=count)
    stored = already = 0
    errors: list[LineError] = []
    for number, batch in enumerate(batches((line for _, line in events.read(errors)), batch_size)):
        if errors:
            raise ImportRefused(f" beyond line {batch[0].number - 1}: the file changed while it was imported")
        try:
            result = application.append([line.draft for line in batch], writer)
        except DomainError as error:
            # Only another writer changing the log since the check can bring us here.
            refusal = refusal_at_line(error, batch)
            if number == 0:
                raise ImportRefused(f"; nothing was stored:\n  {refusal}") from None
            raise ImportRefused(
                f" beyond line {batch[0].number - 1}:\n  {refusal}\nThe events before line {batch[0].number} "
                f"were stored ({stored} new; each batch is atomic); importing the file again "
                "skips those that carry an id.") from None
        stored += result.stored
        already += result.duplicates
        progress.advance(task, len(batch))
    return stored, already


@contextmanager
def _spooled(file: Path | None) -> Iterator[Path]:
    """The file itself or, for standard input, a copy on disk: an import reads it twice."""
    if file is not None:
        yield file
        return
    with tempfile.TemporaryDirectory(prefix="incidentlog-import-") as folder:
        copy = Path(folder) / "stdin.jsonl"
        with copy.open("wb") as out:
            shutil.copyfileobj(typer.get_binary_stream("stdin"), out)
        yield copy


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


@app.command()
def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, allow_dash=True, show_default=False,
        help="Write to this file instead of standard output.")] = None,
    quiet: Quiet = False,
) -> None:
    """Export every event in log order as JSON Lines, ready for `import`.

    Each line carries the event's hash in the log's chain (and whether its
    reported_at was given), so that `verify --file` can check the file
    without the store and `import` refuses it if it was changed.
    """
    with open_log(ctx) as application:
        # A page at a time, with that page's hashes: the log is never held whole.
        total, head = application.describe()["events"], application.head
        lines = (_json_line(line) for page in application.pages() if page[0].position <= head
                 for line in export_lines(page, chain_hashes(application, page)) if line["position"] <= head)
        if output is None or str(output) == "-":
            _write_stdout(lines)
            return
        written = 0
        partial = output.with_name(output.name + ".part")  # a half-written export never has the real name
        try:
            with _progress(quiet) as progress, partial.open("w", encoding="utf-8", newline="\n") as out:
                task = progress.add_task("Exporting", total=total)
                for line in lines:
                    out.write(line)
                    written += 1
                    progress.advance(task)
            partial.replace(output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            fail(f"cannot write {output}: {error.strerror or error}")
    if not quiet:
        _stderr().print(Text(f"Exported {_events(written)} to {output} (head is position {head})."),
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
    writer, on_behalf_of = _operator(), _on_behalf_of(actor)
    try:
        draft = dataclasses.replace(Draft.from_json(raw, uuid.uuid4), on_behalf_of=on_behalf_of)
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
    if as_json:  # streamed a page at a time, as `export` is
        with open_log(ctx) as application:
            _write_stdout(_json_line(line) for page in application.pages(after, limit)
                          for line in export_lines(page, chain_hashes(application, page)))
        return
    with open_log(ctx) as application:
        entries = application.entries(after=after, limit=limit)
    if not entries:
        _stderr().print(f"No events after position {after}.")
    else:
        console = _stdout()
        console.print(render.log_table(entries, console.width))

