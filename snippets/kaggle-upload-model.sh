#!/usr/bin/env bash
# 学習したモデルのフォルダを、Kaggle の非公開 Model にアップロードします。
# 1 回目は Model とバリエーションを作り、2 回目からは新しいバージョンを足します。
# 使い方: bash kaggle-upload-model.sh <フォルダ> <ユーザー名>/<Model名>/<フレームワーク>/<バリエーション名> "<メモ>"
#   例: bash kaggle-upload-model.sh /workspace/titanic/output/exp001 taro/titanic-model/pytorch/exp001 "5 fold"
set -euo pipefail

die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

FOLDER="${1:-}" VARIATION="${2:-}" NOTES="${3:-}"
[[ -n "$FOLDER" && -d "$FOLDER" ]] || die "アップロードするフォルダを指定してください（指定: ${FOLDER:-なし}）。"
[[ "$VARIATION" =~ ^([a-z0-9][a-z0-9_-]*)/([a-z0-9][a-z0-9-]*)/([A-Za-z0-9]+)/([a-z0-9][a-z0-9_-]*)$ ]] ||
  die "2 つ目は <ユーザー名>/<Model名>/<フレームワーク>/<バリエーション名> です（例: taro/titanic-model/pytorch/exp001）。"
OWNER="${BASH_REMATCH[1]}" MODEL="${BASH_REMATCH[2]}" FRAMEWORK="${BASH_REMATCH[3]}" SLUG="${BASH_REMATCH[4]}"
[[ -n "${NOTES//[[:space:]]/}" ]] || die "3 つ目に、このバージョンのメモ（何を変えたか）を書いてください。"
command -v kaggle >/dev/null || die "kaggle コマンドがありません。先に setup.sh を実行してください。"

# 画面に出しながら実行します。Kaggle CLI はエラーでも終了コード 0 で
# "... error: ..." と表示することがあるので、その表示も失敗として扱います。
run() {
  local log status=0
  log="$(mktemp)"
  "$@" 2>&1 | tee "$log" || status=$?
  if grep -q -i "error" "$log"; then status=1; fi
  rm -f -- "$log"
  return "$status"
}

# 設定ファイルを書きます（値は引数からだけ作るので、引用符などで崩れません）。
write_json() {
  python3 - "$@" <<'PY'
import json, os, sys

path, pairs = sys.argv[1], sys.argv[2:]
meta = dict(zip(pairs[::2], pairs[1::2]))
if os.path.basename(path) == "model-metadata.json":
    meta["isPrivate"] = True  # Model は非公開で作ります
with open(path, "w", encoding="utf-8") as f:
    json.dump(meta, f, ensure_ascii=False, indent=2)
PY
}

WORK="$(mktemp -d)"
trap 'rm -rf -- "$WORK"' EXIT

# 1. Model がまだなければ作ります（非公開）。
if ! kaggle models get "$OWNER/$MODEL" -p "$WORK" >/dev/null 2>&1; then
  write_json "$WORK/model-metadata.json" ownerSlug "$OWNER" slug "$MODEL" title "$MODEL" \
    description "Runpod で学習したモデル"
  run kaggle models create -p "$WORK" || die "Model を作れませんでした。上のメッセージを確認してください。"
fi

# 2. バリエーションがあれば新しいバージョンを足し、なければ作ります（これが 1 つ目のバージョン）。
if kaggle models variations get "$VARIATION" -p "$WORK" >/dev/null 2>&1; then
  run kaggle models variations versions create "$VARIATION" -p "$FOLDER" -n "$NOTES" -r zip ||
    die "新しいバージョンを作れませんでした。上のメッセージを確認してください。"
else
  write_json "$FOLDER/model-instance-metadata.json" ownerSlug "$OWNER" modelSlug "$MODEL" \
    instanceSlug "$SLUG" framework "$FRAMEWORK" licenseName "Apache 2.0" overview "$NOTES"
  run kaggle models variations create -p "$FOLDER" -r zip ||
    die "バリエーションを作れませんでした。上のメッセージを確認してください。"
fi
echo "アップロードしました: https://www.kaggle.com/models/$OWNER/$MODEL"
