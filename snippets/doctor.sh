#!/usr/bin/env bash
# Pod の健康診断: 調子がおかしいときに Pod の中で実行します。
# 1 行に 1 つ、確かめた結果と直し方を表示します。トークンなどの値は表示しません。
set -uo pipefail

# ボリュームの場所（ふつうは /workspace）と、空きとして欲しい量（GB）
WORKSPACE="${WORKSPACE:-/workspace}"
MIN_FREE_GB_VOLUME="${MIN_FREE_GB_VOLUME:-5}"
MIN_FREE_GB_CONTAINER="${MIN_FREE_GB_CONTAINER:-2}"
PYTHON="${PYTHON:-python3}"

problems=0
ok() { printf 'OK  %s\n' "$1"; }
skip() { printf -- '--  %s\n' "$1"; }
ng() { printf 'NG  %s → %s\n' "$1" "$2"; problems=$((problems + 1)); }

# "12.4" >= "12.8" のような比較（メジャー.マイナーだけを見ます）
version_at_least() {
  local have_major="${1%%.*}" want_major="${2%%.*}" have_minor want_minor
  have_minor="${1#*.}" want_minor="${2#*.}"
  have_minor="${have_minor%%.*}" want_minor="${want_minor%%.*}"
  ((have_major > want_major || (have_major == want_major && have_minor >= want_minor)))
}

is_mount() {
  if command -v mountpoint >/dev/null; then
    mountpoint -q "$1"
  else
    [[ "$(stat -c %d "$1")" != "$(stat -c %d "$1/..")" ]]
  fi
}

check_volume() {
  local fix="ネットワークボリュームを選んで Pod を作り直してください（ボリュームは Pod を作るときにしかつなげません）"
  if [[ ! -d "$WORKSPACE" ]]; then
    ng "ボリューム: $WORKSPACE がありません" "$fix"
  elif ! is_mount "$WORKSPACE"; then
    ng "ボリューム: $WORKSPACE にボリュームがつながっていません（Pod を終了すると中身が消えます）" "$fix"
  elif ! (: >"$WORKSPACE/.doctor-probe.$$") 2>/dev/null; then
    ng "ボリューム: $WORKSPACE に書き込めません" "df -h $WORKSPACE で空きを確かめ、不要なファイルを消してください"
  else
    rm -f -- "$WORKSPACE/.doctor-probe.$$"
    ok "ボリューム: $WORKSPACE にボリュームがつながっていて、書き込めます"
  fi
}

check_gpu() {
  local listed count
  if ! command -v nvidia-smi >/dev/null; then
    ng "GPU: nvidia-smi がありません（GPU のない Pod です）" "GPU を選んで Pod を作り直してください"
    return 1
  fi
  listed="$(nvidia-smi -L 2>/dev/null)" || listed=""
  count="$(grep -c '^GPU ' <<<"$listed")"
  if ((count == 0)); then
    ng "GPU: 見えません" "停止から再開した Pod は GPU なしで動くことがあります。Pod を終了し、新しく作り直してください"
    return 1
  fi
  ok "GPU: ${count} 枚見えています（$(sed -n '1s/^GPU 0: \([^(]*[^ (]\).*/\1/p' <<<"$listed")）"
}

check_driver() {
  local image_cuda="${CUDA_VERSION:-}" driver_cuda
  driver_cuda="$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)"
  if [[ -z "$image_cuda" || -z "$driver_cuda" ]]; then
    skip "ドライバー: イメージかドライバーの CUDA のバージョンが分からないため、比べられません"
  elif version_at_least "$driver_cuda" "$image_cuda"; then
    ok "ドライバー: CUDA $driver_cuda まで対応（イメージは CUDA ${image_cuda%.*}）"
  else
    ng "ドライバー: このマシンは CUDA $driver_cuda まで、イメージは CUDA ${image_cuda%.*} が必要です" \
      "Pod を終了し、CUDA ${image_cuda%.*} 以上に対応したマシンで作り直してください（コンソールでは CUDA のバージョンで絞り込めます）"
  fi
}

check_torch() {
  local out version cuda usable
  if ! out="$("$PYTHON" - 2>/dev/null <<'PY'
import torch
print(torch.__version__, torch.version.cuda or "-", int(torch.cuda.is_available()))
PY
)"; then
    ng "PyTorch: $PYTHON で import torch できません" "推奨イメージ（runpod/pytorch）で Pod を作るか、仮想環境に PyTorch を入れてください"
    return
  fi
  read -r version cuda usable <<<"$out"
  if [[ "$usable" == 1 ]]; then
    ok "PyTorch $version: GPU を使えます（CUDA $cuda 用）"
  else
    ng "PyTorch $version: GPU を使えません（CUDA $cuda 用）" "上の GPU とドライバーの行を確かめてください。PyTorch の CUDA がドライバーより新しいと使えません"
  fi
}

check_kaggle() {
  local out
  if ! command -v kaggle >/dev/null; then
    ng "Kaggle: kaggle コマンドがありません" "セットアップスクリプト（setup.sh）を実行してください"
    return
  fi
  # 認証が必要な軽い呼び出しで確かめます（出力は表示しません）。
  if out="$(timeout 60 kaggle competitions list 2>&1)"; then
    ok "Kaggle: 認証できました"
  elif grep -q -i -e "authentication required" -e "401" -e "unauthorized" <<<"$out"; then
    ng "Kaggle: 認証できません" "Secrets の KAGGLE_API_TOKEN を確かめ（check-secrets.sh）、setup.sh を実行し直してください"
  else
    ng "Kaggle: API を呼べません" "ネットワークを確かめ、少し待ってから実行し直してください（kaggle competitions list でエラーが見えます）"
  fi
}

# 空き容量（GB、小数 1 桁）
free_gb() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }'; }

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
