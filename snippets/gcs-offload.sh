#!/usr/bin/env bash
# /workspace のフォルダを GCS に退避し、必要になったら戻します。
# 途中で止まっても、同じコマンドをもう一度実行すれば、届いているファイルを飛ばして続きから始めます。
FOLDER="/workspace/my-competition/output/exp001"  # 退避するフォルダ
GCS_PATH="gs://my-bucket/exp001"                    # 置き場所（バケットは先に作っておきます）
python -m snippets.gcs_offload upload "$FOLDER" "$GCS_PATH"
# 戻すときは: python -m snippets.gcs_offload download "$GCS_PATH" "$FOLDER"
