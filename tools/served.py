"""The app served on a free loopback port by `incidentlog serve`, as a user
would run it: what the browser tests, the several-workers test, `make
screenshot` and the benchmarks share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parents[1]
SEED = ROOT / "scenarios" / "soyuz-ms22.jsonl"
INCIDENTLOG = Path(sys.executable).with_name("incidentlog")


class ServerFailed(RuntimeError):
    """The app did not come up (its log is in the message)."""


def seed(store: str | Path, scenario: Path = SEED) -> None:
    """Import a scenario into a store, as a user would."""
    subprocess.run([str(INCIDENTLOG), "--store", str(store), "import", str(scenario), "--quiet"],
                   check=True, capture_output=True, env=_environment())


def create_token(store: str | Path, name: str, role: str = "reporter") -> str:
    """A new token's secret, made as a user would (`incidentlog tokens create`):
    served on loopback, reads need none, but every write does."""
    made = subprocess.run([str(INCIDENTLOG), "--store", str(store), "tokens", "create", name, "--role", role],
                          check=True, capture_output=True, text=True, env=_environment())
    return made.stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(store: str | Path, log: Path, timeout: float = 60.0, workers: int = 1,
          host: str = "127.0.0.1", token: str | None = None) -> Iterator[str]:
    """`incidentlog serve` over `store` on `host` (loopback: reads need no
    token) and a free port (with `workers` worker processes); yields its base
    URL on 127.0.0.1 once `/health` answers (asked with `token`, if given), and
    stops the server afterwards. What the server prints goes to `log`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(INCIDENTLOG), "--store", str(store), "serve", "--host", host, "--port", str(port),
             "--workers", str(workers)],
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_environment())
        try:
            wait_until_healthy(base, server, log, timeout, token=token)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float,
                       poll: float = 0.2, token: str | None = None) -> None:
    """Return once `base` answers `/health`; raise `ServerFailed` (with the end of
    `log`) if the server exits first or `timeout` seconds pass. A short `poll`
    times start-up closely (the benchmark)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerFailed(f"the server exited with {server.returncode}:\n{_tail(log)}")
        try:
            asked = urllib.request.Request(f"{base}/health",
                                           headers={"Authorization": f"Bearer {token}"} if token else {})
            with urllib.request.urlopen(asked, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(poll)
    raise ServerFailed(f"no answer from {base}/health within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _environment() -> dict[str, str]:
    """This process's environment without a store chosen elsewhere (the store
    is always given with --store), logging as JSON lines."""
    env = {key: value for key, value in os.environ.items() if key != "INCIDENTLOG_STORE"}
    env["INCIDENTLOG_LOG_FORMAT"] = "json"
    return env
