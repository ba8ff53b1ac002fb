#!/usr/bin/env bash
# 学習が終わったら（失敗しても）、この Pod を削除して GPU の課金を止めます。
# 使い方: bash auto-stop.sh python train.py --fold 0
# /workspace（ネットワークボリューム）のファイルは残り、それ以外（/root など）は消えます。
set -uo pipefail

WORKSPACE="${WORKSPACE:-/workspace}"
# 削除までの猶予（秒、0〜3600）。この間に Ctrl+C を押せば、Pod は削除されません。
GRACE_SECONDS="${GRACE_SECONDS:-60}"
# 学習の出力はボリュームにも残します（Pod と一緒に消えないように）。
LOG="${LOG:-$WORKSPACE/logs/auto-stop-$(date +%Y%m%d-%H%M%S).log}"
API="${RUNPOD_API_BASE_URL:-https://api.runpod.io}"

die() { printf 'エラー: %s\n' "$1" >&2; exit "${2:-1}"; }

# Pod の ID と、この Pod 専用の API キーは Runpod が環境変数に入れています。
# SSH のシェルに無ければ、Runpod が書いた /etc/rp_environment から読みます。
for name in RUNPOD_POD_ID RUNPOD_API_KEY; do
  if [[ -z "${!name:-}" && -r /etc/rp_environment ]]; then
    printf -v "$name" '%s' "$(bash -c '. /etc/rp_environment >/dev/null 2>&1; printf %s "${!1-}"' _ "$name")"
  fi
done

(($#)) || die "学習のコマンドを続けて書いてください（例: bash auto-stop.sh python train.py）。"
[[ -n "${RUNPOD_POD_ID:-}" ]] || die "RUNPOD_POD_ID がありません。Runpod の Pod の中で実行してください。"
[[ -n "${RUNPOD_API_KEY:-}" ]] || die "RUNPOD_API_KEY がありません。Runpod の Pod の中で実行してください。"
command -v curl >/dev/null || die "curl が見つかりません（apt-get install -y curl で入れてください）。"
if ! [[ "$GRACE_SECONDS" =~ ^[0-9]{1,4}$ ]] || ((10#$GRACE_SECONDS > 3600)); then
  die "GRACE_SECONDS は 0〜3600 の整数（秒）にしてください（指定: $GRACE_SECONDS）。"
fi
if ! command -v -- "$1" >/dev/null; then
  die "コマンド「$1」が見つかりません。Pod は削除していません。コマンドは引用符でまとめずに、bash auto-stop.sh python train.py のように書いてください。"
fi
mkdir -p -- "$(dirname -- "$LOG")" 2>/dev/null || die "ログのフォルダ $(dirname -- "$LOG") を作れません。"

# この Pod を削除する（Runpod の REST API v2）。キーは画面にもプロセス一覧にも出しません。
delete_this_pod() {
  printf 'Authorization: Bearer %s\n' "$RUNPOD_API_KEY" |
    curl -sS -o /dev/null -w '%{http_code}' -m 30 --retry 5 --retry-all-errors \
      -H @- -X DELETE "$API/v2/pods/$RUNPOD_POD_ID"
}

echo "学習を始めます。終わったら、この Pod（$RUNPOD_POD_ID）を削除します（ログ: $LOG）。"
"$@" 2>&1 | tee -a -- "$LOG"
status="${PIPESTATUS[0]}"
echo "学習が終了コード $status で終わりました。" | tee -a -- "$LOG"

sync  # ボリュームへの書き込みを済ませてから削除します
echo "$GRACE_SECONDS 秒後にこの Pod を削除します。やめるには Ctrl+C を押してください。"
sleep "$GRACE_SECONDS"

code="$(delete_this_pod)"
case "$code" in
  200 | 204 | 404)  # 404: もう削除されていました
    echo "Pod の削除を Runpod に伝えました。まもなく接続が切れます。"
    exit "$status" ;;
esac
[[ "$code" == 000 || -z "$code" ]] && code="応答なし"
die "Pod を削除できませんでした（HTTP $code）。GPU の課金が続いています。コンソールの Pods（https://console.runpod.io/pods）から削除してください。" 3
