# The project's verbs. Each one bootstraps what it needs on first use:
# a .venv pinned by uv.lock, and node_modules pinned by package-lock.json.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export NO_MKDOCS_2_WARNING := 1
# Bytecode is cached in __pycache__ (git ignores it): without it every xdist worker and every
# snippet subprocess compiled our modules again (~40 s of CPU per `make test`), so a
# PYTHONDONTWRITEBYTECODE from the shell is not passed on.
unexport PYTHONDONTWRITEBYTECODE

PORT ?= 8000

.PHONY: help prerequisites serve build test lint live live-local live-env sweep fake bench \
	lighthouse notebooks drift mutants hostile clean
# Verbs run their steps in order even under -j: the prerequisites check must come first.
.NOTPARALLEL:

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The machine's own python3, before .venv exists: a missing package stops the run at once,
# with one message naming it (system-packages.txt), instead of minutes into the suite.
prerequisites: ## check that this machine has what `make test` needs (system-packages.txt)
	@$(PYTHON) -m scripts.prerequisites test

prerequisites-serve:
	@$(PYTHON) -m scripts.prerequisites serve

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Compile the dependencies' bytecode once, at install (our own modules: on first use).
$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --all-groups --quiet --compile-bytecode
	@touch $@

node_modules/.installed: package.json package-lock.json
	CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# serve/build/test need node_modules too: the build draws the pages' Mermaid diagrams as
# inline SVG with an npm package (site_hooks/diagrams.py), so readers load no diagram library.
serve: prerequisites-serve $(VENV)/.synced node_modules/.installed ## serve the site at http://127.0.0.1:8000/guide/ (PORT=8001: another port), live reload; Ctrl+C stops it
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT) --watch snippets --watch notebooks

build: $(VENV)/.synced node_modules/.installed ## build the site into site/ (strict: any warning fails)
	$(BIN)/mkdocs build --strict --quiet

# pytest-xdist: many tests mostly wait (fake pods booting, replays on the fake's scaled clock,
# SSH), so three workers per core keep the cores busy. The first hand-out starts the longest
# files first, spread evenly (tests/fixtures/schedule.py); worksteal balances the rest. Each
# worker has its own fake Runpod.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 3 )))
test: prerequisites $(VENV)/.synced node_modules/.installed ## run the whole offline suite (fake Runpod, notebooks, site, browser)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --cov=snippets --cov-report=term-missing --cov-fail-under=100 $(PYTEST_ARGS)

lint: $(VENV)/.synced node_modules/.installed ## textlint, markdownlint, shellcheck, ruff, actionlint, zizmor
	$(BIN)/python -m scripts.lint

live: $(VENV)/.synced ## replay the guide on a real pod (needs RUNPOD_API_KEY; ARGS=--plan: dry run)
	$(BIN)/python -m live.replay --target real $(ARGS)

live-local: $(VENV)/.synced ## the same replay against the local fake Runpod (realistic, scaled clock)
	$(BIN)/python -m live.replay --target fake $(ARGS)

# The frequent sweep job (.github/workflows/sweep.yml) installs only this: no site or test tools.
live-env: $(BIN)/uv ## only what the replay and the sweeper need (the reader's packages and the live group)
	$(BIN)/uv sync --frozen --no-default-groups --group live --quiet

sweep: $(VENV)/.synced ## list leftover kgl-live-* resources (add ARGS=--yes to delete)
	$(BIN)/python -m live.sweep $(ARGS)

fake: $(VENV)/.synced ## run the local fake Runpod and print its URL
	$(BIN)/python -m fake_runpod

bench: $(VENV)/.synced node_modules/.installed ## build time, page sizes, Lighthouse, axe, test time per file (ARGS=--help)
	$(BIN)/python -m scripts.bench $(ARGS)

lighthouse: build ## Lighthouse on every page of the build, phone and desktop (the nightly run)
	$(BIN)/python -m scripts.lighthouse site

notebooks: $(VENV)/.synced ## re-run the notebooks against the fake Runpod and store their outputs
	$(BIN)/python -m scripts.notebooks $(ARGS)

drift: $(VENV)/.synced ## check the guide's sources for changes since they were read (reports/drift.json)
	$(BIN)/python -m scripts.drift $(ARGS)

mutants: $(VENV)/.synced ## break each risky promise on purpose and show that its test fails
	$(BIN)/python -m scripts.mutants $(ARGS)

hostile: $(VENV)/.synced ## hostile input through every snippet command: print the table
	$(BIN)/python -m scripts.hostile

clean: ## remove build output (keeps .venv and node_modules)
	rm -rf site .pytest_cache .coverage reports
