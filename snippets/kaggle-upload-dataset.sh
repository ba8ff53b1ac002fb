#!/usr/bin/env bash
# 学習したモデルのフォルダを、Kaggle の非公開 Dataset にアップロードします。
# 1 回目は Dataset を作り、2 回目からは同じ Dataset に新しいバージョンを足します。
# 使い方: bash kaggle-upload-dataset.sh <フォルダ> <ユーザー名>/<Dataset名> "<メモ>"
#   例: bash kaggle-upload-dataset.sh /workspace/titanic/output/exp001 taro/titanic-exp001 "5 fold"
set -euo pipefail

die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

FOLDER="${1:-}" DATASET="${2:-}" NOTES="${3:-}"
[[ -n "$FOLDER" && -d "$FOLDER" ]] || die "アップロードするフォルダを指定してください（指定: ${FOLDER:-なし}）。"
# Dataset 名（URL の一部）は 6〜50 文字の英小文字・数字・ハイフンです。
[[ "$DATASET" =~ ^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9-]{4,48}[a-z0-9]$ ]] ||
  die "2 つ目は <ユーザー名>/<Dataset名> です（Dataset名は 6〜50 文字の英小文字・数字・ハイフン）。"
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

# Dataset の設定ファイル。なければ作ります（ライセンスは Kaggle の初期値の CC0）。
META="$FOLDER/dataset-metadata.json"
python3 - "$META" "$DATASET" <<'PY' || exit 1
import json, sys

path, ref = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
except FileNotFoundError:
    meta = {"title": ref.split("/")[1], "id": ref, "licenses": [{"name": "CC0-1.0"}]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=2)
except (ValueError, RecursionError, UnicodeDecodeError):
    sys.exit(f"エラー: {path} が JSON として読めません。消してから、もう一度実行してください。")
if not isinstance(meta, dict) or meta.get("id") != ref:
    sys.exit(f"エラー: {path} の id が {ref} ではありません。別の Dataset 用のフォルダではないか確認してください。")
PY

# もうある Dataset なら新しいバージョン、なければ新しい Dataset（非公開）にします。
if kaggle datasets status "$DATASET" >/dev/null 2>&1; then
  run kaggle datasets version -p "$FOLDER" -m "$NOTES" -r zip ||
    die "新しいバージョンを作れませんでした。上のメッセージを確認してください。"
  echo "新しいバージョンをアップロードしました: https://www.kaggle.com/datasets/$DATASET"
else
  run kaggle datasets create -p "$FOLDER" -r zip ||
    die "Dataset を作れませんでした。上のメッセージを確認してください。"
  echo "非公開の Dataset を作りました: https://www.kaggle.com/datasets/$DATASET"
fi
