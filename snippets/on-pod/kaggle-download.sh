#!/usr/bin/env bash
bash /workspace/guide/snippets/kaggle-download.sh titanic
