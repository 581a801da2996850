"""`incidentlog projections rebuild`: drop the read model and build it again
from the log (after a change to its shape, or to check it): the index, the
write side's tables, then the "as known now" checkpoints along the whole log,
so that the first questions do not fold it.

The read model (`store.read_model`) is kept in the same transaction as every
append, so this is never needed to catch up; a store opened by a version with
another index shape is re-indexed when it opens.
"""

from __future__ import annotations

import time

import typer

from cli.app import Json, Quiet, _events, _progress, _summary, app, open_log

projections_app = typer.Typer(name="projections", no_args_is_help=True,
                              help="The read model the questions are answered from.")
app.add_typer(projections_app)


@projections_app.command("rebuild")
def rebuild(ctx: typer.Context, quiet: Quiet = False, as_json: Json = False) -> None:
    """Drop the read model and build it again from every event in the log."""
    with open_log(ctx) as application, _progress(quiet) as progress:
        task = progress.add_task("indexing", total=application.head)
        started = time.perf_counter()
        indexed = application.rebuild_read_model(lambda done: progress.advance(task, done))
        folding = progress.add_task("checkpoints", total=None)
        folded = application.prepare_read_model(lambda done: progress.advance(folding, done))
        seconds = time.perf_counter() - started
    _summary(as_json, {"indexed": indexed, "folded": folded, "seconds": round(seconds, 3)},
             f"Rebuilt the read model from {_events(indexed)} in {seconds:.1f} s "
             f"(checkpoints along {folded} facts, as known now).")
