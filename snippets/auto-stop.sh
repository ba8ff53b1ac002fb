#!/usr/bin/env bash
# 学習が終わったら（失敗しても）、この Pod を終了して GPU の課金を止めます。
# 使い方: bash auto-stop.sh python train.py --fold 0
# /workspace（ネットワークボリューム）のファイルは残り、それ以外（/root など）は消えます。
set -uo pipefail

WORKSPACE="${WORKSPACE:-/workspace}"
# 終了までの猶予（秒）。この間に Ctrl+C を押せば、Pod は終了しません。
GRACE_SECONDS="${GRACE_SECONDS:-60}"
# 学習の出力はボリュームにも残します（Pod と一緒に消えないように）。
LOG="${LOG:-$WORKSPACE/logs/auto-stop-$(date +%Y%m%d-%H%M%S).log}"

die() { printf 'エラー: %s\n' "$1" >&2; exit 1; }

(($#)) || die "学習のコマンドを続けて書いてください（例: bash auto-stop.sh python train.py）。"
# Runpod の Pod には runpodctl と、この Pod の ID（RUNPOD_POD_ID）が最初から入っています。
[[ -n "${RUNPOD_POD_ID:-}" ]] || die "RUNPOD_POD_ID がありません。Runpod の Pod の中で実行してください。"
command -v runpodctl >/dev/null || die "runpodctl が見つかりません。Runpod の Pod の中で実行してください。"
[[ "$GRACE_SECONDS" =~ ^[0-9]+$ ]] || die "GRACE_SECONDS は 0 以上の整数（秒）にしてください。"
mkdir -p -- "$(dirname -- "$LOG")" 2>/dev/null || die "ログのフォルダ $(dirname -- "$LOG") を作れません。"

echo "学習を始めます。終わったら、この Pod（$RUNPOD_POD_ID）を終了します（ログ: $LOG）。"
"$@" 2>&1 | tee -a -- "$LOG"
status="${PIPESTATUS[0]}"
echo "学習が終了コード $status で終わりました。" | tee -a -- "$LOG"

sync  # ボリュームへの書き込みを済ませてから終了します
echo "$GRACE_SECONDS 秒後にこの Pod を終了します。やめるには Ctrl+C を押してください。"
sleep "$GRACE_SECONDS"

# Pod を終了（Terminate）します。runpodctl 2.x は pod delete、1.x は remove pod です。
if runpodctl pod delete "$RUNPOD_POD_ID" || runpodctl remove pod "$RUNPOD_POD_ID"; then
  echo "Pod の終了を Runpod に伝えました。まもなく接続が切れます。"
  exit "$status"
fi
die "Pod を終了できませんでした。GPU の課金が続いています。コンソールの Pods から終了してください。"
