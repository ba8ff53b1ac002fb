#!/usr/bin/env bash
# Poetry: keep the venv inside the project (./.venv on the volume), not in
# ~/.cache/pypoetry, which is gone on the next pod.
set -euo pipefail
cd "${WORKSPACE:-/workspace}/${PROJECT:-my-competition}"

# Writes poetry.toml ([virtualenvs] in-project = true). Commit that file.
# (Poetry 2 rejects the old `virtualenvs-in-project` key in pyproject.toml.)
poetry config virtualenvs.in-project true --local

# First pod: creates ./.venv and installs. Next pods: finds ./.venv, nothing to do.
poetry install
poetry run python -c 'import sys; print("venv:", sys.prefix)'
