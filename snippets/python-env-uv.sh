#!/usr/bin/env bash
# uv: 仮想環境（./.venv）も、ダウンロードのキャッシュも、ボリュームに置きます。
set -euo pipefail
WORKSPACE="${WORKSPACE:-/workspace}"
# Runpod の公式イメージでは設定済みです。ほかのイメージのための指定です。
export UV_CACHE_DIR="${UV_CACHE_DIR:-$WORKSPACE/.cache/uv}"
cd "$WORKSPACE/${PROJECT:-my-competition}"

# 1 台目の Pod: キャッシュにダウンロードして ./.venv を作ります。
# 2 台目から: ./.venv ができているので、ネットワークを使いません。
uv sync
uv run python -c 'import sys; print("venv:", sys.prefix)'

# ./.venv を消してしまっても、uv sync --offline でキャッシュから作り直せます。
