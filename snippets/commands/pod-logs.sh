#!/usr/bin/env bash
POD_ID="your-pod-id"  # pod-up.sh が表示した Pod の ID
python -m snippets.pod logs "$POD_ID"
