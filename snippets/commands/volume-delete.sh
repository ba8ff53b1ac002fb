#!/usr/bin/env bash
VOLUME_ID="your-volume-id"  # volume-list.sh で表示されたボリュームの ID
python -m snippets.volume delete "$VOLUME_ID"
