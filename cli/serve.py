"""`incidentlog serve`: the HTTP API (and the page) over the chosen store."""

from __future__ import annotations

import ipaddress
import os
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
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs).

    On a loopback address (127.0.0.1, the default) reads need no token; on any
    other, every request does. Writes always need one: `incidentlog tokens create`.
    """
    # Imported here so that the other commands start without loading the web stack.
    import uvicorn

    from observability.logs import configure_logging


    settings: Settings = ctx.obj
    configure_logging(settings)
    # The app factory runs inside the server (in every worker) and reads its store from the environment.
    os.environ["INCIDENTLOG_STORE"] = settings.store
    # Reads are open only where every caller is on this machine; writes always need a token.
    os.environ["INCIDENTLOG_OPEN_READS"] = "1" if is_loopback(host) else "0"
    # log_config=None: keep the logging configured above instead of uvicorn's own.
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_config=None)


def is_loopback(host: str) -> bool:
    """Does `host` listen only where callers are on this machine?"""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False
