#!/usr/bin/env bash
# 手元の PC のコードのフォルダを、Pod の /workspace/titanic と同じ中身にします（変わったファイルだけ送ります）。
# データ・モデル・仮想環境は送りません。macOS、Linux、Windows の WSL で使えます。
rsync -av --exclude .git --exclude .venv --exclude input --exclude output ./ runpod-your-pod-id:/workspace/titanic/
