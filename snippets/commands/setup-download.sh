#!/usr/bin/env bash
# このガイドのセットアップスクリプトをダウンロードし、中身を確かめてから実行します（新しい Pod で最初に）。
# 全体を ( ) で囲んでいるので、ターミナルに貼り付けても、失敗したときに接続が切れません。
(
  set -euo pipefail
  GUIDE_URL="${GUIDE_URL:-https://runpod-kaggle.github.io/guide/}"
  # 公開している setup.sh の SHA-256。中身が 1 バイトでも違えば実行しません。
  SETUP_SHA256=a7add5f2c8c1bd74d5d560f4f6408ab5cc7a4fee9358c2c4b7d29a5bd6cc6bdf
  if [[ "$GUIDE_URL" != https://* ]]; then
    echo "エラー: GUIDE_URL は https:// で始まる URL にしてください（いまは $GUIDE_URL）。" >&2
    exit 1
  fi
  dir="$(mktemp -d)"
  trap 'rm -rf -- "$dir"' EXIT
  # https 以外へは転送させず、60 秒で打ち切ります。
  curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location --max-time 60 \
    "${GUIDE_URL%/}/downloads/setup.sh" -o "$dir/setup.sh"
  if ! echo "$SETUP_SHA256  $dir/setup.sh" | sha256sum --check --status; then
    echo "エラー: ダウンロードした setup.sh が、公開している SHA-256 と一致しません。実行せずに止めます。" >&2
    exit 1
  fi
  bash "$dir/setup.sh"
)
