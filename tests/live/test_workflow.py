""".github/workflows/live.yml and sweep.yml: nightly, manual and the frequent sweep only,
one live run at a time, never cancelled halfway, bounded in time, least permissions, the key
only in the steps that use it and never in a step that installs anything, actions pinned by
commit, the sweep always after the live job, a read-only plan on demand, the report uploaded
as "live-report"; and live/fetch_latest_report.sh, which the Pages build uses to download
it, taking only a report that proves the commit being built."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from live.cost import SWEEP_AGE_MINUTES, SWEEP_EVERY_MINUTES
from tests.live.conftest import ROOT

WORKFLOW = ROOT / ".github/workflows/live.yml"
SWEEP = ROOT / ".github/workflows/sweep.yml"
FETCH = ROOT / "live/fetch_latest_report.sh"
README = ROOT / "live/README.md"


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as True
    return data


@pytest.fixture(scope="module")
def flow() -> dict:
    return load(WORKFLOW)


@pytest.fixture(scope="module")
def sweep_flow() -> dict:
    return load(SWEEP)


def keyed_steps(data: dict) -> list[tuple[str, dict]]:
    return [
        (name, step)
        for name, job in data["jobs"].items()
        for step in job["steps"]
        if "secrets." in json.dumps(step)
    ]


def test_triggers_are_nightly_manual_and_the_frequent_sweep_only(flow, sweep_flow):
    assert set(flow["on"]) == {"schedule", "workflow_dispatch"}
    assert set(sweep_flow["on"]) == {"schedule", "workflow_dispatch"}
    for path in (WORKFLOW, SWEEP):
        assert "pull_request" not in path.read_text()
    assert len(flow["on"]["schedule"][0]["cron"].split()) == 5
    assert flow["on"]["workflow_dispatch"]["inputs"]["plan"] == {
        "description": flow["on"]["workflow_dispatch"]["inputs"]["plan"]["description"],
        "type": "boolean",
        "default": False,
    }


def test_the_frequent_sweep_is_the_one_the_plan_counts_on(sweep_flow):
    """Every SWEEP_EVERY_MINUTES, runs older than SWEEP_AGE_MINUTES (live/cost.py), always
    with --yes; --plan derives the worst case from exactly these numbers."""
    assert sweep_flow["on"]["schedule"] == [{"cron": f"*/{SWEEP_EVERY_MINUTES} * * * *"}]
    step = sweep_flow["jobs"]["sweep"]["steps"][-1]
    assert step["run"] == (
        f".venv/bin/python -m live.sweep --yes --older-than {SWEEP_AGE_MINUTES}m"
    )
    assert sweep_flow["concurrency"]["cancel-in-progress"] is False


def live_env(flow) -> dict:
    return next(
        s
        for s in flow["jobs"]["live"]["steps"]
        if s.get("run") == ".venv/bin/python -m live.replay --target real"
    )["env"]


def test_one_run_at_a_time_never_cancelled_and_time_bounded(flow, sweep_flow):
    assert flow["concurrency"]["cancel-in-progress"] is False
    assert flow["concurrency"]["group"]
    for data in (flow, sweep_flow):
        for name, job in data["jobs"].items():
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
    env.pop("LIVE_REGISTRY_ID")  # a secret's value, not known here
    plan = make_plan(Settings.from_env(env), volume_price())
    assert plan.problems == ()
    assert plan.worst_seconds <= 40 * 60 and plan.worst_usd <= 0.40
    assert plan.typical_seconds <= 20 * 60 and plan.typical_usd <= 0.15


def test_a_manual_plan_is_read_only_with_the_nights_settings(flow):
    """workflow_dispatch with plan=true runs only `--plan` (with the real key: it reads
    prices and leftovers) under the same settings; no run id, no replay, no sweep."""
    plan = flow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'workflow_dispatch' && inputs.plan"
    assert flow["jobs"]["run-id"]["if"] == "github.event_name == 'schedule' || !inputs.plan"
    step = plan["steps"][-1]
    assert step["run"] == ".venv/bin/python -m live.replay --target real --plan"
    settings = {k: v for k, v in step["env"].items() if k.startswith("LIVE_")}
    assert settings == {
        k: v
        for k, v in live_env(flow).items()
        if k.startswith("LIVE_") and k not in ("LIVE_RUN_ID", "LIVE_REPORT")
    }
    assert "live" not in plan.get("needs", []) and "run-id" in flow["jobs"]["live"]["needs"]


def test_the_code_that_holds_the_key_gets_the_security_lint():
    """ruff's S (bandit) rules apply to live/, with no per-file exceptions for it (make lint
    runs ruff over the tree)."""
    import tomllib

    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in ruff["select"]
    assert not any(
        pattern.startswith(("live", "./live", "**")) or "live/" in pattern
        for pattern in ruff.get("per-file-ignores", {})
    )


def test_least_permissions_and_the_key_only_in_step_env(flow, sweep_flow):
    for data in (flow, sweep_flow):
        assert data["permissions"] == {"contents": "read"}
        assert "env" not in data and all("env" not in job for job in data["jobs"].values())
    assert WORKFLOW.read_text().count("secrets.RUNPOD_API_KEY") == 3
    assert SWEEP.read_text().count("secrets.RUNPOD_API_KEY") == 1
    users = keyed_steps(flow)
    assert {name for name, _ in users} == {"plan", "live", "sweep"}
    assert {name for name, _ in keyed_steps(sweep_flow)} == {"sweep"}
    for _, step in users + keyed_steps(sweep_flow):
        assert "secrets." not in step.get("run", "") and "secrets." not in json.dumps(
            step.get("with", {})
        )
        assert step["env"]["RUNPOD_API_KEY"] == "${{ secrets.RUNPOD_API_KEY }}"


INSTALLS = re.compile(r"\b(make|pip|uv|npm|npx|apt-get|curl|wget)\b")


def test_dependencies_are_installed_in_a_step_without_the_key(flow, sweep_flow):
    """Installing runs third-party code (build hooks, post-install scripts): the key's steps
    only run what is already installed, and each job installs first, keyless."""
    for data in (flow, sweep_flow):
        for name, job in data["jobs"].items():
            steps = job["steps"]
            keyed = [i for i, step in enumerate(steps) if "secrets." in json.dumps(step)]
            if not keyed:
                continue
            install = next(
                i
                for i, step in enumerate(steps)
                if step.get("run") in ("make .venv/.synced", "make live-env")
            )
            assert install < min(keyed) and "env" not in steps[install], name
            for i in keyed:
                assert not INSTALLS.search(steps[i]["run"]), steps[i]["run"]
                assert steps[i]["run"].count(".venv/bin/python -m live.") >= 1


def test_actions_are_pinned_by_full_commit_sha():
    for path in (WORKFLOW, SWEEP):
        uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text())
        assert uses
        for action, comment in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
            assert re.search(r"# v\d+\.\d+\.\d+", comment), f"{action}: name the version"
        for step in [
            s
            for job in load(path)["jobs"].values()
            for s in job["steps"]
            if "actions/checkout" in s.get("uses", "")
        ]:
            assert step["with"]["persist-credentials"] is False


def test_sweep_always_runs_after_live_and_report_is_the_live_report_artifact(flow):
    sweep = flow["jobs"]["sweep"]
    assert sweep["if"] == "always() && needs.run-id.result == 'success'"
    assert "live" in sweep["needs"]
    assert "--run-id" in sweep["steps"][-1]["run"] and "live.sweep" in sweep["steps"][-1]["run"]
    upload = next(
        s for s in flow["jobs"]["live"]["steps"] if "upload-artifact" in s.get("uses", "")
    )
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == "live-report"
    assert upload["with"]["path"] == "reports/live-report.json"


def test_the_readme_says_how_the_environment_must_be_set():
    text = README.read_text(encoding="utf-8")
    assert "runpod-live" in text
    assert re.search(r"main.{0,40}だけ", text), "the environment must allow main only"
    assert re.search(r"レビュー.{0,80}(付けない|付けません)", text), "no reviewer on the sweep"


# ---- fetch_latest_report.sh, with a stand-in `gh` ----------------------------------------
GH = """#!/usr/bin/env bash
echo "$*" >>"$GH_LOG"
case "$1 $2" in
  "run list") printf '%s' "$GH_RUNS" ;;
  "run download")
    run="$3"; dir="${@: -1}"
    commit="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' \
      "$GH_REPORTS" "$run")"
    if [[ -n "$commit" ]]; then
      mkdir -p "$dir"
      echo "{\\"run\\": $run, \\"commit\\": \\"$commit\\"}" >"$dir/live-report.json"
    else
      echo "no valid artifacts found to download" >&2; exit 1
    fi ;;
  "api repos/"*)
    python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], "diverged"))' \
      "$GH_COMPARE" "${2##*/compare/}" ;;
