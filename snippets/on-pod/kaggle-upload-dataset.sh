#!/usr/bin/env bash
bash /workspace/guide/snippets/kaggle-upload-dataset.sh /workspace/titanic/output/exp001 taro/titanic-exp001 "5 fold"
