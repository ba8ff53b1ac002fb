#!/usr/bin/env bash
cd /workspace/titanic && bash /workspace/guide/snippets/auto-stop.sh bash /workspace/guide/snippets/train-and-upload.sh output/exp001 taro/titanic-exp001 timeout 8h python train.py
