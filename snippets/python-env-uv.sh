#!/usr/bin/env bash
# uv: the project's ./.venv is on the volume, and so is uv's download cache.
set -euo pipefail
WORKSPACE="${WORKSPACE:-/workspace}"
# Runpod's official images already set this; other images need it.
export UV_CACHE_DIR="${UV_CACHE_DIR:-$WORKSPACE/.cache/uv}"
cd "$WORKSPACE/${PROJECT:-my-competition}"

# First pod: downloads into the cache and creates ./.venv.
# Next pods: ./.venv is already complete, so this needs no network.
uv sync
uv run python -c 'import sys; print("venv:", sys.prefix)'

# If ./.venv was deleted, `uv sync --offline` rebuilds it from the cache.
