"""The API documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc),
served without a CDN: a station or control-room network is offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN. These are the same
pages (`get_swagger_ui_html`, `get_redoc_html`) pointed at the scripts and
styles that the `fastapi-offline` wheel ships, mounted at `ASSETS_URL`:
installed with the package, never fetched while the app runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"

# Swagger UI would otherwise ask an online validator to judge the spec (an
# outside request, and a broken badge offline).
SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None}
# The browser loads nothing from elsewhere: ReDoc's bundle names a logo on a
# CDN, which is then blocked (ReDoc hides it) instead of being fetched.
CONTENT_SECURITY_POLICY = "default-src 'self' 'unsafe-inline' data: blob:"

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Serve the pages and their assets (create the app with `docs_url=None,
    redoc_url=None`, so FastAPI's CDN pages are not served as well)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    app.include_router(router)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    assets, openapi_url = _urls(request)
    return _offline(get_swagger_ui_html(
        openapi_url=openapi_url, title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{assets}/swagger-ui-bundle.js", swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon.png",
        swagger_ui_parameters={**(request.app.swagger_ui_parameters or {}), **SWAGGER_UI_PARAMETERS}))


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    assets, openapi_url = _urls(request)
    return _offline(get_redoc_html(
        openapi_url=openapi_url, title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{assets}/redoc.standalone.js", redoc_favicon_url=f"{assets}/favicon.png",
        with_google_fonts=False))


def _offline(page: HTMLResponse) -> HTMLResponse:
    """FastAPI's page, saying its language (for screen readers) and forbidding
    the browser to load anything from elsewhere."""
    html = bytes(page.body).decode().replace("<html>", '<html lang="en">', 1)
    return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


def _urls(request: Request) -> tuple[str, str]:
    """The assets' folder and the OpenAPI document, on this server (behind a
    proxy, under its `root_path`)."""
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}{ASSETS_URL}", f"{root}{request.app.openapi_url}"
