#!/usr/bin/env bash
# Pod の健康診断: 調子がおかしいときに Pod の中で実行します。
# 1 行に 1 つ、確かめた結果と直し方を表示します。トークンなどの値は表示しません。
set -uo pipefail

# ボリュームの場所（ふつうは /workspace）と、空きとして欲しい量（GB）
WORKSPACE="${WORKSPACE:-/workspace}"
MIN_FREE_GB_VOLUME="${MIN_FREE_GB_VOLUME:-5}"
MIN_FREE_GB_CONTAINER="${MIN_FREE_GB_CONTAINER:-2}"
PYTHON="${PYTHON:-python3}"
# 外のコマンド 1 回あたりの待ち時間の上限（秒）。固まったコマンドで診断が止まらないようにします。
DOCTOR_TIMEOUT="${DOCTOR_TIMEOUT:-60}"

problems=0
ok() { printf 'OK  %s\n' "$1"; }
skip() { printf -- '--  %s\n' "$1"; }
ng() { printf 'NG  %s → %s\n' "$1" "$2"; problems=$((problems + 1)); }
# 時間の上限つきでコマンドを実行します。上限を超えると終了コード 124 を返します。
limited() { timeout -k 5 "$DOCTOR_TIMEOUT" "$@"; }

# "12.4" >= "12.8" のような比較（メジャー.マイナーだけを見ます）
version_at_least() {
  local have_major="${1%%.*}" want_major="${2%%.*}" have_minor want_minor
  have_minor="${1#*.}" want_minor="${2#*.}"
  have_minor="${have_minor%%.*}" want_minor="${want_minor%%.*}"
  ((have_major > want_major || (have_major == want_major && have_minor >= want_minor)))
}

# 0: マウントされている、1: されていない、124: 時間の上限を超えた
is_mount() {
  local here parent
  if command -v mountpoint >/dev/null; then
    limited mountpoint -q "$1"
    return
  fi
  here="$(limited stat -c %d "$1")" || return
  parent="$(limited stat -c %d "$1/..")" || return
  [[ "$here" != "$parent" ]]
}

# ボリュームに小さなファイルを書いて消せるか（ネットワークのディスクが固まっていても待ちすぎません）
# shellcheck disable=SC2016 # $1 is expanded by the inner bash
can_write() { limited bash -c ': >"$1" && rm -f -- "$1"' _ "$1/.doctor-probe.$$" 2>/dev/null; }

check_volume() {
  local fix="ネットワークボリュームを選んで Pod を作り直してください（ボリュームは Pod を作るときにしかつなげません）"
  local mounted
  if [[ ! -d "$WORKSPACE" ]]; then
    ng "ボリューム: $WORKSPACE がありません" "$fix"
    return
  fi
  is_mount "$WORKSPACE"
  mounted=$?
  if ((mounted == 124)); then
    ng "ボリューム: $WORKSPACE の確認が ${DOCTOR_TIMEOUT} 秒で終わりません" "ネットワークボリュームが固まっています。Pod を終了し、新しく作り直してください"
  elif ((mounted != 0)); then
    ng "ボリューム: $WORKSPACE にボリュームがつながっていません（Pod を終了すると中身が消えます）" "$fix"
  elif ! can_write "$WORKSPACE"; then
    ng "ボリューム: $WORKSPACE に書き込めません（または ${DOCTOR_TIMEOUT} 秒で終わりません）" "df -h $WORKSPACE で空きを確かめ、不要なファイルを消してください"
  else
    ok "ボリューム: $WORKSPACE にボリュームがつながっていて、書き込めます"
  fi
}

check_gpu() {
  local listed count
  if ! command -v nvidia-smi >/dev/null; then
    ng "GPU: nvidia-smi がありません（GPU のない Pod です）" "GPU を選んで Pod を作り直してください"
    return 1
  fi
  listed="$(limited nvidia-smi -L 2>/dev/null)"
  if (($? == 124)); then
    ng "GPU: nvidia-smi が ${DOCTOR_TIMEOUT} 秒たっても応答しません" "GPU かドライバーの不調です。Pod を終了し、新しく作り直してください"
    return 1
  fi
  count="$(grep -c '^GPU ' <<<"$listed")"
  if ((count == 0)); then
    ng "GPU: 見えません" "停止から再開した Pod は GPU なしで動くことがあります。Pod を終了し、新しく作り直してください"
    return 1
  fi
  ok "GPU: ${count} 枚見えています（$(sed -n '1s/^GPU 0: \([^(]*[^ (]\).*/\1/p' <<<"$listed")）"
}

check_driver() {
  local image_cuda="${CUDA_VERSION:-}" driver_cuda
  driver_cuda="$(limited nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)"
  if [[ -z "$image_cuda" || -z "$driver_cuda" ]]; then
    skip "ドライバー: イメージかドライバーの CUDA のバージョンが分からないため、比べられません"
  elif version_at_least "$driver_cuda" "$image_cuda"; then
    ok "ドライバー: CUDA $driver_cuda まで対応（イメージは CUDA ${image_cuda%.*}）"
  else
    ng "ドライバー: このマシンは CUDA $driver_cuda まで、イメージは CUDA ${image_cuda%.*} が必要です" \
      "Pod を終了し、CUDA ${image_cuda%.*} 以上に対応したマシンで作り直してください（コンソールでは CUDA のバージョンで絞り込めます）"
  fi
}

# PyTorch と torchvision の版、CUDA の版、GPU が使えるかを 1 行で答えます。
# 形: torch の版 torch の CUDA GPU(1/0) torchvision の版 torchvision の CUDA torchvision が求める torch
TORCH_PROBE='
import importlib.metadata as md
import re
import torch
vision, vision_cuda, wants = "-", "-", "-"
try:
    import torchvision
    vision = torchvision.__version__
    vision_cuda = getattr(torchvision.version, "cuda", None) or "-"
