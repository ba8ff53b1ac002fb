# The project's verbs. Each one bootstraps what it needs on first use:
# a .venv pinned by uv.lock, and node_modules pinned by package-lock.json.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help serve build test lint live live-local sweep fake bench clean

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Compile bytecode once: PYTHONDONTWRITEBYTECODE (above) would otherwise make every
# mkdocs/pytest start recompile ~1000 modules (~1.5 s per build).
$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --all-groups --quiet --compile-bytecode
	@touch $@

node_modules/.installed: package.json package-lock.json
	CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# serve/build/test need node_modules too: the build draws the pages' Mermaid diagrams as
# inline SVG with an npm package (site_hooks/diagrams.py), so readers load no diagram library.
serve: $(VENV)/.synced node_modules/.installed ## build and serve the site at http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --watch snippets --watch notebooks

build: $(VENV)/.synced node_modules/.installed ## build the site into site/ (strict: any warning fails)
	$(BIN)/mkdocs build --strict --quiet

# pytest-xdist: the tests mostly wait (fake pods booting, SSH, browsers), so two workers per
# core; worksteal hands the long replays out evenly. Each worker has its own fake Runpod.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
test: $(VENV)/.synced node_modules/.installed ## run the whole offline suite (fake Runpod, notebooks, site, browser)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --cov=snippets --cov-report=term-missing --cov-fail-under=100

lint: $(VENV)/.synced node_modules/.installed ## textlint, markdownlint, shellcheck, ruff, actionlint, zizmor
	$(BIN)/python -m scripts.lint

live: $(VENV)/.synced ## replay the guide on a real pod (needs RUNPOD_API_KEY; ARGS=--plan: dry run)
	$(BIN)/python -m live.replay --target real $(ARGS)

live-local: $(VENV)/.synced ## the same replay against the local fake Runpod (realistic, scaled clock)
	$(BIN)/python -m live.replay --target fake $(ARGS)

sweep: $(VENV)/.synced ## list leftover kgl-live-* resources (add ARGS=--yes to delete)
	$(BIN)/python -m live.sweep $(ARGS)

fake: $(VENV)/.synced ## run the local fake Runpod and print its URL
	$(BIN)/python -m fake_runpod

bench: $(VENV)/.synced node_modules/.installed ## build time, page sizes, test time, Lighthouse scores
	$(BIN)/python -m scripts.bench

clean: ## remove build output (keeps .venv and node_modules)
	rm -rf site .pytest_cache .coverage reports
