#!/usr/bin/env bash
# このガイドのスクリプト（snippets/ の下）を、ボリュームの /workspace/guide に置きます。
# 2 回目からは、最新の版に更新します。
set -euo pipefail
GUIDE_REPO="${GUIDE_REPO:-https://github.com/runpod-kaggle/guide}"
DEST="${WORKSPACE:-/workspace}/guide"
if [[ -d "$DEST/.git" ]]; then
  git -C "$DEST" pull --ff-only --quiet
else
  git clone --quiet --depth 1 "$GUIDE_REPO" "$DEST"
fi
echo "スクリプトはここにあります: $DEST/snippets"
