#!/usr/bin/env bash
# Download the guide's setup script and run it (first thing on a new pod).
set -euo pipefail
GUIDE_URL="${GUIDE_URL:-https://runpod-kaggle.github.io/guide/}"
curl -fsSL "${GUIDE_URL%/}/downloads/setup.sh" -o "${TMPDIR:-/tmp}/setup.sh"
bash "${TMPDIR:-/tmp}/setup.sh"
