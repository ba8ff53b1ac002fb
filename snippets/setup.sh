#!/usr/bin/env bash
# 新しい Pod で最初に 1 回実行します: Kaggle の認証情報、git の設定、よく使うツール、
# イメージに足りない torchvision。
# 何度実行しても大丈夫です（設定済みのものはそのまま残します）。
#
# Pod の環境変数（Secrets から渡します。名前は大文字にしてください）:
#   KAGGLE_API_TOKEN               Kaggle の API トークン（おすすめ）
#   KAGGLE_USERNAME と KAGGLE_KEY  古い方式の kaggle.json の中身（2 つとも）
#   GIT_USER_NAME, GIT_USER_EMAIL  git の名前とメールアドレス（任意）
set -euo pipefail

# ssh pod 'bash setup.sh' のように直接実行すると Pod の環境変数が届かないので、
# Runpod が書き出したファイルから、このスクリプトが使う変数だけを読み込みます。
if [[ -z "${KAGGLE_API_TOKEN:-}${KAGGLE_USERNAME:-}" && -r /etc/rp_environment ]]; then
  for name in KAGGLE_API_TOKEN KAGGLE_USERNAME KAGGLE_KEY GIT_USER_NAME GIT_USER_EMAIL; do
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    value="$(bash -c '. /etc/rp_environment >/dev/null 2>&1; printf %s "${!1-}"' _ "$name")"
    if [[ -n "$value" && -z "${!name:-}" ]]; then export "$name=$value"; fi
  done
fi

# ボリュームの場所（ふつうは /workspace）
WORKSPACE="${WORKSPACE:-/workspace}"
# ダウンロードのキャッシュはボリュームに置きます（公式イメージの設定があればそちらを使います）。
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$WORKSPACE/.cache/pip}"
export UV_CACHE_DIR="${UV_CACHE_DIR:-$WORKSPACE/.cache/uv}"

# 入れるもの。Python のツールは版を固定します（試した版と同じものが入るように）。
APT_PACKAGES=(fish tmux htop)
PIP_PACKAGES=(poetry==2.5.1 uv==0.13.9 kaggle==2.2.5)
# 推奨イメージの PyTorch と、それに合う torchvision（イメージには入っていません）。
TORCH_VERSION=2.9.1
TORCHVISION_VERSION=0.24.1
TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128

step() { printf '[%s/6] %s\n' "$1" "$2"; }
note() { printf '      %s\n' "$1"; }
warn() { printf '注意: %s\n' "$1" >&2; }
die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

