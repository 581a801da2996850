"""`incidentlog tokens create | list | revoke`: who may use the HTTP API, and as what.

Whoever can run these against the store is its operator (they can open the
database itself), so the commands need no token of their own. A token's
secret is printed once, when it is created, on standard output alone (so
``TOKEN=$(incidentlog tokens create ...)`` works); only its hash is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli import render
from cli.app import Json, _print_json, _stderr, _stdout, app, fail
from domain.roles import Role
from store.settings import Settings
from store.tokens import Token, TokenError, TokenStore, TokenStoreUnavailable

tokens_app = typer.Typer(name="tokens", no_args_is_help=True, help=(
    "Bearer tokens for the HTTP API: create, list, revoke. Roles, each including the ones before: "
    + ", ".join(role.label for role in Role) + "."))
app.add_typer(tokens_app)

ROLES = ", ".join(role.label for role in Role)


@tokens_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False, help=(
        "Who holds it: recorded as the writer of every event it appends (letters, digits, . _ @ -).")
    )],
    role: Annotated[str, typer.Option("--role", metavar="ROLE", show_default=False, help=(
        f"What it may do: {ROLES} (each includes the ones before)."))],
    as_json: Json = False,
) -> None:
    """Issue a token and print its secret, once: only its hash is kept."""
    try:
        chosen = Role.parse(role)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="'--role'") from None
    with _tokens(ctx) as tokens:
        issued = tokens.create(name, chosen)
    if as_json:
        _print_json({**_token_json(issued.token), "secret": issued.secret})
        return
    typer.echo(issued.secret)
    _stderr().print(Text(
        f"Token {issued.token.name!r} ({chosen.label}) created. Its secret, above, is shown only now: "
        "send it as 'Authorization: Bearer <secret>', or sign in with it on the page."), soft_wrap=True)


@tokens_app.command("list")
def list_tokens(ctx: typer.Context, as_json: Json = False) -> None:
    """Every token issued, active or revoked (never a secret)."""
    with _tokens(ctx) as tokens:
        issued = tokens.tokens()
    if as_json:
        _print_json({"tokens": [_token_json(token) for token in issued]})
        return
    if not issued:
        _stderr().print("No tokens yet: create one with `incidentlog tokens create NAME --role ROLE`.")
        return
    table = Table(box=box.SIMPLE_HEAD, header_style="bold dim")
    for column in ("name", "role", "created", "revoked"):
        table.add_column(column, no_wrap=True)
    for token in issued:
        table.add_row(token.name, token.role.label, render.moment(token.created_at),
                      render.moment(token.revoked_at) if token.revoked_at else "active")
    _stdout().print(table)


@tokens_app.command("revoke")
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False, help="The token's name.")],
) -> None:
    """Revoke a name's token at once; the pages signed in with it are signed out."""
    with _tokens(ctx) as tokens:
        revoked = tokens.revoke(name)
    _stdout().print(Text(f"Revoked {revoked.name!r} ({revoked.role.label}); what it wrote keeps its name."),
                    soft_wrap=True)


@contextmanager
def _tokens(ctx: typer.Context) -> Iterator[TokenStore]:
    settings: Settings = ctx.obj
    try:
        tokens = TokenStore(settings)
    except TokenStoreUnavailable as error:
        fail(f"cannot open the tokens of {settings.describe_store()}: {error}")
    try:
        yield tokens
    except TokenError as error:
        fail(str(error))
    except TokenStoreUnavailable as error:
        fail(f"the store {settings.describe_store()} failed: {error}")
    finally:
        tokens.close()


def _token_json(token: Token) -> dict[str, str | None]:
    return {"name": token.name, "role": token.role.label, "created_at": token.created_at.isoformat(),
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}
