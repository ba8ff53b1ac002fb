#!/usr/bin/env bash
# Download the newest live report of the nightly "live" workflow (artifact "live-report",
# file live-report.json) to $LIVE_REPORT (default reports/live-report.json), for the site
# build to stamp pages with. Needs the gh CLI, python3, and GH_TOKEN with `actions: read`
# (and `contents: read` when the checkout lacks the history to compare commits).
#
# Only a report that proves the code being built is taken:
# - from a run of live.yml on main, started by the nightly schedule or a manual dispatch
#   (never a pull request's, another branch's, or another event's);
# - whose `commit` is that run's own commit, and an ancestor of (or equal to) the commit
#   being built ($GITHUB_SHA, else HEAD): a page is never stamped by code it does not hold.
# Exit 0 when a report was fetched, 1 when no run has one (pages then show 未検証).
set -euo pipefail

out="${LIVE_REPORT:-reports/live-report.json}"
built="${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || true)}"
repo=()
if [[ -n "${GITHUB_REPOSITORY:-}" ]]; then repo=(--repo "$GITHUB_REPOSITORY"); fi
tmp="$(mktemp -d)"
trap 'rm -rf -- "$tmp"' EXIT

is_sha() { [[ "$1" =~ ^[0-9a-f]{40}$ ]]; }

if ! is_sha "$built"; then
  echo "cannot tell which commit is being built (GITHUB_SHA or git HEAD)" >&2
  exit 1
fi

# "<run id> <commit>" of the eligible runs, newest first.
eligible_runs() {
  gh run list "${repo[@]}" --workflow live.yml --branch main --status completed --limit 40 \
    --json databaseId,event,headBranch,headSha |
    python3 -c '
import json, sys
for run in json.load(sys.stdin):
    if run.get("headBranch") == "main" and run.get("event") in ("schedule", "workflow_dispatch"):
        print(run["databaseId"], run["headSha"])
'
}

report_commit() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("commit") or "")' "$1"
}

# Whether commit $1 is an ancestor of (or equal to) commit $2: from the local history when
# the checkout has both, else from GitHub's compare API.
is_ancestor() {
  if git cat-file -e "$1^{commit}" 2>/dev/null && git cat-file -e "$2^{commit}" 2>/dev/null; then
    git merge-base --is-ancestor "$1" "$2"
    return
  fi
  local slug="${GITHUB_REPOSITORY:-}" status
  [[ -n "$slug" ]] || slug='{owner}/{repo}' # gh fills these in from the git remote
  status="$(gh api "repos/$slug/compare/$1...$2" --jq .status)" || return 1
  [[ "$status" == "ahead" || "$status" == "identical" ]]
}

runs="$(eligible_runs)"
while read -r run sha; do
  if [[ ! "$run" =~ ^[0-9]+$ ]] || ! is_sha "$sha"; then continue; fi
  file="$tmp/$run/live-report.json"
  if ! gh run download "$run" "${repo[@]}" --name live-report --dir "$tmp/$run" >/dev/null 2>&1 ||
    [[ ! -f "$file" ]]; then
    continue # expired, or a run that wrote no report (no key, --plan)
  fi
  commit="$(report_commit "$file" 2>/dev/null || true)"
  if [[ "$commit" != "$sha" ]]; then
    echo "run $run: its report names commit '$commit', not the run's $sha; skipped" >&2
    continue
  fi
  if ! is_ancestor "$commit" "$built"; then
    echo "run $run: commit $commit is not in the history of $built; skipped" >&2
    continue
  fi
  mkdir -p -- "$(dirname -- "$out")"
  mv -f -- "$file" "$out"
  echo "live report of run $run (commit $commit) -> $out"
  exit 0
done <<<"$runs"
echo "no live-report artifact of a nightly or manual run on main, for a commit in the history" \
  "of $built, among the last 40 runs of live.yml" >&2
exit 1
