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

# Kaggle CLI を画面に出しながら実行します。成否は終了コードと、成功したときだけ
# 表示される URL の行で決めます（ファイル名などに含まれる "error" の語では決めません）。
LOG="$(mktemp)"
trap 'rm -f -- "$LOG"' EXIT
upload() {  # 使い方: upload <成功の行（正規表現）> <コマンド...>
  local success="$1" status=0 failed
  shift
  "$@" | tee "$LOG" || status=$?
  URL="$(grep -E -- "$success" "$LOG" | tail -n 1 | grep -oE 'https://[^ ]+$')" || URL=""
  if [[ -z "$URL" ]]; then
    # タグだけが無効なとき、CLI は URL を表示しませんが、バージョンはできていることがあります。
    if grep -q '^The following are not valid tags' "$LOG"; then
      die "無効なタグがありました。バージョンはできている可能性があります。https://www.kaggle.com/datasets/$DATASET で確かめてから、dataset-metadata.json の keywords を直してください。"
    fi
    return 1
  fi
  failed="$(sed -n 's/^Upload unsuccessful: //p' "$LOG" | paste -sd ' ' -)"
  [[ -z "$failed" ]] ||
    die "バージョンはできましたが、次のファイルが入っていません（$failed）。もう一度実行すると、全部のファイルで新しいバージョンを作ります。"
  if [[ "$status" != 0 ]]; then
    echo "注意: Kaggle CLI は終了コード $status で終わりましたが、アップロードは済んでいます。" >&2
  fi
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
  upload '^Dataset version is being created\. Please check progress at https://[^ ]+$' \
    kaggle datasets version -p "$FOLDER" -m "$NOTES" -r zip ||
    die "新しいバージョンを作れませんでした。上のメッセージを確認してください。"
  echo "新しいバージョンをアップロードしました: $URL"
else
  upload '^Your private Dataset is being created\. Please check progress at https://[^ ]+$' \
    kaggle datasets create -p "$FOLDER" -r zip ||
    die "Dataset を作れませんでした。上のメッセージを確認してください。"
  echo "非公開の Dataset を作りました: $URL"
fi
