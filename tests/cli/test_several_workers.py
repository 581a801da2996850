"""Several server processes on one store (`incidentlog serve --workers N`, or
servers on other ports): each answers the others' writes at once.

Every process reads what the store holds before it answers, so a write made
through one is in the next answer of any other; one writer at a time, as
`store.locks` ensures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.factories import event, vehicle
from tools.served import create_token, serve


@pytest.fixture
def two_servers(store_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with serve(store_url, tmp_path / "a.log") as first, serve(store_url, tmp_path / "b.log") as second:
        yield first, second


@pytest.fixture
def writer(store_url: str) -> dict[str, str]:
    """A reporter's token: served on loopback, reads need none, writes do."""
    return {"Authorization": f"Bearer {create_token(store_url, 'workers-test')}"}


def test_each_server_answers_the_others_writes_at_once(two_servers: tuple[str, str], writer: dict[str, str]) -> None:
    first, second = two_servers
    assert httpx2.post(f"{first}/events", json=vehicle("capsule"), headers=writer).status_code == 201
    assert httpx2.get(f"{second}/vehicles/capsule").json()["seats"] == 3
    changed = event("SeatCapacityChanged", "2022-10-01", vehicle="capsule", seats=4, reason="liner fitted")
    assert httpx2.post(f"{second}/events", json=changed, headers=writer).status_code == 201
    assert httpx2.get(f"{first}/vehicles/capsule").json()["seats"] == 4


def test_served_with_two_workers_every_answer_holds_the_latest_write(store_url: str, tmp_path: Path,
                                                                      writer: dict[str, str]) -> None:
    with serve(store_url, tmp_path / "workers.log", workers=2) as base:
        assert httpx2.post(f"{base}/events", json=vehicle("capsule", seats=1), headers=writer).status_code == 201
        for seats in range(2, 7):
            refit = event("SeatCapacityChanged", f"2022-10-0{seats}", vehicle="capsule", seats=seats, reason="refit")
            assert httpx2.post(f"{base}/events", json=refit, headers=writer).status_code == 201
            # Whichever worker answers (the kernel spreads connections), it has the write.
            assert {httpx2.get(f"{base}/vehicles/capsule").json()["seats"] for _ in range(4)} == {seats}
