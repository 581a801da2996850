"""Who is asking, and may they: bearer tokens, the page's session cookie, and roles.

Every request passes `Authentication` before it reaches a route. A caller
names itself with ``Authorization: Bearer <secret>`` (a token from
`incidentlog tokens create`) or with the session cookie the page got by
signing in (`POST /session`); either is looked up in the store's tokens
(`store.tokens`) and becomes the request's `Identity`, whose name is recorded
as the writer of what it appends.

What a route needs is decided here, in one place (`required_role`), and
refused before the route runs: with no or a bad credential, 401; with a role
too low, 403; both ``application/problem+json``. Reads need a reader, the
event routes a reporter; what each event needs beyond that is checked against
the events themselves (`check_may_write`). Anything not named needs an admin,
so a route added without thought is closed, not open. The page's shell, its
static files, the API's documentation and signing in and out are open to all:
they hold no record.

With `Settings.open_reads` (served on a loopback address only) a read
without any credential is answered as an anonymous reader; a credential
that is given must still be good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import RequestRefused, problem, store_unavailable_response
from domain.entry import Draft
from domain.roles import Role, role_to_write
from domain.vocabulary import Payload
from projections.horizon import Horizon
from store.application import IncidentLogApplication
from store.settings import Settings
from store.tokens import Token, TokenStore, TokenStoreUnavailable

SESSION_COOKIE = "incidentlog_session"
ANONYMOUS = "anonymous"  # the name of a reader with no credential, where reads are open
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="incidentlog"'}
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Open to anyone: nothing here holds a record. Exact paths, and folders (ending in /).
PUBLIC_PATHS = frozenset({"/", "/docs", "/redoc", "/openapi.json", "/session"})
PUBLIC_FOLDERS = ("/static/", "/docs/")
WRITE_ROUTES = frozenset({("POST", "/events"), ("POST", "/events/batch")})


@dataclass(frozen=True)
class Identity:
    """Who a request comes from: a token's holder, or an anonymous reader."""

    name: str
    role: Role
    anonymous: bool = False

    @classmethod
    def of(cls, token: Token) -> Identity:
        return cls(token.name, token.role)


READER = Identity(ANONYMOUS, Role.READER, anonymous=True)


class Unauthenticated(RequestRefused):
    status, kind, title = 401, "unauthenticated", "Unauthenticated"


class Forbidden(RequestRefused):
    status, kind, title = 403, "forbidden", "Forbidden"


class TokensUnavailable(RequestRefused):
    """The store holding the tokens does not answer: 503, as any store outage (`api.errors`)."""

    status, kind, title = 503, "store_unavailable", "Store unavailable"


def refusal(error: RequestRefused) -> JSONResponse:
    """A refusal answered before (or instead of) a route: a 401 says how to authenticate."""
    return problem(error.status, error.title, error.kind, [{"field": error.field, "rule": error.rule}],
                   headers=CHALLENGE if error.status == 401 else None)


def required_role(method: str, path: str) -> Role | None:
    """The least role that may ask `method path`; None: open to anyone."""
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_FOLDERS):
        return None
    if (method, path.rstrip("/") or "/") in WRITE_ROUTES:
        return Role.REPORTER
    if method in SAFE_METHODS:
        return Role.READER
    return Role.ADMIN


def route_path(scope: Scope) -> str:
    """The path as routing sees it: behind a proxy serving the app under a
    prefix (`root_path`), without that prefix."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root):] or "/"
    return path


def bearer(headers: Headers) -> str | None:
    """The secret of an ``Authorization: Bearer`` header; "" when the header is
    there but is not a bearer credential (which is refused, never ignored)."""
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, secret = value.strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else ""


class Authentication:
    """Sets ``request.state.identity``, or answers 401/403/503 itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        needed = required_role(scope["method"], route_path(scope))
        tokens: TokenStore = connection.app.state.tokens
        try:
            identity = await anyio.to_thread.run_sync(self._identify, tokens, connection, needed)
        except TokensUnavailable as error:
            settings: Settings = connection.app.state.settings
            await store_unavailable_response(error.rule, settings.store_timeout_seconds)(scope, receive, send)
            return
        except RequestRefused as error:
            await refusal(error)(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)

    @staticmethod
    def _identify(tokens: TokenStore, connection: HTTPConnection, needed: Role | None) -> Identity | None:
        open_reads: bool = connection.app.state.settings.open_reads
        try:
            identity = _identity(tokens, connection, strict=needed is not None)
        except TokenStoreUnavailable:
            raise TokensUnavailable("Authorization", "the store holding the tokens did not answer") from None
        if needed is None:
            return identity
        if identity is None:
            if open_reads and needed is Role.READER and connection.scope["method"] in SAFE_METHODS:
                return READER
            raise Unauthenticated("Authorization", "a token is required: send 'Authorization: Bearer <secret>' "
                                  "(incidentlog tokens create NAME --role ROLE) or sign in on the page")
        if not identity.role.covers(needed):
            raise Forbidden("Authorization", f"{connection.scope['method']} {connection.scope['path']} needs the "
                            f"{needed.label} role; {identity.name!r} is a {identity.role.label}")
        return identity


def _identity(tokens: TokenStore, connection: HTTPConnection, strict: bool) -> Identity | None:
    """The caller, by bearer token first, else by session cookie; None if neither.

    A bearer token that is given must be good (`strict`: else 401). A stale
    cookie (signed out elsewhere, expired, its token revoked) is as if absent.
    """
    secret = bearer(connection.headers)
    if secret is not None:
        token = tokens.identify(secret) if secret else None
        if token is None:
            if not strict:
                return None
            raise Unauthenticated("Authorization", "the bearer token is not known, or has been revoked")
        return Identity.of(token)
    session = connection.cookies.get(SESSION_COOKIE)
    if session:
        token = tokens.session(session)
        if token is not None:
            return Identity.of(token)
    return None


def check_may_write(identity: Identity, drafts: Sequence[Draft], application: IncidentLogApplication,
                    batch: bool) -> None:
    """Refuse (403) the first event `identity` may not write, naming it as
    ``events[i]`` in a batch. An amendment needs the role of what it amends,
    looked up in the batch itself or in the log."""
    in_batch = {draft.id: draft.payload for draft in drafts}
    now = application.now()

    def amended(event_id: UUID) -> Payload | None:
        if event_id in in_batch:
            return in_batch[event_id]
        record = application.event_record(event_id, Horizon.parse(None, None, None, now))
        return None if record is None else record.written.payload

    for index, draft in enumerate(drafts):
        needed = role_to_write(draft.payload, amended)
        if not identity.role.covers(needed):
            what = "amends an event that needs" if draft.payload.amends else "needs"
            raise Forbidden(f"events[{index}]" if batch else "type",
                            f"a {draft.type} {what} the {needed.label} role to write; "
                            f"{identity.name!r} is a {identity.role.label}")


def identity_of(state: Any) -> Identity | None:
    """The identity `Authentication` found for a request (None on an open route without a credential)."""
    identity = getattr(state, "identity", None)
    assert identity is None or isinstance(identity, Identity)
    return identity
