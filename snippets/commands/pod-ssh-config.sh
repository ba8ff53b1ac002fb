#!/usr/bin/env bash
POD_ID="your-pod-id"  # printed by pod-up.sh
python -m snippets.pod ssh-config "$POD_ID"
