"""The page at / and its static files: served by the app, holding the DOM
contract the browser tests rely on, shipped inside the package, and naming
no other host (a control-room network may be offline). What the page does in
a browser is tested in tests/web/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routers.page import KIND_OF_TYPE, WEB
from domain.vocabulary import EVENT_TYPES
from tests.factories import docked_with_crew, event
from tests.projections.test_audit import DECISION, STORY

ROOT = Path(__file__).parents[2]
CONTRACT_IDS = ["as-of", "known-at", "as-of-text", "known-at-text", "recorded-before", "hide-unknown", "timeline",
                "vehicles", "crew", "capacity", "decisions", "audit", "explanation", "live"]
STATIC = {"page.js": "javascript", "page.css": "text/css"}


def config_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="page-config">(.*?)</script>', html, re.DOTALL)
    assert found, "the page carries its configuration"
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def input_tag(html: str, element_id: str) -> str:
    found = re.search(rf'<input[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, f"no input #{element_id}"
    return found.group(0)


def test_the_page_is_served_at_the_root_with_every_id_of_its_contract(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    for element_id in CONTRACT_IDS:
        assert f'id="{element_id}"' in answer.text, element_id
    assert 'type="range" id="as-of"' in answer.text and 'type="range" id="known-at"' in answer.text
    assert '<label for="as-of">' in answer.text and '<label for="known-at">' in answer.text
    assert '<dialog id="explanation"' in answer.text
    assert 'data-ready="false"' in answer.text


@pytest.mark.parametrize(("name", "kind"), STATIC.items())
def test_the_script_and_styles_are_served_from_the_package(client: TestClient, name: str, kind: str) -> None:
    answer = client.get(f"/static/{name}")
    assert answer.status_code == 200
    assert kind in answer.headers["content-type"]
    assert f"static/{name}?v=" in client.get("/").text


def test_nothing_the_page_loads_names_another_host(client: TestClient) -> None:
    texts = [client.get("/").text, *(client.get(f"/static/{name}").text for name in STATIC)]
    for text in texts:
        assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE) == []
        assert re.findall(r"""(?:src|href)\s*=\s*["'](?!static/|data:|#|docs)""", text) == []


def test_the_script_follows_the_contract_of_the_browser_tests() -> None:
    script = (WEB / "static" / "page.js").read_text()
    for needle in ('"button"', "dataset.ready", '"data-field"', '"data-set-by"', '"data-vehicle"', '"data-crew"',
                   '"data-station"', '"data-kind"', "events/stream", '"appended"'):
        assert needle in script, needle


@pytest.mark.skipif(shutil.which("node") is None, reason="no node to read the script with")
def test_the_script_is_valid_javascript() -> None:
    checked = subprocess.run(["node", "--check", str(WEB / "static" / "page.js")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_controls_open_on_the_view_in_the_url_so_a_link_can_be_shared(client: TestClient) -> None:
    client.post("/events/batch", json={"events": docked_with_crew("capsule", ["a"], day="2022-09-21")})
    client.post("/events", json=event("LeakDetected", "2022-12-14", vehicle="capsule", system="cooling",
                                      description="coolant leak"))
    html = client.get("/", params={"as_of": "2022-12-14", "known_at": "2022-12-14T12:00Z",
                                   "recorded_before": "3", "decision": "abc"}).text
    config = config_of(html)
    assert config["query"] == {"as_of": "2022-12-14", "known_at": "2022-12-14T12:00Z", "recorded_before": "3",
                               "decision": "abc"}
    assert config["first_day"] == "2022-09-01"  # the registrations come first
    assert config["days"] == (date(2022, 12, 14) - date(2022, 9, 1)).days + 1  # a notch a day; the next one: now
    assert 'value="2022-12-14"' in input_tag(html, "as-of-text")
    assert f'value="{config["days"] - 1}"' in input_tag(html, "as-of")
    assert f'max="{config["days"]}"' in input_tag(html, "known-at")
    assert 'value="3"' in input_tag(html, "recorded-before")


def test_a_slider_with_no_time_in_the_url_stands_at_now(client: TestClient) -> None:
    client.post("/events/batch", json={"events": docked_with_crew("capsule", ["a"])})
    html = client.get("/").text
    config = config_of(html)
    assert f'value="{config["days"]}"' in input_tag(html, "as-of")
    assert 'value=""' in input_tag(html, "known-at-text")


def test_the_span_of_the_sliders_grows_with_the_log(client: TestClient) -> None:
    client.post("/events/batch", json={"events": docked_with_crew("capsule", ["a"])})
    before = config_of(client.get("/").text)
    client.post("/events", json=event("LeakDetected", "2022-12-14", reported_at="2023-01-11", vehicle="capsule",
                                      system="cooling", description="coolant leak"))
    after = config_of(client.get("/").text)
    assert after["first_day"] == before["first_day"]
    assert after["days"] > before["days"]
    assert after["head"] == before["head"] + 1


def test_text_in_the_url_cannot_break_out_of_the_page(client: TestClient) -> None:
    hostile = '"></script><script>alert(1)</script>'
    html = client.get("/", params={"as_of": hostile, "decision": hostile}).text
    assert "<script>alert(1)" not in html
    assert config_of(html)["query"]["as_of"] == hostile


def test_every_event_type_is_drawn_as_some_kind_on_the_timeline() -> None:
    assert set(KIND_OF_TYPE) == set(EVENT_TYPES)
    assert {"observation", "finding", "decision", "movement", "plan", "correction"} <= set(KIND_OF_TYPE.values())


def test_the_page_files_are_installed_with_the_package() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = settings["package-data"]["api"]
    shipped = {path for pattern in patterns for path in (ROOT / "api").glob(pattern)}
    files = {path for path in WEB.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    assert files and files <= shipped
    assert "jinja2" in " ".join(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def test_the_audit_graph_the_page_draws_is_served_as_svg(client: TestClient) -> None:
    assert client.post("/events/batch", json={"events": STORY}).status_code == 201
    answer = client.get(f"/decisions/{DECISION}/audit", params={"format": "svg"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.text.startswith("<svg ") and f'data-id="{DECISION}"' in answer.text
    spec = client.get("/openapi.json").json()["paths"]["/decisions/{decision_id}/audit"]["get"]
    assert "image/svg+xml" in spec["responses"]["200"]["content"]
