#!/usr/bin/env bash
# Run this first on every new pod: Kaggle credentials, git identity, tools.
# Safe to run again: whatever is already in place is left untouched.
#
# Expects the pod's env (set from Runpod Secrets when the pod is created):
#   KAGGLE_API_TOKEN           the Kaggle API token (preferred), or
#   RUNPOD_SECRET_kaggle_json  the contents of kaggle.json (older style)
#   GIT_USER_NAME, GIT_USER_EMAIL  optional: your git name and e-mail
set -euo pipefail

WORKSPACE="${WORKSPACE:-/workspace}"
# Keep download caches on the network volume so the next pod reinstalls fast.
# Runpod's official images already set these; keep theirs when present.
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$WORKSPACE/.cache/pip}"
export UV_CACHE_DIR="${UV_CACHE_DIR:-$WORKSPACE/.cache/uv}"

APT_PACKAGES=(fish tmux htop)
PIP_PACKAGES=(poetry uv "kaggle>=2")

step() { printf '[%s/5] %s\n' "$1" "$2"; }
note() { printf '      %s\n' "$1"; }
die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

# Temp files are removed on any exit, so a failed run leaves no half-written
# credential file behind.
TMP_FILES=()
cleanup() { if ((${#TMP_FILES[@]})); then rm -f -- "${TMP_FILES[@]}"; fi; }
trap cleanup EXIT

# Move a finished temp file into place, unless the target already has the same
# content (then the target, and its timestamp, stay as they are).
install_file() {
  local tmp="$1" target="$2"
  chmod 600 "$tmp"
  if [[ -f "$target" ]] && cmp -s "$tmp" "$target"; then
    rm -f -- "$tmp"
    chmod 600 "$target"
    note "変更なし: $target"
  else
    mv -f -- "$tmp" "$target"
    note "書き込みました: $target"
  fi
}

# Make a temp file next to its target (same folder, so `mv` is atomic); sets CRED_TMP.
new_tmp() {
  CRED_TMP="$(mktemp "$1/.setup.XXXXXX")"
  TMP_FILES+=("$CRED_TMP")
}

# ---------------------------------------------------------------------------
step 1 "作業フォルダとキャッシュを確認しています…"
if [[ -z "${HOME:-}" ]] || ! mkdir -p -- "$HOME" 2>/dev/null || [[ ! -w "$HOME" ]]; then
  die "ホームフォルダ (HOME=${HOME:-未設定}) に書き込めません。HOME を確認してください。"
fi
mkdir -p -- "$WORKSPACE" "$PIP_CACHE_DIR" "$UV_CACHE_DIR" 2>/dev/null ||
  die "WORKSPACE ($WORKSPACE) にフォルダを作れません。ボリュームがマウントされているか確認してください。"
note "WORKSPACE=$WORKSPACE"
# Only a mounted volume outlives the pod; a plain folder is lost with it.
if command -v mountpoint >/dev/null && ! mountpoint -q "$WORKSPACE"; then
  note "注意: $WORKSPACE はボリュームではありません。Pod を終了すると中身が消えます。"
fi

# ---------------------------------------------------------------------------
step 2 "Kaggle の認証情報を設定しています…"
# Credentials: only the owner may read them (files 600, folder 700).
old_umask="$(umask)"
umask 077
KAGGLE_DIR="$HOME/.kaggle"
mkdir -p -- "$KAGGLE_DIR" 2>/dev/null || die "$KAGGLE_DIR を作れません。HOME を確認してください。"
chmod 700 "$KAGGLE_DIR"

if [[ -n "${KAGGLE_API_TOKEN+set}" ]]; then
  # kaggle >= 2 reads KAGGLE_API_TOKEN first, then ~/.kaggle/access_token.
  # We write the file too: programs that do not inherit the pod's env (cron,
  # `env -i`, some editor or notebook setups) still find the token there.
  [[ -n "${KAGGLE_API_TOKEN//[[:space:]]/}" ]] || die "シークレット KAGGLE_API_TOKEN が空です。Runpod の Secrets を確認してください。"
  [[ "$KAGGLE_API_TOKEN" != "{{"* ]] ||
    die "KAGGLE_API_TOKEN がシークレットの値に置き換わっていません。Secrets の名前を確認してください。"
  new_tmp "$KAGGLE_DIR"
  printf '%s' "$KAGGLE_API_TOKEN" >"$CRED_TMP"
  install_file "$CRED_TMP" "$KAGGLE_DIR/access_token"
elif [[ -n "${RUNPOD_SECRET_kaggle_json+set}" ]]; then
  # Older style: the whole kaggle.json as one secret. Check it before writing;
  # python reads the value from the env, so it never shows up in argv or output.
  new_tmp "$KAGGLE_DIR"
  python3 - "$CRED_TMP" <<'PY' || exit 1
import json, os, sys

raw = os.environ["RUNPOD_SECRET_kaggle_json"]
name = "RUNPOD_SECRET_kaggle_json"
try:
    data = json.loads(raw) if raw.strip() else None
except ValueError:
    sys.exit(f"エラー: シークレット {name} が JSON として読めません。kaggle.json の中身をそのまま登録してください。")
if data is None:
    sys.exit(f"エラー: シークレット {name} が空です。Runpod の Secrets を確認してください。")
if not isinstance(data, dict) or not all(
    isinstance(data.get(k), str) and data[k] for k in ("username", "key")
):
    sys.exit(f"エラー: シークレット {name} に username と key がありません。kaggle.json の中身を確認してください。")
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(raw)  # exactly as stored in the secret
PY
  install_file "$CRED_TMP" "$KAGGLE_DIR/kaggle.json"
else
  die "シークレット KAGGLE_API_TOKEN (または RUNPOD_SECRET_kaggle_json) が設定されていません。Pod の環境変数を確認してください。"
fi
umask "$old_umask"

# ---------------------------------------------------------------------------
step 3 "git の名前とメールを設定しています…"
if [[ -n "${GIT_USER_NAME:-}" && -n "${GIT_USER_EMAIL:-}" ]]; then
  # Only write when different: git rewrites ~/.gitconfig on every call.
  if [[ "$(git config --global user.name || true)" != "$GIT_USER_NAME" ]]; then
    git config --global user.name "$GIT_USER_NAME"
  fi
  if [[ "$(git config --global user.email || true)" != "$GIT_USER_EMAIL" ]]; then
    git config --global user.email "$GIT_USER_EMAIL"
  fi
  note "設定済み: $GIT_USER_NAME"
else
  note "GIT_USER_NAME / GIT_USER_EMAIL が未設定なので飛ばします。"
fi

# ---------------------------------------------------------------------------
step 4 "パッケージ (${APT_PACKAGES[*]}) をインストールしています…"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" != "installed" ]]; then
    missing+=("$pkg")
  fi
done
# No `apt-get upgrade`: it is slow and may change libraries the image's CUDA
# and PyTorch were built against.
if ((${#missing[@]})); then
  [[ "$(id -u)" -eq 0 ]] || die "パッケージのインストールには root 権限が必要です。root で実行してください。"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  note "インストール済みなので飛ばします。"
fi

# ---------------------------------------------------------------------------
step 5 "Python のツール (poetry, uv, kaggle) をインストールしています…"
# kaggle 2.x (token support) needs Python 3.11+; on older Python pip would
# quietly pick kaggle 1.x instead.
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "kaggle 2.x には Python 3.11 以上が必要です。Python 3.11 以上のイメージを使ってください。"
if python3 - <<'PY'
import importlib.metadata as md, sys
try:
    ok = int(md.version("kaggle").split(".")[0]) >= 2 and md.version("poetry") and md.version("uv")
except md.PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PY
then
  note "インストール済みなので飛ばします。"
else
  python3 -m pip install --quiet --root-user-action=ignore "${PIP_PACKAGES[@]}"
fi

echo "セットアップが終わりました。"
