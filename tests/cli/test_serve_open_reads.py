"""`incidentlog serve` on a loopback address answers reads without a token; on
any other address every request needs one. Writes always do."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from cli.serve import is_loopback
from tests.factories import vehicle
from tools.served import create_token, serve


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("ops.example.org", False)])
def test_which_addresses_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_served_on_loopback_reads_are_open_and_writes_need_a_token(sqlite_url: str, tmp_path: Path) -> None:
    token = create_token(sqlite_url, "first-writer")
    with serve(sqlite_url, tmp_path / "local.log") as base:
        assert httpx2.get(f"{base}/state").status_code == 200
        assert httpx2.post(f"{base}/events", json=vehicle("v")).status_code == 401
        written = httpx2.post(f"{base}/events", json=vehicle("v"), headers={"Authorization": f"Bearer {token}"})
        assert written.status_code == 201 and written.json()["actor"] == "first-writer"


def test_served_on_every_address_every_request_needs_a_token(sqlite_url: str, tmp_path: Path) -> None:
    token = create_token(sqlite_url, "ops-reader", role="reader")
    with serve(sqlite_url, tmp_path / "open.log", host="0.0.0.0", token=token) as base:
        assert httpx2.get(f"{base}/state").status_code == 401
        assert httpx2.get(f"{base}/state", headers={"Authorization": f"Bearer {token}"}).status_code == 200
