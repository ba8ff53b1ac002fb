#!/usr/bin/env bash
bash /workspace/guide/snippets/kaggle-upload-model.sh /workspace/titanic/output/exp001 taro/titanic-model/pytorch/exp001 "5 fold"
