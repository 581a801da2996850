"""Helpers for the command-line tests: run `incidentlog` in-process, write and read JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from cli.main import app


@dataclass
class Incidentlog:
    """`incidentlog --store STORE ...`; a traceback fails the test, whatever the exit code."""

    store: str
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        result = self.runner.invoke(app, ["--store", self.store, *args], input=input, env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{args} raised {result.exception!r}\n{result.stderr}")
        return result

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


def write_jsonl(path: Path, lines: Iterable[dict[str, Any] | str]) -> str:
    """Write events (or raw lines) as JSON Lines; return the file name."""
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    return str(path)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
