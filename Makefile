# stargate: `make run` sets everything up and runs the main job; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

HOST   ?= 127.0.0.1
PORT   ?= 8000
VENDOR := src/stargate/web/static/vendor

.PHONY: run test lint types check docs postgres chromium assets install install-dev bench clean

# The main job: set up, load the demo store, and serve the dashboard on loopback.
run: install assets
	$(BIN)/stargate init
	$(BIN)/stargate summary
	@echo ""
	@echo "Next, in another terminal:"
	@echo "  $(BIN)/stargate stress bubble-bursts        # who defaults and who loses if demand falls short"
	@echo "  $(BIN)/stargate ingest ARTICLE.txt --impact  # what a news article would change, before you accept it"
	@echo "  $(BIN)/stargate review list                  # candidate agreements, revisions and denials waiting for you"
	@echo ""
	$(BIN)/stargate serve --host $(HOST) --port $(PORT)

test: install-dev assets postgres chromium lint types
	STARGATE_REQUIRE_BROWSER=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: install-dev
	$(BIN)/mypy

docs: install
	$(BIN)/python -m stargate.cli.reference > docs/cli.md

bench: install-dev
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "stargate needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# The dashboard's front-end libraries, from pinned npm packages (checked against their integrity).
assets: $(VENDOR)/.built

$(VENDOR)/.built: src/stargate/web/assets.py | $(VENV)/.installed
	@command -v npm >/dev/null 2>&1 || { echo "installing npm from Debian's packages"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	$(BIN)/python -m stargate.web.assets
	@touch $@

# Headless Chromium for the browser tests (Debian's package; Playwright drives it).
chromium:
	@if command -v chromium >/dev/null 2>&1; then \
		echo "Chromium found"; \
	else \
		echo "installing Chromium from Debian's packages"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# A PostgreSQL server for the test suite (it starts and stops its own cluster on loopback).
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
		echo "PostgreSQL server binaries found"; \
	else \
		echo "installing the PostgreSQL server from Debian's packages"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist $(VENDOR) test-artifacts
