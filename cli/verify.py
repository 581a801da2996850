"""`incidentlog verify`, `head` and `chain seal`: is the stored log the one
that was written?

Every append chains its events by hash (`store.chain`). `verify` recomputes
the chain from the events as the store holds them and names the first
position where it breaks; `head` prints the chain's last link, to keep
somewhere else, so that a later `verify --expect-head` also catches a tail
cut off or rewritten together with its chain. `verify --file` checks an
export without any store. `chain seal` chains a store from before the chain,
once (it asserts that what the store holds now is original, so it is never
done without being asked).

Exit codes: 0 intact, 1 broken (the finding is printed), 2 usage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cli.app import (
    FAILED,
    Json,
    Quiet,
    _events,
    _print_json,
    _progress,
    _stderr,
    _stdout,
    _summary,
    app,
    fail,
    open_log,
)
from store.chain import START, ChainError, Link, Verdict, verify_lines

ExpectHead = Annotated[str | None, typer.Option(
    "--expect-head", metavar="POS:HASH", show_default=False,
    help="A head printed by `incidentlog head` earlier and kept elsewhere: the log must still hold it "
         "(a tail cut off or rewritten together with its chain is found so).")]


@app.command()
def verify(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option(
        "--file", metavar="EXPORT", exists=True, dir_okay=False, show_default=False,
        help="Check an export (JSON Lines from `incidentlog export`) instead of the store.")] = None,
    expect_head: ExpectHead = None,
    quiet: Quiet = False,
    as_json: Json = False,
) -> None:
    """Recompute the hash chain and report its head, or where it breaks and how.

    The chain is recomputed from the events as stored (or as the export
    holds them). A break is named by the first position where it happens:
    changed (the event is not what was chained there), missing (an event
    deleted), inserted (an event the chain never held), reordered (two events
    swapped), unchained or unsealed (events the chain does not reach: run
    `incidentlog chain seal` if the store is from before the chain), truncated
    or rewritten (the head given by --expect-head is not on the chain).
    Exit code 0 intact, 1 broken.
    """
    expect = _expected(expect_head)
    with _progress(quiet) as progress:
        task = progress.add_task("Verifying", total=None)

        def advance(done: int) -> None:
            progress.advance(task, done)

        if file is not None:
            verdict = verify_lines(_lines(file), expect, advance)
        else:
            with open_log(ctx) as application:  # the log is not loaded: verify reads the store itself
                verdict = application.chain.verify(expect, advance, lambda total: progress.update(task, total=total))
    _report(verdict, as_json, "the export" if file is not None else "the log")
    if not verdict.intact:
        raise typer.Exit(FAILED)


@app.command()
def head(ctx: typer.Context, as_json: Json = False) -> None:
    """Print the hash chain's head as POS:HASH (0 and 64 zeros for an empty log).

    Keep it somewhere the store's operators cannot change it; `verify
    --expect-head POS:HASH` then checks that the log still holds it.
    """
    with open_log(ctx) as application:
        link, beyond = application.chain.head(), application.chain.events_after_head()
    if link == START and beyond:
        fail(f"the log holds {_events(beyond)} and no hash chain: it was never sealed "
             "(`incidentlog chain seal`, once)")
    if as_json:
        _print_json(link.to_json())
    else:
        typer.echo(str(link))
    if beyond:
        _stderr().print(Text(f"warning: {_events(beyond)} after position {link.position} are not chained: a seal "
                             "that did not finish, or events written around the log (`incidentlog verify`)."),
                        soft_wrap=True)


chain_app = typer.Typer(name="chain", no_args_is_help=True,
                        help="The hash chain that makes changes to the stored log evident.")
app.add_typer(chain_app)


@chain_app.command("seal")
def seal(ctx: typer.Context, quiet: Quiet = False, as_json: Json = False) -> None:
    """Chain the events the chain does not reach yet: once, for a store from before the chain.

    Sealing says that the log as it is now is original: what was changed
    before the seal cannot be found afterwards. It goes a page at a time, each
    in a transaction of its own, taking turns with writers; stopped, it
    resumes where it was when run again. A log whose every event is chained
    has nothing to seal.
    """
    refused: str | None = None
    with open_log(ctx) as application, _progress(quiet) as progress:
        task = progress.add_task("Sealing", total=application.chain.events_after_head())
        try:
            sealed = application.chain.seal(application._writer, lambda done: progress.advance(task, done))
        except ChainError as error:
            refused = str(error)
        link = application.chain.head()
    if refused is not None:  # reported once the progress bar has stopped
        fail(refused)
    _summary(as_json, {"sealed": sealed, "head": link.to_json()},
             f"Sealed {_events(sealed)}; the chain's head is {link}." if sealed
             else f"Nothing to seal: every event is chained; the head is {link}.")


def _expected(given: str | None) -> Link | None:
    if given is None:
        return None
    try:
        return Link.parse(given)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="'--expect-head'") from None


def _lines(file: Path) -> Iterator[tuple[int, object]]:
    """(line number, parsed JSON) of every event line; None for a line that is not JSON."""
    try:
        with file.open(encoding="utf-8-sig") as stream:
            for number, text in enumerate(stream, 1):
                text = text.strip()
                if not text or text.startswith("#"):
                    continue
                try:
                    yield number, json.loads(text)
                except json.JSONDecodeError:
                    yield number, None
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")


def _report(verdict: Verdict, as_json: bool, what: str) -> None:
    if as_json:
        _print_json(verdict.to_json())
        return
    console = _stdout()
    found = verdict.broken
    if found is None:
        console.print(Text(f"Intact: {_events(verdict.checked)} chained in {what}; the head is {verdict.head}."),
                      soft_wrap=True)
        return
    where = f"line {found.line}" + (f" (position {found.position})" if found.position else "") \
        if found.line is not None else f"position {found.position}"
    holds = (f"The chain holds up to {verdict.head} ({_events(verdict.checked)})." if verdict.checked
             else "Nothing before it holds.")
    console.print(Text(f"Broken at {where}: {found.kind}. {found.detail[0].upper()}{found.detail[1:]}.\n{holds}"),
                  soft_wrap=True)
