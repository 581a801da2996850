"""`incidentlog serve` on SIGTERM: it stops taking connections, lets the
request in flight finish (for up to `--graceful-seconds`), then exits 0."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx2

from domain.roles import Role
from store.settings import Settings
from store.tokens import TokenStore
from tests.factories import vehicle
from tools.served import INCIDENTLOG, free_port, wait_until_healthy


def test_sigterm_lets_the_request_in_flight_finish_then_exits_cleanly(tmp_path: Path) -> None:
    store = tmp_path / "log.db"
    tokens = TokenStore(Settings(store=str(store)))
    writer = {"Authorization": f"Bearer {tokens.create('drain-writer', Role.REPORTER).secret}"}
    tokens.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {key: value for key, value in os.environ.items() if key != "INCIDENTLOG_STORE"}
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [str(INCIDENTLOG), "--store", str(store), "serve", "--port", str(port), "--graceful-seconds", "20"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment)
    try:
        wait_until_healthy(base, server, tmp_path / "server.log", timeout=60)
        answers: list[httpx2.Response] = []
        with open(f"{store}.lock", "a+b") as writers_turn:
            fcntl.flock(writers_turn, fcntl.LOCK_EX)  # the append waits for its turn to write
            append = threading.Thread(target=lambda: answers.append(
                httpx2.post(f"{base}/events", json=vehicle("capsule-1"), headers=writer, timeout=60)))
            append.start()
            _wait_until_someone_waits_for(writers_turn.fileno())  # the append is in flight

            server.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            assert server.poll() is None, "the server exited with a request in flight"
            assert not _accepts_connections(port), "the server still takes new connections"
            fcntl.flock(writers_turn, fcntl.LOCK_UN)

        append.join(timeout=30)
        assert answers and answers[0].status_code == 201, answers and answers[0].text
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait_until_someone_waits_for(lock: int, timeout: float = 30.0) -> None:
    """Return once another process is blocked on the `flock` we hold (Linux lists
    the waiters in /proc/locks, marked "->", by the file's device and inode)."""
    inode = f":{os.fstat(lock).st_ino} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any("->" in line and "FLOCK" in line and inode in line
               for line in Path("/proc/locks").read_text().splitlines()):
            return
        time.sleep(0.05)
    raise AssertionError("no request came to wait for the writer lock")
