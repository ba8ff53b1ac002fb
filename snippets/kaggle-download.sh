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
# zip は input の外に置きます。展開したファイルと同じ名前でも、消してしまわないためです。
ZIPS="$WORKSPACE/$COMPETITION/.kaggle-download"
DONE="$WORKSPACE/$COMPETITION/.input-complete"

# ボリュームにあるので、次の Pod ではダウンロードし直しません。
if [[ -f "$DONE" || -f "$INPUT/.download-complete" ]]; then
  echo "ダウンロード済みです: $INPUT"
  exit 0
fi
command -v kaggle >/dev/null || die "kaggle コマンドがありません。先に setup.sh を実行してください。"
command -v unzip >/dev/null || die "unzip がありません。apt-get install unzip で入れてください。"
mkdir -p -- "$INPUT" "$ZIPS" 2>/dev/null ||
  die "$INPUT を作れません。ボリュームがつながっているか確認してください。"

# 途中で止まっても、次の実行は続きからダウンロードします。
kaggle competitions download "$COMPETITION" -p "$ZIPS" ||
  die "ダウンロードできませんでした。403 と出たら、コンペのページでルールに同意（Join Competition）してください。"
shopt -s nullglob
downloaded=("$ZIPS"/*)
(( ${#downloaded[@]} > 0 )) || die "ダウンロードしたファイルが見つかりません。もう一度実行してください。"
for file in "${downloaded[@]}"; do
  if [[ "$file" == *.zip ]]; then
    unzip -q -o "$file" -d "$INPUT" ||
      die "展開できませんでした。df -h $WORKSPACE でボリュームの空きを確認してから、もう一度実行してください。"
  else
    mv -f -- "$file" "$INPUT/"
  fi
done
rm -rf -- "$ZIPS"  # 展開し終えた zip だけを消して、ボリュームの容量を節約します
touch -- "$DONE"
echo "用意できました: $INPUT"
