#!/usr/bin/env bash
bash /workspace/guide/snippets/auto-stop.sh python train.py --fold 0
