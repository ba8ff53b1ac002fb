#!/usr/bin/env bash
# コンペのデータを /workspace/<コンペ名>/input/ にダウンロードして展開します。
# 使い方: bash kaggle-download.sh <コンペ名>   （例: bash kaggle-download.sh titanic）
# 先にコンペのページでルールに同意（Join Competition）し、setup.sh を実行しておきます。
set -euo pipefail

WORKSPACE="${WORKSPACE:-/workspace}"
die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

COMPETITION="${1:-}"
# コンペ名は、コンペの URL の最後の部分です（kaggle.com/competitions/<コンペ名>）。
[[ "$COMPETITION" =~ ^[a-z0-9][a-z0-9-]*$ ]] ||
  die "コンペ名を 1 つ指定してください。コンペの URL の最後の部分です（例: titanic）。"
INPUT="$WORKSPACE/$COMPETITION/input"
DONE="$INPUT/.download-complete"

# ボリュームにあるので、次の Pod ではダウンロードし直しません。
if [[ -f "$DONE" ]]; then
  echo "ダウンロード済みです: $INPUT"
  exit 0
fi
command -v kaggle >/dev/null || die "kaggle コマンドがありません。先に setup.sh を実行してください。"
command -v unzip >/dev/null || die "unzip がありません。apt-get install unzip で入れてください。"
mkdir -p -- "$INPUT" 2>/dev/null || die "$INPUT を作れません。ボリュームがつながっているか確認してください。"

kaggle competitions download "$COMPETITION" -p "$INPUT" ||
  die "ダウンロードできませんでした。403 と出たら、コンペのページでルールに同意（Join Competition）してください。"
ZIP="$INPUT/$COMPETITION.zip"
if [[ -f "$ZIP" ]]; then
  unzip -q -o "$ZIP" -d "$INPUT" ||
    die "展開できませんでした。df -h $WORKSPACE でボリュームの空きを確認してください。"
  rm -f -- "$ZIP"  # 展開したら zip は消して、ボリュームの容量を節約します
fi
touch "$DONE"
echo "用意できました: $INPUT"
