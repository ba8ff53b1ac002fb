""".github/workflows/live.yml: nightly and manual only, one run at a time, never cancelled
halfway, bounded in time, least permissions, the key only where it is used, actions pinned
by commit, the sweep always after the live job, the report uploaded as "live-report";
and live/fetch_latest_report.sh, which the Pages build uses to download it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.live.conftest import ROOT

WORKFLOW = ROOT / ".github/workflows/live.yml"
FETCH = ROOT / "live/fetch_latest_report.sh"


@pytest.fixture(scope="module")
def flow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as True
    return data


def test_triggers_are_nightly_and_manual_only(flow):
    assert set(flow["on"]) == {"schedule", "workflow_dispatch"}
    assert "pull_request" not in WORKFLOW.read_text() and "pull_request_target" not in flow["on"]
    assert len(flow["on"]["schedule"][0]["cron"].split()) == 5


def live_env(flow) -> dict:
    return next(s for s in flow["jobs"]["live"]["steps"] if s.get("run") == "make live")["env"]


def test_one_run_at_a_time_never_cancelled_and_time_bounded(flow):
    assert flow["concurrency"]["cancel-in-progress"] is False
    assert flow["concurrency"]["group"]
    for name, job in flow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 45, name
    # The replay's own budget ends well before the job's (which also installs the venv).
    env = live_env(flow)
    assert float(env["LIVE_MAX_MINUTES"]) + 5 <= flow["jobs"]["live"]["timeout-minutes"]
    assert float(env["LIVE_MAX_COST"]) <= 0.40


def test_the_nights_settings_pass_the_preflight_within_the_budgets(flow):
    """Worst case <= 40 min and <= $0.40, typical <= 20 min and <= $0.15 (issue budgets),
    computed from exactly what the workflow sets."""
    from live.cost import make_plan, volume_price
    from live.settings import Settings

    env = {k: v for k, v in live_env(flow).items() if k.startswith("LIVE_")}
    plan = make_plan(Settings.from_env(env), volume_price())
    assert plan.problems == ()
    assert plan.worst_seconds <= 40 * 60 and plan.worst_usd <= 0.40
    assert plan.typical_seconds <= 20 * 60 and plan.typical_usd <= 0.15


def test_the_code_that_holds_the_key_gets_the_security_lint():
    """ruff's S (bandit) rules apply to live/, with no per-file exceptions for it."""
    import tomllib

    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in ruff["select"]
    assert not any(pattern.startswith(("live", "./live", "**")) or "live/" in pattern
                   for pattern in ruff.get("per-file-ignores", {}))
    done = subprocess.run([str(ROOT / ".venv/bin/ruff"), "check", "live"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout


def test_least_permissions_and_the_key_only_in_step_env(flow):
    assert flow["permissions"] == {"contents": "read"}
    text = WORKFLOW.read_text()
    assert text.count("secrets.RUNPOD_API_KEY") == 2
    assert "env" not in flow and all("env" not in job for job in flow["jobs"].values())
    users = [(name, step) for name, job in flow["jobs"].items() for step in job["steps"]
             if "secrets." in json.dumps(step)]
    assert {name for name, _ in users} == {"live", "sweep"}
    for _, step in users:
        assert "secrets." not in step.get("run", "") and "secrets." not in json.dumps(
            step.get("with", {}))
        assert step["env"]["RUNPOD_API_KEY"] == "${{ secrets.RUNPOD_API_KEY }}"


def test_actions_are_pinned_by_full_commit_sha():
    uses = re.findall(r"uses:\s*(\S+)(.*)", WORKFLOW.read_text())
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.search(r"# v\d+\.\d+\.\d+", comment), f"{action}: name the version"
    for step in [s for job in yaml.safe_load(WORKFLOW.read_text())["jobs"].values()
                 for s in job["steps"] if "actions/checkout" in s.get("uses", "")]:
        assert step["with"]["persist-credentials"] is False


def test_sweep_always_runs_after_live_and_report_is_the_live_report_artifact(flow):
    sweep = flow["jobs"]["sweep"]
    assert sweep["if"] == "always()" and "live" in sweep["needs"]
    assert "--run-id" in sweep["steps"][-1]["run"] and "make sweep" in sweep["steps"][-1]["run"]
    upload = next(s for s in flow["jobs"]["live"]["steps"]
                  if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == "live-report"
    assert upload["with"]["path"] == "reports/live-report.json"


@pytest.mark.skipif(not (ROOT / ".venv/bin/zizmor").exists(), reason="zizmor not installed")
def test_zizmor_finds_nothing():
    done = subprocess.run([str(ROOT / ".venv/bin/zizmor"), "--offline", "--persona=auditor",
                           str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


# ---- fetch_latest_report.sh, with a stand-in `gh` ----------------------------------------
GH = """#!/usr/bin/env bash
echo "$*" >>"$GH_LOG"
case "$1 $2" in
  "run list") printf '%s\\n' $GH_RUNS ;;
  "run download")
    run="$3"; dir="${@: -1}"
    if [[ " $GH_WITH_ARTIFACT " == *" $run "* ]]; then
      mkdir -p "$dir"; echo "{\\"run\\": $run}" >"$dir/live-report.json"
    else
      echo "no valid artifacts found to download" >&2; exit 1
    fi ;;
esac
"""


def fetch(tmp_path: Path, runs: str, with_artifact: str) -> tuple[subprocess.CompletedProcess,
                                                                    Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(GH)
    (bin_dir / "gh").chmod(0o755)
    out = tmp_path / "reports" / "live-report.json"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GH_LOG": str(tmp_path / "gh.log"),
           "GH_RUNS": runs, "GH_WITH_ARTIFACT": with_artifact, "LIVE_REPORT": str(out),
           "GITHUB_REPOSITORY": "runpod-kaggle/guide"}
    done = subprocess.run(["bash", str(FETCH)], env=env, capture_output=True, text=True,
                          timeout=30, cwd=tmp_path)
    return done, out


def test_fetch_takes_the_newest_run_that_still_has_the_artifact(tmp_path):
    done, out = fetch(tmp_path, "903 902 901", "902 901")
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text()) == {"run": 902}
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert log[0].startswith("run list --repo runpod-kaggle/guide --workflow live.yml")
    # Newest first; stops at the first run with the artifact.
    assert [line.split()[2] for line in log[1:]] == ["903", "902"]
    assert all("--name live-report" in line for line in log[1:])


def test_fetch_without_any_report_fails_and_writes_nothing(tmp_path):
    done, out = fetch(tmp_path, "903 902", "")
    assert done.returncode == 1
    assert "no live-report artifact" in done.stderr
    assert not out.exists()


@pytest.mark.skipif(not shutil.which("shellcheck") and not (ROOT / ".venv/bin/shellcheck")
                    .exists(), reason="shellcheck not installed")
def test_fetch_script_passes_shellcheck():
    shellcheck = shutil.which("shellcheck") or str(ROOT / ".venv/bin/shellcheck")
    done = subprocess.run([shellcheck, str(FETCH)], capture_output=True, text=True,
                          env={**os.environ})
    assert done.returncode == 0, done.stdout
