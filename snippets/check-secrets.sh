#!/usr/bin/env bash
# Pod の中で、Secrets が環境変数に届いているかを確かめます。
# 表示するのは「設定されているかどうか」だけで、値そのものは表示しません。
set -euo pipefail

# 名前が $1 の環境変数が使えるかを 1 行で表示します（使えるとき 0 を返します）。
report() {
  local name="$1" label="$2" value
  if [[ -z "${!name+set}" ]]; then
    printf '  %-26s 未設定 (%s)\n' "$name" "$label"
    return 1
  fi
  value="${!name}"
  if [[ -z "${value//[[:space:]]/}" ]]; then
    printf '  %-26s 空です (%s)\n' "$name" "$label"
    return 1
  elif [[ "$value" == *"{{"* || "$value" == *RUNPOD_SECRET_* ]]; then
    # 名前の合わない {{ RUNPOD_SECRET_... }} は、置き換わらずに残ることがあります。
    printf '  %-26s 置き換わっていません: Secrets の名前を確認してください\n' "$name"
    return 1
  elif command -v iconv >/dev/null && ! printf '%s' "$value" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    printf '  %-26s UTF-8 でない文字があります: 値をコピーし直してください\n' "$name"
    return 1
  fi
  printf '  %-26s 設定されています\n' "$name"
}

echo "Kaggle (どれか一つが必要です):"
kaggle_ok=0
report KAGGLE_API_TOKEN "おすすめ" && kaggle_ok=1
# 古い方式: kaggle.json のユーザー名とキーを 2 つの環境変数で渡します。
pair_ok=1
report KAGGLE_USERNAME "古い方式: KAGGLE_KEY と組で" || pair_ok=0
report KAGGLE_KEY "古い方式: KAGGLE_USERNAME と組で" || pair_ok=0
((pair_ok)) && kaggle_ok=1
# 2024 年の初稿の名前。小文字を含む名前は SSH や VS Code のターミナルに届きません。
if [[ -n "${RUNPOD_SECRET_kaggle_json+set}" ]]; then
  report RUNPOD_SECRET_kaggle_json "kaggle.json の中身" && kaggle_ok=1
  echo "注意: RUNPOD_SECRET_kaggle_json は名前に小文字があるため、SSH や VS Code のターミナルには届きません。Pod の環境変数を KAGGLE_API_TOKEN（おすすめ）か、KAGGLE_USERNAME と KAGGLE_KEY に変えてください。" >&2
fi

echo "git (任意):"
report GIT_USER_NAME "git の名前" || true
report GIT_USER_EMAIL "git のメール" || true

if ((kaggle_ok)); then
  echo "OK: Kaggle のシークレットが使えます。"
else
  echo "エラー: Kaggle のシークレットがありません。Pod の環境変数を確認してください。" >&2
  exit 1
fi
