"""The folders are the architecture: dependencies point inward, and no code
knows about a particular incident."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# What each package may import from the project (stdlib and third-party aside).
ALLOWED = {
    "domain": set(),
    "projections": {"domain"},
    "store": {"domain", "projections"},
    "observability": {"store"},  # logging set-up (later metrics), shared by api and cli
    "answers": {"domain", "projections"},  # the shapes of answers, shared by api and cli
    "api": {"domain", "projections", "store", "observability", "answers"},
    # The command line serves the API by naming its factory to uvicorn, never by importing it.
    "cli": {"domain", "projections", "store", "observability", "answers"},
}
THIRD_PARTY_IN_DOMAIN = {"eventsourcing"}


def project_imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            found |= {(path.relative_to(ROOT).as_posix(), name.split(".")[0]) for name in names}
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_inside_it(package: str) -> None:
    outward = {(file, top) for file, top in project_imports(package)
               if top in ALLOWED and top != package and top not in ALLOWED[package]}
    assert not outward, f"{package}/ imports outer layers: {sorted(outward)}"


def test_the_domain_needs_nothing_but_the_standard_library_and_eventsourcing() -> None:
    import sys

    foreign = {(file, top) for file, top in project_imports("domain")
               if top not in sys.stdlib_module_names and top not in THIRD_PARTY_IN_DOMAIN | {"domain"}}
    assert not foreign


SCENARIO_WORDS = re.compile(r"ms-?22|ms-?23|soyuz|prokop|petelin|rubio|endurance|kononenko", re.IGNORECASE)


@pytest.mark.parametrize("package", ["domain", "projections", "store"])
def test_no_code_knows_the_seed_incident(package: str) -> None:
    mentions = [f"{path.relative_to(ROOT)}:{number}"
                for path in (ROOT / package).rglob("*.py")
                for number, line in enumerate(path.read_text().splitlines(), 1)
                if SCENARIO_WORDS.search(line)]
    assert not mentions, f"scenario names in code: {mentions}"
