#!/usr/bin/env bash
# TensorBoard を、Pod が開けている 6006 番のポートで、tmux の中で動かします（SSH を切っても動き続けます）。
tmux new -d -s tensorboard tensorboard --logdir /workspace/titanic/output --host 0.0.0.0 --port 6006
