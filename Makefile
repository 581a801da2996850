# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SCENARIO ?= scenarios/soyuz-ms22.jsonl

.PHONY: install run test lint readme screenshot bench bench-slider clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Seed the default store with the first scenario if it is empty, then serve.
run: $(STAMP)
	$(BIN)/incidentlog import $(SCENARIO) --if-empty
	@echo "Writes need a token (served elsewhere than 127.0.0.1, reads too). Create the first writer's once; it prints the secret:"
	@echo "  $(BIN)/incidentlog tokens create $$(whoami) --role authority"
	$(BIN)/incidentlog serve --host $(HOST) --port $(PORT)

## The whole suite, on SQLite and PostgreSQL (required when CI=true).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## Re-run the README's tour and write what it prints into README.md.
readme: $(STAMP)
	$(BIN)/python -m tools.readme_tour

## Photograph the page for the README (Chromium from apt-get install chromium).
screenshot: $(STAMP)
	$(BIN)/python -m tools.screenshot

## The benchmark against the limit on a synthetic log of SIZE events, on each of
## STORES (sqlite,postgres): table printed, figures in benchmarks/results/bench-SIZE.json.
SIZE ?= 10000
STORES ?= sqlite,postgres
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --size $(SIZE) --stores $(STORES)

## Time from moving the "as of" slider to the page updated, on 100,000 events.
bench-slider: $(STAMP)
	$(BIN)/python -m benchmarks.slider --events 100000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
