"""Run the README's tour and write what each command prints beneath it.

    make readme                          # rewrite README.md in place
    python -m tools.readme_tour --check  # exit 1 if README.md is out of date

Every ```console block that follows a `<!-- tour -->` line is run, command by
command, against a fresh log seeded with the first scenario (what `make run`
serves), in a scratch folder. Between `<!-- tour-markdown: COMMAND -->` and
`<!-- /tour-markdown -->` goes what COMMAND prints, as Markdown, its headings
moved two levels down to sit inside the README's. Times that depend on when
the tour runs (now, recording times) are masked when checking.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
SEED = ROOT / "scenarios" / "soyuz-ms22.jsonl"
BLOCK = re.compile(r"(<!-- tour -->\n```console\n)(.*?)(```)", re.DOTALL)
MARKDOWN = re.compile(r"(<!-- tour-markdown: (.*?) -->\n)(.*?)(<!-- /tour-markdown -->)", re.DOTALL)
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
ENV = {"COLUMNS": "120", "USER": "flight-controller", "LOGNAME": "flight-controller", "NO_COLOR": "1"}


def render(text: str) -> str:
    """README text with every tour block's output produced afresh."""
    with scratch_folder() as folder:
        runner = CliRunner()
        store = str(folder / "incidentlog.db")
        _run(runner, folder, store, ["import", str(SEED), "--quiet"])

        def replace(match: re.Match[str]) -> str:
            commands = [line[2:] for line in match.group(2).splitlines() if line.startswith("$ ")]
            output = "".join(f"$ {command}\n{_run(runner, folder, store, shlex.split(command)[1:])}"
                             for command in commands)
            return match.group(1) + output + match.group(3)

        def replace_markdown(match: re.Match[str]) -> str:
            output = _run(runner, folder, store, shlex.split(match.group(2))[1:])
            demoted = re.sub(r"^(#+) ", r"##\1 ", output, flags=re.MULTILINE)
            return match.group(1) + "\n" + demoted + "\n" + match.group(4)

        return MARKDOWN.sub(replace_markdown, BLOCK.sub(replace, text))


def _run(runner: CliRunner, folder: Path, store: str, args: list[str]) -> str:
    # A scratch store named in the tour lives in the scratch folder; otherwise the seeded one.
    args = ["--store", str(folder / args[1]), *args[2:]] if args[:1] == ["--store"] else ["--store", store, *args]
    result = runner.invoke(app, args, env=ENV, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"tour command failed ({result.exit_code}): incidentlog {shlex.join(args)}\n"
                         f"{result.stderr}")
    return "\n".join(line.rstrip() for line in result.stdout.splitlines()) + ("\n" if result.stdout else "")


def masked(text: str) -> str:
    return MOMENT.sub("<time>", text)


@contextmanager
def scratch_folder() -> Iterator[Path]:
    previous = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(ROOT)  # the tour's relative paths (scenarios/...) are from the repository root
        try:
            yield Path(folder)
        finally:
            os.chdir(previous)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that README.md is current")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if masked(fresh) != masked(current):
            sys.exit("README.md's tour is out of date: run `make readme`")
        return
    README.write_text(fresh, encoding="utf-8")


if __name__ == "__main__":
    main()
