#!/usr/bin/env bash
# Poetry: 仮想環境をプロジェクトの中（ボリュームの ./.venv）に作ります。
# 標準の ~/.cache/pypoetry は、次の Pod では消えています。
set -euo pipefail
cd "${WORKSPACE:-/workspace}/${PROJECT:-my-competition}"

# poetry.toml（[virtualenvs] in-project = true）を書きます。このファイルはコミットします。
# （Poetry 2 は、pyproject.toml の古い virtualenvs-in-project をエラーにします）
poetry config virtualenvs.in-project true --local

# 1 台目の Pod: ./.venv を作ってインストールします。2 台目から: ./.venv があるので何もしません。
poetry install
poetry run python -c 'import sys; print("venv:", sys.prefix)'
