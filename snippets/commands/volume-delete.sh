#!/usr/bin/env bash
VOLUME_ID="your-volume-id"  # from volume-list.sh
python -m snippets.volume delete "$VOLUME_ID"
