"""`incidentlog serve` as a user starts it, timed until `/health` answers,
with its memory read from /proc.

The command runs from this checkout (`python -c` in the project folder), so
the benchmark measures the code beside it, whatever the virtualenv's
editable install points at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.served import ServerFailed, free_port, wait_until_healthy

ROOT = Path(__file__).parents[1]
INCIDENTLOG = [sys.executable, "-c",
               "import sys; from cli.main import app; sys.argv[0] = 'incidentlog'; sys.exit(app())"]


@dataclass(frozen=True)
class Server:
    base: str
    process: subprocess.Popen[bytes]
    start_seconds: float  # from starting the process until /health answered

    def cpu_seconds(self) -> float:
        """The processor time the server has used so far, user and system (/proc/<pid>/stat)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self, field: str = "VmHWM") -> float:
        """A line of /proc/<pid>/status in MB: VmHWM is the peak resident set, VmRSS the current one."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        raise ServerFailed(f"no {field} in /proc/{self.process.pid}/status")


def environment() -> dict[str, str]:
    """This environment with the project folder first on the path, logging as JSON lines."""
    env = {key: value for key, value in os.environ.items() if key != "INCIDENTLOG_STORE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["INCIDENTLOG_LOG_FORMAT"] = "json"
    return env



@contextmanager
def serving(store: str, log: Path, timeout: float = 1800.0) -> Iterator[Server]:
    """The server over `store` on a free loopback port, stopped afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*INCIDENTLOG, "--store", store, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment())
        try:
            wait_until_healthy(base, process, log, timeout, poll=0.02)
            yield Server(base, process, time.perf_counter() - started)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
