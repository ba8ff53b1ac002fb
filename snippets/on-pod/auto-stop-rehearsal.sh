#!/usr/bin/env bash
GRACE_SECONDS=10 bash /workspace/guide/snippets/auto-stop.sh sleep 5