except ImportError:
    pass
except Exception:
    vision = "broken"
try:
    needs = [r for r in md.requires("torchvision") or [] if re.match(r"torch\s*==", r)]
    wants = needs[0].split("==")[1].split(";")[0].strip() if needs else "-"
except md.PackageNotFoundError:
    pass
print(torch.__version__, torch.version.cuda or "-", int(torch.cuda.is_available()),
      vision, vision_cuda, wants)
'

check_torch() {
  local out code version cuda usable vision vision_cuda wants
  out="$(limited "$PYTHON" -c "$TORCH_PROBE" 2>/dev/null)"
  code=$?
  if ((code == 124)); then
    ng "PyTorch: ${DOCTOR_TIMEOUT} 秒たっても import torch が終わりません" "ボリュームのディスクが遅いか、固まっています。少し待ってもう一度実行し、直らなければ Pod を作り直してください"
    return
  elif ((code != 0)); then
    ng "PyTorch: $PYTHON で import torch できません" "推奨イメージ（runpod/pytorch）で Pod を作るか、仮想環境に PyTorch を入れてください"
    return
  fi
  read -r version cuda usable vision vision_cuda wants <<<"$out"
  if [[ "$usable" == 1 ]]; then
    ok "PyTorch $version: GPU を使えます（CUDA $cuda 用）"
  else
    ng "PyTorch $version: GPU を使えません（CUDA $cuda 用）" "上の GPU とドライバーの行を確かめてください。PyTorch の CUDA がドライバーより新しいと使えません"
  fi
  check_torchvision "$version" "$cuda" "$vision" "$vision_cuda" "$wants"
}

# torchvision が入っていて、その torchvision が求める PyTorch と CUDA の版が、入っているものと同じか
check_torchvision() {
  local torch_version="${1%%+*}" cuda="$2" vision="$3" vision_cuda="$4" wants="$5"
  local fix="セットアップスクリプト（setup.sh）を実行し直してください。torchvision だけを pip install すると、合わない版が入ることがあります"
  if [[ "$vision" == "-" ]]; then
    ng "torchvision: 入っていません（推奨イメージには入っていません）" "$fix"
  elif [[ "$vision" == broken ]]; then
    ng "torchvision: import torchvision が失敗します（PyTorch と版が合っていません）" "$fix"
  elif [[ "$wants" != "-" && "$wants" != "$torch_version" ]]; then
    ng "torchvision ${vision}: PyTorch $wants 用で、入っている PyTorch $torch_version と合いません" "$fix"
  elif [[ "$vision_cuda" != "-" && "$vision_cuda" != "$cuda" ]]; then
    ng "torchvision ${vision}: CUDA $vision_cuda 用で、PyTorch の CUDA $cuda と合いません" "$fix"
  else
    ok "torchvision ${vision}: PyTorch ${torch_version} と CUDA ${cuda} に合っています"
  fi
}

check_kaggle() {
  local out
  if ! command -v kaggle >/dev/null; then
    ng "Kaggle: kaggle コマンドがありません" "セットアップスクリプト（setup.sh）を実行してください"
    return
  fi
  # 認証が必要な軽い呼び出しで確かめます（出力は表示しません）。
  out="$(limited kaggle competitions list 2>&1)"
  local code=$?
  if ((code == 0)); then
    ok "Kaggle: 認証できました"
  elif ((code == 124)); then
    ng "Kaggle: ${DOCTOR_TIMEOUT} 秒たっても API の答えが返りません" "ネットワークを確かめ、少し待ってから実行し直してください"
  elif grep -q -i -e "authentication required" -e "401" -e "unauthorized" <<<"$out"; then
    ng "Kaggle: 認証できません" "Secrets の KAGGLE_API_TOKEN を確かめ（check-secrets.sh）、setup.sh を実行し直してください"
  else
    ng "Kaggle: API を呼べません" "ネットワークを確かめ、少し待ってから実行し直してください（kaggle competitions list でエラーが見えます）"
  fi
}

# 空き容量（GB、小数 1 桁）
free_gb() { limited df -Pk "$1" 2>/dev/null | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }'; }

check_disk() {
  local path="$1" label="$2" min="$3" fix="$4" free
  free="$(free_gb "$path")"
  if [[ -z "$free" ]]; then
    skip "ディスク（$label）: $path の空きを読めません"
  elif awk -v f="$free" -v m="$min" 'BEGIN { exit !(f < m) }'; then
    ng "ディスク（$label）: $path の空きが ${free} GB しかありません" "$fix"
  else
    ok "ディスク（$label）: $path の空きは ${free} GB です"
  fi
}

echo "Pod の健康診断"
check_volume
if check_gpu; then check_driver; else skip "ドライバー: GPU が見えないため、比べられません"; fi
check_torch
check_kaggle
check_disk / "コンテナ" "$MIN_FREE_GB_CONTAINER" \
  "大きなファイルは $WORKSPACE に置いてください（コンテナディスクは Pod を作るときに増やせます）"
[[ -d "$WORKSPACE" ]] && check_disk "$WORKSPACE" "ボリューム" "$MIN_FREE_GB_VOLUME" \
  "不要なチェックポイントを消すか退避し、足りなければボリュームを増やしてください（減らすことはできません）"

if ((problems)); then
  echo "直すところが ${problems} 件あります。上の NG の行を見てください。"
  exit 1
fi
echo "すべて OK です。"
