#!/usr/bin/env bash
# Repair a venv on the volume whose python broke on a pod from another image
# (".venv/bin/python: No such file or directory", exit code 127).
# Usage: bash repair-venv.sh [VENV_DIR]   (default .venv; PYTHON=python3.12 picks the base)
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

# Installed packages live in lib/pythonX.Y/, usable only by that same X.Y.
want="$(sed -nE '/^(version|version_info) *=/{s/^[a-z_]+ *= *([0-9]+\.[0-9]+).*/\1/p;q}' "$VENV/pyvenv.cfg")"
have="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[[ "$want" == "$have" ]] ||
  die "$VENV は Python $want 用ですが、$PYTHON は $have です。uv sync か poetry install で作り直してください。"

# The bin/python* links point at the old image's interpreter. venv leaves
# existing links alone, so remove them first; site-packages stay untouched.
find "$VENV/bin" -maxdepth 1 -name 'python*' -type l -delete
"$PYTHON" -m venv --without-pip "$VENV"
"$VENV/bin/python" -c 'import sys; print("直りました: Python", sys.version.split()[0])'