# 途中で止まっても、書きかけのファイルを残しません。
TMP_FILES=()
cleanup() { if ((${#TMP_FILES[@]})); then rm -f -- "${TMP_FILES[@]}"; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v python3 >/dev/null || die "python3 が見つかりません。Runpod の公式イメージを使ってください。"

# 一時ファイルは書き込み先と同じフォルダに作ります（置き換えが一瞬で終わるように）。
new_tmp() {
  CRED_TMP="$(mktemp "$1/.setup-tmp.XXXXXX" 2>/dev/null)" ||
    die "$1 に一時ファイルを作れません。df -h でディスクの空きを確認してください。"
  TMP_FILES+=("$CRED_TMP")
}

# 書き終えた一時ファイルを置き換えます。中身が同じなら元のファイルをそのまま残します。
install_file() {
  local tmp="$1" target="$2"
  if [[ -L "$target" || -e "$target" ]] && [[ ! -f "$target" ]]; then
    die "$target がファイルではありません（フォルダなど）。中を確認して消してから、もう一度実行してください。"
  fi
  chmod 600 "$tmp"
  if [[ -f "$target" ]] && cmp -s "$tmp" "$target"; then
    rm -f -- "$tmp"
    chmod 600 "$target"
    note "変更なし: $target"
  else
    mv -fT -- "$tmp" "$target" || die "$target を書き込めません。"
    note "書き込みました: $target"
  fi
}

# 環境変数の値を確かめてから一時ファイルに書きます。値は画面に出しません。
# 使い方: write_secret token|pair|json 一時ファイル
write_secret() {
  python3 - "$@" <<'PY' || exit 1
import errno, json, os, re, sys

kind, tmp = sys.argv[1], sys.argv[2]
NAMES = {"token": ["KAGGLE_API_TOKEN"], "pair": ["KAGGLE_USERNAME", "KAGGLE_KEY"],
         "json": ["RUNPOD_SECRET_kaggle_json"]}
# {{ RUNPOD_SECRET_名前 }} が置き換わらずに残ったもの（前後に何があっても、閉じていなくても）
UNFILLED = re.compile(r"\{\{|RUNPOD_SECRET_")


def fail(message):
    sys.exit(f"エラー: {message}")


def read(name):
    raw = os.environb.get(name.encode())
    if raw is None:
        fail(f"シークレット {name} が設定されていません。Pod の環境変数を確認してください。")
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"シークレット {name} に UTF-8 でない文字があります。値をコピーし直してください。")
    if not value.strip():
        fail(f"シークレット {name} が空です。Runpod の Secrets を確認してください。")
    if UNFILLED.search(value):
        fail(f"{name} がシークレットの値に置き換わっていません（{{{{ ... }}}} のまま）。"
             "Secrets の名前と、環境変数の値の書き方を確認してください。")
    return value


values = [read(name) for name in NAMES[kind]]
if kind == "pair":
    text = json.dumps({"username": values[0], "key": values[1]}, ensure_ascii=False)
elif kind == "json":
    name, text = NAMES[kind][0], values[0]
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        fail(f"シークレット {name} が JSON として読めません。kaggle.json の中身をそのまま登録してください。")
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) and data[k] for k in ("username", "key")
    ):
        fail(f"シークレット {name} に username と key がありません。kaggle.json の中身を確認してください。")
else:
    text = values[0]
try:
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)  # 登録した値そのまま
        f.flush()
        os.fsync(f.fileno())
except OSError as error:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        fail("ディスクがいっぱいで認証情報を書き込めません。df -h で空きを確認し、"
             "不要なファイルを消してから、もう一度実行してください。")
    fail(f"認証情報を書き込めません（{error.strerror}）。")
PY
}

# ---------------------------------------------------------------------------
step 1 "作業フォルダとキャッシュを確認しています…"
if [[ -z "${HOME:-}" ]] || ! mkdir -p -- "$HOME" 2>/dev/null || [[ ! -w "$HOME" ]]; then
  die "ホームフォルダ (HOME=${HOME:-未設定}) に書き込めません。HOME を確認してください。"
fi
mkdir -p -- "$WORKSPACE" "$PIP_CACHE_DIR" "$UV_CACHE_DIR" 2>/dev/null ||
  die "WORKSPACE ($WORKSPACE) にフォルダを作れません。ボリュームがマウントされているか確認してください。"
note "WORKSPACE=$WORKSPACE"
# Pod を消しても残るのは、つないだボリュームだけです。
if command -v mountpoint >/dev/null && ! mountpoint -q "$WORKSPACE"; then
  note "注意: $WORKSPACE はボリュームではありません。Pod を終了すると中身が消えます。"
fi

# ---------------------------------------------------------------------------
step 2 "Kaggle の認証情報を設定しています…"
# 認証情報は自分だけが読めるようにします（ファイル 600、フォルダ 700）。
old_umask="$(umask)"
umask 077
KAGGLE_DIR="$HOME/.kaggle"
mkdir -p -- "$KAGGLE_DIR" 2>/dev/null || die "$KAGGLE_DIR を作れません。HOME を確認してください。"
chmod 700 "$KAGGLE_DIR"
# 前回の実行が途中で強制終了されていたら、残った一時ファイル（トークン入り）を消します。
rm -f -- "$KAGGLE_DIR"/.setup-tmp.*

if [[ -n "${KAGGLE_API_TOKEN+set}" ]]; then
  # kaggle 2.x は KAGGLE_API_TOKEN、次に ~/.kaggle/access_token を読みます。
  # 環境変数を引き継がないプログラム（cron など）のために、ファイルにも書きます。
  new_tmp "$KAGGLE_DIR"
  write_secret token "$CRED_TMP"
  install_file "$CRED_TMP" "$KAGGLE_DIR/access_token"
elif [[ -n "${KAGGLE_USERNAME+set}${KAGGLE_KEY+set}" ]]; then
  new_tmp "$KAGGLE_DIR"
  write_secret pair "$CRED_TMP"
  install_file "$CRED_TMP" "$KAGGLE_DIR/kaggle.json"
