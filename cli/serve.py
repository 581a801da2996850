"""`incidentlog serve`: the HTTP API (and the page) over the chosen store.

On SIGTERM (or Ctrl-C) the server stops accepting connections and lets the
requests in flight finish, for at most `--graceful-seconds`; then it cancels
what is left and exits.
"""

from __future__ import annotations

import ipaddress
import os
import signal
from types import FrameType
from typing import Annotated

import typer

from cli.app import app
from store.settings import Settings


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    graceful_seconds: Annotated[int, typer.Option(
        "--graceful-seconds", min=0, help="On SIGTERM, how long requests in flight may take to finish.")] = 10,
    catch_up_seconds: Annotated[float, typer.Option(
        "--catch-up-seconds", min=0,
        help="How often to look whether back-dated events left the views behind, and prepare them "
             "again (in a child process) if so; 0: never.")] = 5.0,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs).

    On a loopback address (127.0.0.1, the default) reads need no token; on any
    other, every request does. Writes always need one: `incidentlog tokens create`.
    Views a back-dated event left behind are prepared again by the server itself.
    """
    # Imported here so that the other commands start without loading the web stack.
    import uvicorn

    from observability.logs import configure_logging
    from observability.multiprocess import prepare_multiprocess_dir


    settings: Settings = ctx.obj
    configure_logging(settings)
    prepare_multiprocess_dir()  # with PROMETHEUS_MULTIPROC_DIR: before any worker counts
    # The app factory runs inside the server (in every worker) and reads its store from the environment.
    os.environ["INCIDENTLOG_STORE"] = settings.store
    # Reads are open only where every caller is on this machine; writes always need a token.
    os.environ["INCIDENTLOG_OPEN_READS"] = "1" if is_loopback(host) else "0"
    os.environ["INCIDENTLOG_VIEWS_CATCH_UP_SECONDS"] = str(catch_up_seconds)
    # uvicorn takes SIGTERM over while it serves, and raises it again once it has drained and shut
    # down, for the handler that was there before: a stop asked for and carried out exits 0.
    before = signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        # log_config=None: keep the logging configured above instead of uvicorn's own.
        uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_config=None,
                    timeout_graceful_shutdown=graceful_seconds)
    finally:
        signal.signal(signal.SIGTERM, before)


def is_loopback(host: str) -> bool:
    """Does `host` listen only where callers are on this machine?"""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
