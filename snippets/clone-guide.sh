#!/usr/bin/env bash
# このガイドのスクリプトを、ボリュームの /workspace/guide に置きます（2 回目からは最新にします）。
# ターミナルに貼り付けて実行しても、失敗したときにターミナルが閉じることはありません。
guide_clone() {
  if [ -d /workspace/guide/.git ]; then
    git -C /workspace/guide pull --ff-only --quiet
  else
    git clone --quiet --depth 1 https://github.com/runpod-kaggle/guide /workspace/guide
  fi
}
if guide_clone; then
  echo "用意できました: /workspace/guide/snippets"
else
  echo "エラー: /workspace/guide に置けませんでした。上の git のメッセージを確認してください。" >&2
  false
fi