elif [[ -n "${RUNPOD_SECRET_kaggle_json+set}" ]]; then
  # 2024 年の初稿の名前。小文字を含む名前は SSH や VS Code のターミナルに届きません。
  warn "環境変数 RUNPOD_SECRET_kaggle_json は名前に小文字があるため、SSH や VS Code のターミナルには届きません。Pod の環境変数を KAGGLE_API_TOKEN（おすすめ）か、KAGGLE_USERNAME と KAGGLE_KEY に変えてください。"
  new_tmp "$KAGGLE_DIR"
  write_secret json "$CRED_TMP"
  install_file "$CRED_TMP" "$KAGGLE_DIR/kaggle.json"
else
  die "シークレット KAGGLE_API_TOKEN (または KAGGLE_USERNAME と KAGGLE_KEY) が設定されていません。Pod の環境変数を確認してください。"
fi
umask "$old_umask"

# ---------------------------------------------------------------------------
step 3 "git の名前とメールを設定しています…"
if [[ -n "${GIT_USER_NAME:-}" && -n "${GIT_USER_EMAIL:-}" ]]; then
  # 値が違うときだけ書きます（git は呼ぶたびに ~/.gitconfig を書き直すため）。
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
# apt-get upgrade はしません: 時間がかかるうえ、CUDA や PyTorch の使うライブラリまで変わることがあります。
if ((${#missing[@]})); then
  [[ "$(id -u)" -eq 0 ]] || die "パッケージのインストールには root 権限が必要です。root で実行してください。"
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } ||
    die "パッケージをインストールできませんでした。ネットワークと、df -h でディスクの空きを確認してください。"
else
  note "インストール済みなので飛ばします。"
fi

# ---------------------------------------------------------------------------
step 5 "Python のツール (${PIP_PACKAGES[*]}) をインストールしています…"
# トークンが使える kaggle 2.x には Python 3.11 以上が必要です（古いと pip は黙って 1.7.4 を入れます）。
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "kaggle 2.x には Python 3.11 以上が必要です。Python 3.11 以上のイメージを使ってください。"
# 名前==版 がすべてその版で入っていれば 0 を返します。
installed() {
  python3 - "$@" <<'PY'
import importlib.metadata as md, sys
def have(spec):
    name, version = spec.split("==")
    try:
        return md.version(name) == version
    except md.PackageNotFoundError:
        return False
sys.exit(0 if all(have(spec) for spec in sys.argv[1:]) else 1)
PY
}
if installed "${PIP_PACKAGES[@]}"; then
  note "インストール済みなので飛ばします。"
else
  python3 -m pip install --quiet --root-user-action=ignore "${PIP_PACKAGES[@]}" ||
    die "Python のツールをインストールできませんでした。ネットワークと、df -h でディスクの空きを確認してください。"
fi

# ---------------------------------------------------------------------------
step 6 "PyTorch に合う torchvision を確かめています…"
# イメージの PyTorch の版（+cu128 などの印は除きます）。PyTorch がなければ空です。
torch_have="$(python3 -c 'import importlib.metadata as md; print(md.version("torch").split("+")[0])' 2>/dev/null || true)"
if [[ -z "$torch_have" ]]; then
  note "PyTorch が入っていないので飛ばします（推奨イメージには入っています）。"
elif [[ "$torch_have" != "$TORCH_VERSION" ]]; then
  note "PyTorch $torch_have は推奨イメージの版（$TORCH_VERSION）ではないので、torchvision は入れません。"
  note "必要なら、PyTorch $torch_have に合う torchvision を PyTorch の配布元から入れてください。"
elif installed "torchvision==$TORCHVISION_VERSION"; then
  note "インストール済みなので飛ばします。"
else
  # torch も同じ版で指定して、pip が PyTorch を入れ替えないようにします。
  python3 -m pip install --quiet --root-user-action=ignore --index-url "$TORCH_INDEX_URL" \
    "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" ||
    die "torchvision をインストールできませんでした。ネットワークと、df -h でディスクの空きを確認してください。"
  note "torchvision $TORCHVISION_VERSION を入れました（PyTorch $TORCH_VERSION 用）。"
fi

echo "セットアップが終わりました。"
