#!/usr/bin/env bash
# 非公開の GitHub リポジトリを /workspace/<リポジトリ名> にクローンします（2 回目からは更新）。
# トークンは Secrets から環境変数 GITHUB_TOKEN で受け取り、ファイルにもログにも残しません。
# 使い方: bash clone-private.sh <持ち主>/<リポジトリ名>   （例: bash clone-private.sh taro/titanic）
set -euo pipefail

WORKSPACE="${WORKSPACE:-/workspace}"
die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

REPO="${1:-}"
[[ "$REPO" =~ ^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+$ && "$REPO" != */.* ]] ||
  die "<持ち主>/<リポジトリ名> を 1 つ指定してください（例: taro/titanic）。"
[[ -n "${GITHUB_TOKEN:-}" ]] ||
  die "GITHUB_TOKEN がありません。Pod の環境変数に GITHUB_TOKEN={{ RUNPOD_SECRET_github_token }} を書いて、Pod を作り直してください。"
[[ "$GITHUB_TOKEN" != *"{{"* ]] ||
  die "GITHUB_TOKEN が {{ RUNPOD_SECRET_... }} のままです。Secret の名前と、環境変数に書いた名前を見比べてください。"
# ユーザー名は、持ち主と違うとき（組織のリポジトリなど）だけ GITHUB_USER で指定します。
USER_NAME="${GITHUB_USER:-${REPO%%/*}}"
[[ "$USER_NAME" =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || die "GITHUB_USER がユーザー名の形ではありません。"
DEST="$WORKSPACE/${REPO#*/}"

# git は、この関数からトークンを受け取ります。.git/config に残るのはこの関数の文字だけで、
# トークンは Pod の環境変数から毎回読むので、次の Pod でも git pull がそのまま使えます。
HELPER="!f() { test \"\$1\" = get && echo username=$USER_NAME && echo \"password=\$GITHUB_TOKEN\"; }; f"
export GIT_TERMINAL_PROMPT=0  # トークンが違っても、パスワードを聞いて止まらないように

if [[ -d "$DEST/.git" ]]; then
  git -C "$DEST" pull --ff-only ||
    die "$DEST を更新できませんでした。上の git のメッセージを確認してください。"
  echo "最新にしました: $DEST"
  exit 0
fi
[[ ! -e "$DEST" ]] || die "$DEST がすでにあります（git のリポジトリではありません）。名前を確かめてください。"
git -c credential.helper= -c credential.helper="$HELPER" \
  clone "https://github.com/$REPO.git" "$DEST" ||
  die "クローンできませんでした。トークンにこのリポジトリの Contents の読み取り権限があるか確かめてください。"
git -C "$DEST" config credential.helper "$HELPER"
echo "クローンしました: $DEST"
