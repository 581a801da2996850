"""A server asked to (`incidentlog serve` does) prepares the views again
by itself once a back-dated event left them behind, and stops looking when
it stops."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.main import create_app
from store.settings import Settings
from store.views_catch_up import behind
from tests.factories import draft
from tests.store.test_read_model import SCENARIO, append_all
from tests.store.test_views_catch_up import LATE


def test_the_server_catches_the_views_up_by_itself(store_url: str) -> None:
    with TestClient(create_app(Settings(store=store_url, views_catch_up_seconds=0.05, open_reads=True))) as client:
        application = client.app.state.application  # type: ignore[attr-defined]
        append_all(application, SCENARIO, 41)
        application.prepare_read_model()
        application.append([draft(LATE)], "test")
        deadline = time.monotonic() + 120
        while behind(application.views_status()):
            assert time.monotonic() < deadline, application.views_status()
            time.sleep(0.1)
        assert client.get("/health").status_code == 200
