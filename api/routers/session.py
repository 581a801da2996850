"""Signing the page in and out: a token exchanged for a session cookie.

A browser cannot put a header on the live stream (`EventSource`), and a page
should not keep a token where its scripts can read it. So the page sends its
token once, to `POST /session`, and gets back an HttpOnly, SameSite=Strict
cookie holding a random session id; the store keeps only its hash, beside the
token it stands for (`store.tokens`). Requests that carry the cookie are
checked like the token itself, and revoking the token ends the session.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Request, Response

from api.auth import SESSION_COOKIE, Identity, Unauthenticated, bearer, refusal
from api.errors import store_unavailable_response
from api.schemas import BEARER
from store.tokens import SESSION_LIFETIME, TokenStore, TokenStoreUnavailable

router = APIRouter(prefix="/session", tags=["session"])


@router.post("", openapi_extra={"security": [{BEARER: []}]}, responses={
    200: {"description": "Signed in: the cookie is set; the body says as whom.", "content": {
        "application/json": {"example": {"name": "flight-director", "role": "authority"}}}}})
def sign_in(request: Request, response: Response) -> Any:
    """Exchange the bearer token in `Authorization` for a session cookie
    (`incidentlog_session`: HttpOnly, SameSite=Strict, for 12 hours)."""
    tokens: TokenStore = request.app.state.tokens
    secret = bearer(request.headers)
    try:
        token = tokens.identify(secret) if secret else None
        session = tokens.open_session(secret) if secret and token else None
    except TokenStoreUnavailable:
        return store_unavailable_response("the store holding the tokens did not answer",
                                          request.app.state.settings.store_timeout_seconds)
    if token is None or session is None:
        return refusal(Unauthenticated("Authorization", "send the token to sign in with as "
                                       "'Authorization: Bearer <secret>'; it must be known and not revoked"))
    identity = Identity.of(token)
    response.set_cookie(SESSION_COOKIE, session, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return {"name": identity.name, "role": identity.role.label}


@router.delete("", status_code=204, responses={
    204: {"description": "Signed out: the session has ended and the cookie is cleared."}})
def sign_out(request: Request,
             session: Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)] = None,
             ) -> Response:
    """End the page's session (whether or not there was one) and clear its cookie."""
    if session:
        tokens: TokenStore = request.app.state.tokens
        with contextlib.suppress(TokenStoreUnavailable):  # the cookie is cleared anyway; it expires on its own
            tokens.close_session(session)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response

