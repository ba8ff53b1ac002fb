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

WORK="$(mktemp -d)"
trap 'rm -rf -- "$WORK"' EXIT

# Kaggle CLI を画面に出しながら実行します。成否は終了コードと、成功したときだけ
# 表示される URL の行で決めます（ファイル名などに含まれる "error" の語では決めません）。
upload() {  # 使い方: upload <成功の行（正規表現）> <コマンド...>
  local success="$1" status=0 failed
  shift
  "$@" | tee "$WORK/log" || status=$?
  URL="$(grep -E -- "$success" "$WORK/log" | tail -n 1 | grep -oE 'https://[^ ]+$')" || URL=""
  [[ -n "$URL" ]] || return 1
  failed="$(sed -n 's/^Upload unsuccessful: //p' "$WORK/log" | paste -sd ' ' -)"
  [[ -z "$failed" ]] ||
    die "バージョンはできましたが、次のファイルが入っていません（$failed）。もう一度実行すると、全部のファイルで新しいバージョンを作ります。"
  if [[ "$status" != 0 ]]; then
    echo "注意: Kaggle CLI は終了コード $status で終わりましたが、アップロードは済んでいます。" >&2
  fi
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

# 1. Model がまだなければ作ります（非公開）。
if ! kaggle models get "$OWNER/$MODEL" -p "$WORK" >/dev/null 2>&1; then
  write_json "$WORK/model-metadata.json" ownerSlug "$OWNER" slug "$MODEL" title "$MODEL" \
    description "Runpod で学習したモデル"
  upload '^Your model was created\. Id=[0-9]+\. Url=https://[^ ]+$' kaggle models create -p "$WORK" ||
    die "Model を作れませんでした。上のメッセージを確認してください。"
fi

# 2. バリエーションがあれば新しいバージョンを足し、なければ作ります（これが 1 つ目のバージョン）。
if kaggle models variations get "$VARIATION" -p "$WORK" >/dev/null 2>&1; then
  upload '^Your model instance version was created\. Url=https://[^ ]+$' \
    kaggle models variations versions create "$VARIATION" -p "$FOLDER" -n "$NOTES" -r zip ||
    die "新しいバージョンを作れませんでした。上のメッセージを確認してください。"
else
  write_json "$FOLDER/model-instance-metadata.json" ownerSlug "$OWNER" modelSlug "$MODEL" \
    instanceSlug "$SLUG" framework "$FRAMEWORK" licenseName "Apache 2.0" overview "$NOTES"
  upload '^Your model instance was created\. Id=[0-9]+\. Url=https://[^ ]+$' \
    kaggle models variations create -p "$FOLDER" -r zip ||
    die "バリエーションを作れませんでした。上のメッセージを確認してください。"
fi
echo "アップロードしました: $URL"
