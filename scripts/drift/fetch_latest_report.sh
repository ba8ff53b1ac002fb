#!/usr/bin/env bash
# Download the newest drift report of the nightly "drift" workflow (artifact "drift-report",
# file drift.json) to $DRIFT_REPORT (default reports/drift.json), for the site build: facts
# whose source changed then show 「要再確認」, and the yen use the newest ECB rate. Needs the
# gh CLI and GH_TOKEN with `actions: read`. Exit 0 when a report was fetched, 1 when none.
set -euo pipefail

out="${DRIFT_REPORT:-reports/drift.json}"
repo=()
if [[ -n "${GITHUB_REPOSITORY:-}" ]]; then repo=(--repo "$GITHUB_REPOSITORY"); fi
tmp="$(mktemp -d)"
trap 'rm -rf -- "$tmp"' EXIT

# Newest finished runs first (a failed run still wrote its report: that is when it matters).
runs="$(gh run list "${repo[@]}" --workflow drift.yml --status completed --limit 10 \
  --json databaseId --jq '.[].databaseId')"
for run in $runs; do
  if gh run download "$run" "${repo[@]}" --name drift-report --dir "$tmp/$run" >/dev/null 2>&1 &&
    [[ -f "$tmp/$run/drift.json" ]]; then
    mkdir -p -- "$(dirname -- "$out")"
    mv -f -- "$tmp/$run/drift.json" "$out"
    echo "drift report of run $run -> $out"
    exit 0
  fi
done
echo "no drift-report artifact found in the last 10 runs of drift.yml" >&2
exit 1
