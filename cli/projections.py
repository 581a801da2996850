"""The read model's commands.

- `incidentlog projections rebuild`: drop the read model and build it again
  from the log (after a change to its shape, or to check it): the index, the
  write side's tables, then the checkpoints and the views along the whole
  log, so that the first questions do not fold it.
- `incidentlog projections prepare`: carry the checkpoints and the views to
  the end of the log, after back-dated events stopped the views answering
  from the valid time they touch (`store.view_upkeep`); the index is kept.
  `incidentlog serve` runs it by itself (`store.views_catch_up`).
- `incidentlog projections status`: how far the views hold.

The index (`store.read_model`) is kept in the same transaction as every
append, so it never needs catching up; a store opened by a version with
another index shape is re-indexed when it opens.
"""

from __future__ import annotations

import time

import typer

from cli.app import Json, Quiet, _events, _progress, _summary, app, open_log

UNTIL = " (`incidentlog projections prepare`; a server runs its own within --catch-up-seconds)"
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


@projections_app.command("prepare")
def prepare(ctx: typer.Context, quiet: Quiet = False, as_json: Json = False) -> None:
    """Carry the checkpoints and the views to the end of the log (after back-dated events)."""
    with open_log(ctx) as application, _progress(quiet) as progress:
        folding = progress.add_task("views", total=None)
        started = time.perf_counter()
        folded = application.catch_up_views(lambda done: progress.advance(folding, done))
        seconds = time.perf_counter() - started
        head = application.head
    if folded is None:
        _summary(as_json, {"folded": 0, "head": head, "seconds": 0.0},
                 f"The views already held through position {head}.")
        return
    _summary(as_json, {"folded": folded, "head": head, "seconds": round(seconds, 3)},
             f"The views hold through position {head} ({folded} facts and levels gone through in {seconds:.1f} s).")


@projections_app.command("status")
def status(ctx: typer.Context, as_json: Json = False) -> None:
    """How far the views the questions are read from hold."""
    with open_log(ctx) as application:
        found = application.views_status()
    lines = []
    for name, title in (("versions", "as known now"), ("levels", "at a past known_at")):
        kept = found[name]
        if kept is None:
            lines.append(f"Views {title}: none kept; questions are folded until the next prepare{UNTIL}.")
        elif kept["fold_from"] is None:
            lines.append(f"Views {title}: current (through position {kept['through']}).")
        else:
            lines.append(f"Views {title}: through position {kept['through']} of {found['head']}; questions "
                         f"as of {kept['fold_from']} or later are folded until the next prepare{UNTIL}.")
    _summary(as_json, found, "\n".join(lines))