esac
"""
BUILT = "b" * 40


def sha(n: int) -> str:
    return f"{n:040x}"


def run_row(run_id: int, commit: str, event: str = "schedule", branch: str = "main") -> dict:
    return {"databaseId": run_id, "headSha": commit, "event": event, "headBranch": branch}


def fetch(
    tmp_path: Path,
    runs: list[dict],
    reports: dict[int, str],
    compare: dict[str, str] | None = None,
    built: str | None = BUILT,
    cwd: Path | None = None,
) -> tuple[subprocess.CompletedProcess, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(GH)
    (bin_dir / "gh").chmod(0o755)
    out = tmp_path / "reports" / "live-report.json"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_RUNS": json.dumps(runs),
        "GH_REPORTS": json.dumps({str(k): v for k, v in reports.items()}),
        "GH_COMPARE": json.dumps(compare or {}),
        "LIVE_REPORT": str(out),
        "GITHUB_REPOSITORY": "runpod-kaggle/guide",
    }
    if built:
        env["GITHUB_SHA"] = built
    done = subprocess.run(
        ["bash", str(FETCH)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd or tmp_path,
    )
    return done, out


def downloads(tmp_path: Path) -> list[str]:
    log = (tmp_path / "gh.log").read_text().splitlines()
    return [line.split()[2] for line in log if line.startswith("run download")]


def test_fetch_takes_only_nightly_or_manual_runs_on_main(tmp_path):
    runs = [
        run_row(906, sha(6), event="pull_request"),
        run_row(905, sha(5), branch="feature"),
        run_row(904, sha(4), event="push"),
        run_row(903, sha(3)),
        run_row(902, sha(2), event="workflow_dispatch"),
        run_row(901, sha(1)),
    ]
    reports = {n: sha(n - 900) for n in (906, 905, 904, 902, 901)}  # 903's has expired
    done, out = fetch(tmp_path, runs, reports, {f"{sha(2)}...{BUILT}": "ahead"})
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text()) == {"run": 902, "commit": sha(2)}
    assert downloads(tmp_path) == ["903", "902"]  # never the others' artifacts
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert log[0].startswith(
        "run list --repo runpod-kaggle/guide --workflow live.yml --branch main --status completed"
    )


def test_fetch_refuses_a_report_of_code_the_build_does_not_hold(tmp_path):
    """A report from a commit that is not in the built commit's history (a later main, a
    rewritten history), or whose commit is not its run's own, stamps nothing."""
    runs = [run_row(903, sha(3)), run_row(902, sha(2)), run_row(901, sha(1))]
    reports = {903: sha(3), 902: sha(7), 901: sha(1)}  # 902's names another commit
    compare = {f"{sha(3)}...{BUILT}": "behind", f"{sha(1)}...{BUILT}": "identical"}
    done, out = fetch(tmp_path, runs, reports, compare)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["run"] == 901
    assert "not in the history" in done.stderr and "not the run's" in done.stderr


def test_fetch_without_any_acceptable_report_fails_and_writes_nothing(tmp_path):
    done, out = fetch(
        tmp_path,
        [run_row(902, sha(2)), run_row(901, sha(1))],
        {902: sha(2)},
        {f"{sha(2)}...{BUILT}": "diverged"},
    )
    assert done.returncode == 1
    assert "no live-report artifact" in done.stderr
    assert not out.exists()


def test_fetch_reads_ancestry_from_the_local_history_when_it_has_it(tmp_path):
    repo = tmp_path / "repo"
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    commits = []
    for n in range(2):
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", f"c{n}"], check=True)
        commits.append(
            subprocess.run(
                [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
    done, out = fetch(tmp_path, [run_row(901, commits[0])], {901: commits[0]}, built=None, cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["commit"] == commits[0]
    assert not any(
        line.startswith("api") for line in (tmp_path / "gh.log").read_text().splitlines()
    )
