#!/usr/bin/env bash
# 手元の PC のコード（src フォルダと train.py）を、Pod の /workspace/titanic にコピーします。
# runpod-your-pod-id は、pod-ssh-config.sh で ~/.ssh/config に足した Host の名前です。
scp -r src train.py runpod-your-pod-id:/workspace/titanic/
