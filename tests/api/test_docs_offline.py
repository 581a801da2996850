"""/docs and /redoc without internet: every script, style and icon they name
is served by the app itself, from the installed package."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from store.settings import Settings

PAGES = ["/docs", "/redoc"]
CONTENT_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",),
                 ".png": ("image/png",)}


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    """The pages do not touch the store, so one kind of store is enough."""
    with TestClient(create_app(Settings(store=sqlite_url))) as client:
        yield client


def named_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_names_no_other_host(client: TestClient, page: str) -> None:
    html = client.get(page).text

    assert not re.findall(r"(?:https?:)?//[\w.-]+", html), "every URL is the app's own"
    assert named_urls(html), "the page names its scripts"


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_a_docs_page_names_is_served_with_its_content_type(client: TestClient, page: str) -> None:
    for url in named_urls(client.get(page).text):
        response = client.get(url)
        assert response.status_code == 200, url
        kind = response.headers["content-type"].split(";")[0]
        suffix = url[url.rfind("."):]
        assert kind in CONTENT_TYPES.get(suffix, ("application/json",)), (url, kind)


def test_the_swagger_ui_served_reads_openapi_3_1(client: TestClient) -> None:
    # FastAPI writes OpenAPI 3.1, which Swagger UI renders from version 5 on.
    script = client.get("/docs/assets/swagger-ui-bundle.js").text

    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert re.search(r'PACKAGE_VERSION:"5\.\d+\.\d+"', script)


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_forbids_the_browser_to_load_from_elsewhere(client: TestClient, page: str) -> None:
    # ReDoc's bundle names a logo on its CDN; the policy keeps the browser from asking for it.
    response = client.get(page)

    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<html lang="en">' in response.text


def test_swagger_ui_asks_no_online_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_the_docs_pages_are_not_operations_of_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert not {"/docs", "/redoc"} & set(paths)
