"""The guide, step by step, as the live replay runs it, and the teardown that always follows.

`replay_guide` is what a reader of the guide does, in the same order: a secret for the Kaggle
token, a network volume, pod 1, setup.sh, the Python env on the volume, a marker, pod 1 gone,
pod 2 on the same volume, the checks that the volume kept everything, pod 2 gone. It reads
the same against the real Runpod and the fake: the differences live in live/targets.py.
"""

from __future__ import annotations

import contextlib

from live import billing, checks, pods, registry
from live.preflight import preflight
from live.report import StepFailed
from live.run import Run

# Step name -> what it checks. The order is the replay's order; page_steps.yml maps pages to
# these names (tests/live/test_verified.py keeps the two in sync).
CHECKS: dict[str, str] = {
    "preflight": "API key present; the settings fit two image pulls, the wall-time budget and "
    "the cost cap in the worst case; data centers and GPUs exist and are in stock "
    "under the price cap; prices recorded; ssh tools present",
    "secret_create": "a per-run dummy Kaggle token is stored as a Runpod secret and the API "
    "response does not echo it",
    "volume_create": "a network volume of the smallest allowed size is created",
    "pod1_deploy": "the cheapest GPU under the max price is rented with the recommended image, "
    "the volume, the secret and a watchdog (the pod ends itself when the run's "
    "budget is up), falling back over GPU types and data centers",
    "pod1_ready": "the pod's SSH server answers and accepts the run's key (the image pull "
    "finishes within the per-pod wait)",
    "setup_first": "snippets/setup.sh succeeds on a fresh pod and writes the Kaggle token file",
    "setup_again": "snippets/setup.sh succeeds a second time and leaves the token file as is",
    "kaggle_auth": "snippets/check-secrets.sh finds the Kaggle token without printing it; the "
    "pod's token equals the stored secret (by hash); token file mode 600",
    "versions": "python3, CUDA and torch in the pod match snippets/recommended_image.toml",
    "gpu_check": "import torch and torchvision, a matmul on cuda equal to the CPU's and "
    "torchvision's nms on cuda, with their timings",
    "python_env": "snippets/python-env-uv.sh builds the project environment on the volume",
    "marker_write": "a marker with the run id is written to the volume",
    "pod1_terminate": "pod 1 is terminated and leaves the pod list",
    "pod2_deploy": "a second pod starts on the same volume",
    "pod2_ready": "pod 2 accepts SSH",
    "pod2_marker": "pod 2 is a fresh machine (new HOME) and sees pod 1's marker on the volume",
    "pod2_env": "on pod 2 an offline uv sync installs nothing and the environment on the volume "
    "holds the same distributions, by content hash, as on pod 1",
    "auto_stop": "snippets/auto-stop.sh runs a command on pod 2, then the pod ends itself with "
    "its own key: the replay sees it leave RUNNING",
    "pod2_terminate": "pod 2 is gone from the pod list (ended by auto-stop.sh, else terminated)",
    "pods_cleanup": "no pod with this run's name is left (terminates leftovers)",
    "volume_delete": "the run's network volume is deleted (retried while still in use)",
    "secret_delete": "the run's secret is deleted",
    "leak_check": "the API lists no pod, volume or secret with this run's name",
    "billing": "what Runpod billed for the run's pods is read (GET /v2/billing/pods, the hour "
    "buckets covering the run) and recorded next to the estimate, with the time",
}


def replay_guide(run: Run) -> None:
    """The guide's steps in the guide's order; the first one that fails stops the run."""
    step = run.step
    step("preflight", preflight, run)
    step("secret_create", run.create_secret)
    step("volume_create", run.create_volume)

    pod1 = step("pod1_deploy", pods.deploy, run, "pod1")
    pod1 = step("pod1_ready", pods.wait_ready, run, pod1)
    token_file = step("setup_first", checks.setup_first, run, pod1)
    step("setup_again", checks.setup_again, run, pod1, token_file)
    step("kaggle_auth", checks.kaggle_auth, run, pod1, token_file)
    step("versions", checks.versions, run, pod1)
    step("gpu_check", checks.gpu_check, run, pod1)
    env = step("python_env", checks.build_env, run, pod1)
    step("marker_write", checks.write_marker, run, pod1)
    step("pod1_terminate", pods.terminate, run, pod1)

    pod2 = step("pod2_deploy", pods.deploy, run, "pod2")
    pod2 = step("pod2_ready", pods.wait_ready, run, pod2)
    step("pod2_marker", checks.check_marker, run, pod2)
    step("pod2_env", checks.check_env_again, run, pod2, env)
    step("auto_stop", checks.auto_stop, run, pod2)
    step("pod2_terminate", pods.terminate, run, pod2)


def tear_down(run: Run) -> None:
    """Runs whatever happened before. One step per kind of the registry, in its order, so
    one failure does not stop the others; everything is also looked up by this run's
    names, to catch what a call that failed before answering may have created."""
    known = {
        "pod": set(run.made.pods),
        "volume": {run.made.volume["id"]} if run.made.volume else set(),
        "secret": {run.made.secret_id} if run.made.secret_id else set(),
    }
    for kind in registry.kinds():
        with contextlib.suppress(Exception):  # recorded in the report as the step's failure
            run.step(kind.step, _remove_kind, run, kind, known[kind.name])
    run.made.pods.clear()
    run.made.volume = None
    with contextlib.suppress(Exception):  # recorded; `leaked` stays null: nothing proven
        run.step("leak_check", _leak_check, run)
    run.update_cost()
    with contextlib.suppress(Exception):  # recorded; `billed` stays null
        run.step("billing", _billing, run)


def _billing(run: Run) -> None:
    run.report.billed = billing.read_billed(run.made.roles, run.report.started)
    run.note(
        billing.describe(run.report.billed, run.report.estimated_cost_usd),
        run.target.name == "fake",
    )


def _remove_kind(run: Run, kind: registry.Kind, known: set[str]) -> None:
    named = {
        item.id
        for item in registry.listed(kind)
        if item.ours is not None and item.ours.run_id == run.run_id
    }
    ids = sorted(known | named)
    errors = registry.remove(kind, ids, timeout=run.timeout(run.s.gone_timeout), poll=run.poll())
    if errors:
        raise StepFailed("; ".join(map(str, errors)))
    extra = len(named - known)
    run.note(f"removed {len(ids)} {kind.name}(s)" + (f" (+{extra} found by name)" if extra else ""))


def _leak_check(run: Run) -> None:
    found = registry.find(registry.of_run(run.run_id))
    run.report.leaked = [item.as_dict() for item in found.ours]
    if run.report.leaked:
        raise StepFailed(f"still listed: {run.report.leaked}")
    run.note("no pod, volume or secret with this run's name")
