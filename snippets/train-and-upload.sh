#!/usr/bin/env bash
# 学習して、うまくいったらモデルのフォルダを Kaggle の Dataset にアップロードします。
# auto-stop.sh と組み合わせると、アップロードが済んでから Pod が終了します。
# 使い方: bash train-and-upload.sh <モデルのフォルダ> <ユーザー名>/<Dataset名> <学習のコマンド...>
#   例: bash train-and-upload.sh output/exp001 taro/titanic-exp001 timeout 8h python train.py
set -euo pipefail

die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }
HERE="$(cd "$(dirname -- "$0")" && pwd)"

FOLDER="${1:-}" DATASET="${2:-}"
(($# >= 3)) || die "モデルのフォルダ、<ユーザー名>/<Dataset名>、学習のコマンドの順に書いてください。"
shift 2
# 学習の前に確かめます。何時間も学習してから、アップロードで失敗しないためです。
[[ "$DATASET" =~ ^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9-]{4,48}[a-z0-9]$ ]] ||
  die "2 つ目は <ユーザー名>/<Dataset名> です（Dataset名は 6〜50 文字の英小文字・数字・ハイフン）。"
command -v kaggle >/dev/null || die "kaggle コマンドがありません。先に setup.sh を実行してください。"
[[ -n "${KAGGLE_API_TOKEN:-}" || -s "$HOME/.kaggle/access_token" || -s "$HOME/.kaggle/kaggle.json" ]] ||
  die "Kaggle の認証情報がありません。先に setup.sh を実行してください。"
command -v -- "$1" >/dev/null || die "学習のコマンド $1 が見つかりません。"

echo "学習を始めます: $*"
status=0
"$@" || status=$?
if ((status == 124)); then
  die "学習が時間切れ（timeout）で止まりました。モデルはアップロードしません。"
elif ((status != 0)); then
  die "学習が終了コード $status で失敗しました。モデルはアップロードしません。"
fi
[[ -d "$FOLDER" && -n "$(ls -A -- "$FOLDER")" ]] ||
  die "学習は終わりましたが、$FOLDER にモデルがありません。保存先を確かめてください。"

# バージョンのメモには、学習のコマンドを残します。
bash "$HERE/kaggle-upload-dataset.sh" "$FOLDER" "$DATASET" "学習のコマンド: $*"
