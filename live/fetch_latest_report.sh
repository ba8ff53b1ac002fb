#!/usr/bin/env bash
# Download the newest live report of the nightly "live" workflow (artifact "live-report",
# file live-report.json) to $LIVE_REPORT (default reports/live-report.json), for the site
# build to stamp pages with. Needs the gh CLI and GH_TOKEN with `actions: read`.
# Exit 0 when a report was fetched, 1 when no run has one (pages then show 未検証).
set -euo pipefail

out="${LIVE_REPORT:-reports/live-report.json}"
repo=()
if [[ -n "${GITHUB_REPOSITORY:-}" ]]; then repo=(--repo "$GITHUB_REPOSITORY"); fi
tmp="$(mktemp -d)"
trap 'rm -rf -- "$tmp"' EXIT

# Newest finished runs first (failed ones too: a failure is worth showing); the first one
# whose artifact has not expired wins.
runs="$(gh run list "${repo[@]}" --workflow live.yml --status completed --limit 20 \
  --json databaseId --jq '.[].databaseId')"
for run in $runs; do
  if gh run download "$run" "${repo[@]}" --name live-report --dir "$tmp/$run" >/dev/null 2>&1 &&
    [[ -f "$tmp/$run/live-report.json" ]]; then
    mkdir -p -- "$(dirname -- "$out")"
    mv -f -- "$tmp/$run/live-report.json" "$out"
    echo "live report of run $run -> $out"
    exit 0
  fi
done
echo "no live-report artifact found in the last 20 runs of live.yml" >&2
exit 1
