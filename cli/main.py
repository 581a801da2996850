"""The `incidentlog` command: import and export the log, append to it, read it,
ask for the station picture at any horizon, audit decisions, and serve the
HTTP API and the page.

`app` is the entry point (`incidentlog = cli.main:app`). The frame and the
shared plumbing are in `cli.app`; each group of commands registers itself on
it from a module of its own, imported here.
"""

from __future__ import annotations

# Commands are listed in --help in the order their modules register them.
# isort: off
from cli import log_commands, station_commands, audit, vocabulary, projections, verify, serve, tokens
# isort: on
from cli.app import app

# Each registers its commands.
COMMAND_MODULES = (log_commands, station_commands, audit, vocabulary, projections, verify, serve, tokens)

__all__ = ["COMMAND_MODULES", "app"]
