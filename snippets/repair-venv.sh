#!/usr/bin/env bash
# 別のイメージの Pod で動かなくなった、ボリュームの仮想環境を直します
# （".venv/bin/python: No such file or directory"、終了コード 127）。
# 使い方: bash repair-venv.sh [仮想環境のフォルダ]（既定は .venv。PYTHON=python3.12 で元の Python を指定）
set -euo pipefail
VENV="${1:-.venv}"
PYTHON="${PYTHON:-python3}"
die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

[[ -f "$VENV/pyvenv.cfg" ]] || die "$VENV は venv ではありません (pyvenv.cfg がありません)。"
if "$VENV/bin/python" -c '' 2>/dev/null; then
  echo "$VENV は動いています。直す必要はありません。"
  exit 0
fi
command -v "$PYTHON" >/dev/null || die "$PYTHON が見つかりません。"

# 入れたライブラリは lib/pythonX.Y/ にあり、同じ X.Y の Python でしか使えません。
want="$(sed -nE '/^(version|version_info) *=/{s/^[a-z_]+ *= *([0-9]+\.[0-9]+).*/\1/p;q}' "$VENV/pyvenv.cfg")"
have="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[[ "$want" == "$have" ]] ||
  die "$VENV は Python $want 用ですが、$PYTHON は $have です。uv sync か poetry install で作り直してください。"

# bin/python* は古いイメージの Python へのリンクです。venv は既存のリンクを書き換えないので、
# 先に消します。入れたライブラリ（site-packages）はそのまま残ります。
find "$VENV/bin" -maxdepth 1 -name 'python*' -type l -delete
"$PYTHON" -m venv --without-pip "$VENV"
"$VENV/bin/python" -c 'import sys; print("直りました: Python", sys.version.split()[0])'
