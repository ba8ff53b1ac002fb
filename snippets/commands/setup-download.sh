#!/usr/bin/env bash
# このガイドのセットアップスクリプトをダウンロードして実行します（新しい Pod で最初に）。
set -euo pipefail
GUIDE_URL="${GUIDE_URL:-https://runpod-kaggle.github.io/guide/}"
curl -fsSL "${GUIDE_URL%/}/downloads/setup.sh" -o "${TMPDIR:-/tmp}/setup.sh"
bash "${TMPDIR:-/tmp}/setup.sh"
