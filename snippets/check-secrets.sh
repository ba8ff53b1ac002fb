#!/usr/bin/env bash
# Check, inside a pod, that the secrets reached the environment.
# Prints only whether each variable is set, never its value.
set -euo pipefail

# Is the variable named $1 usable? Prints a status line, returns 0 when usable.
report() {
  local name="$1" label="$2"
  if [[ -z "${!name+set}" ]]; then
    printf '  %-26s 未設定 (%s)\n' "$name" "$label"
    return 1
  elif [[ -z "${!name//[[:space:]]/}" ]]; then
    printf '  %-26s 空です (%s)\n' "$name" "$label"
    return 1
  elif [[ "${!name}" == "{{"* ]]; then
    # Runpod leaves {{ RUNPOD_SECRET_... }} as is when no secret has that name.
    printf '  %-26s 置き換わっていません: Secrets の名前を確認してください\n' "$name"
    return 1
  fi
  printf '  %-26s 設定されています\n' "$name"
}

echo "Kaggle (どちらか一つが必要です):"
kaggle_ok=0
report KAGGLE_API_TOKEN "推奨" && kaggle_ok=1
report RUNPOD_SECRET_kaggle_json "kaggle.json の中身" && kaggle_ok=1

echo "git (任意):"
report GIT_USER_NAME "git の名前" || true
report GIT_USER_EMAIL "git のメール" || true

if ((kaggle_ok)); then
  echo "OK: Kaggle のシークレットが使えます。"
else
  echo "エラー: Kaggle のシークレットがありません。Pod の環境変数を確認してください。" >&2
  exit 1
fi
