#!/usr/bin/env bash
tmux new -s train            # 1. 始める: train という名前の画面を開き、この中で学習を始めます
# Ctrl+b を押してから d      # 2. 離れる: 学習は動いたまま。SSH が切れても、PC を閉じても続きます
tmux attach -t train         # 3. 戻る: 次に接続したとき、続きの画面に戻ります
# Ctrl+b を押してから [      # 4. さかのぼる: ↑↓ や PageUp で前の出力を読み、q で戻ります
tmux kill-session -t train   # 5. 終わる: 画面を閉じます（中で動いているものも止まります）
