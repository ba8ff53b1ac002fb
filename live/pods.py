"""The replay's pods: deploy with fall-back over GPUs and data centers, wait until SSH
answers, terminate. Through `snippets.pod` (REST v2), as the guide's `pod up` does.

Each pod carries a watchdog (`deploy_pod(max_hours=...)`): the pod ends itself with its own
key when the run's budget is up, even if this machine is gone (live/cost.py says what that
bounds). The optional registry credential (LIVE_REGISTRY_ID) authenticates the image pull.
"""

from __future__ import annotations

import time

from live.report import StepFailed
from live.run import Run


def deploy(run: Run, role: str) -> dict:
    """The cheapest GPUs under the price cap, in the volume's data center first; pod 1 may
    move the volume on to the next data center when none has capacity."""
    volume_center = run.made.volume["dataCenter"]
    centers = [volume_center] + (
        [c for c in run.s.data_centers if c != volume_center] if role == "pod1" else []
    )
    attempts: list[str] = []
    for center in centers:
        if run.made.volume is None or run.made.volume["dataCenter"] != center:
            run.drop_volume()  # a volume lives in one data center: follow the capacity
            run.new_volume(center)
            attempts.append(f"volume moved to {center}")
        made = _deploy_in(run, center, role, attempts)
        if made is not None:
            return made
    raise StepFailed("no capacity anywhere: " + "; ".join(attempts))


def watchdog_hours(run: Run) -> float:
    """What is left of the run's budget, in hours (Runpod's clock): a pod deployed now is
    never needed longer, and its watchdog ends it then if nobody else did."""
    return run.target.watchdog_hours(run.deadline - time.monotonic())


def _deploy_in(run: Run, center: str, role: str, attempts: list[str]) -> dict | None:
    from live.preflight import affordable
    from snippets import errors, pod, pricing, secret

    candidates = affordable(run.s, pricing.gpu_offers(center))
    if not candidates:
        attempts.append(f"{center}: no GPU in stock under ${run.s.max_price}/h")
    for gpu in candidates:
        hours = watchdog_hours(run)
        try:
            made = pod.deploy_pod(
                run.made.volume["id"],
                gpu_type_id=gpu["id"],
                max_price=run.s.max_price,
                env=secret.secret_env("KAGGLE_API_TOKEN", run.name("kaggle")),
                name=run.name(role),
                public_key=run.public_key,
                image=run.image["name"],
                max_hours=hours,
                registry=run.s.registry_id,
            )
        except errors.NoCapacity as error:
            attempts.append(f"{center}/{gpu['id']}: {error}")
            continue
        except errors.MaybeCreated as error:
            if error.candidates:  # something appeared: the step fails, the teardown
                raise  # removes everything with the run's names
            # A create that showed nothing in the list for a minute: most likely never made.
            # The next try is safe: whatever carries this run's name goes at the teardown,
            # and a late one carries its own watchdog.
            attempts.append(f"{center}/{gpu['id']}: {type(error).__name__}: {error}")
            continue
        _record(run, made, gpu, center, role)
        pull = "authenticated pull" if run.s.registry_id else "anonymous pull"
        run.note(
            "; ".join(
                [
                    *attempts,
                    f"{gpu['id']} in {center} at ${gpu['price']}/h, "
                    f"watchdog after {hours * 60:.1f} min, {pull}",
                ]
            )
        )
        return made
    return None


def _record(run: Run, made: dict, gpu: dict, center: str, role: str) -> None:
    run.made.pods[made["id"]] = {"price": float(gpu["price"]), "started": time.monotonic()}
    run.made.roles[made["id"]] = role
    if role == "pod1":
        report = run.report
        report.gpu_type, report.gpu_name = gpu["id"], gpu.get("name") or gpu["id"]
        report.data_center, report.price_per_hour = center, float(gpu["price"])


def wait_ready(run: Run, made: dict) -> dict:
    """Until the pod's SSH server answers (the image pull takes minutes), then log in. The
    host's log lines (the pull) go to the log as they come, and into the report when the
    pod fails."""
    from snippets import errors, pod

    started, said = time.monotonic(), [0.0]

    def progress(text: str, log: bool = False) -> None:
        if log:  # Runpod's own lines: each is shown once
            run.redactor.say(f"  {made['id']}: {text}")
        elif time.monotonic() - said[0] >= run.target.poll(60):  # one line a minute
            said[0] = time.monotonic()
            waited = (said[0] - started) / run.target.time_scale
            run.redactor.say(f"  {made['id']}: {text} ({waited / 60:.0f} min)")

    try:
        running = pod.wait_until_ready(
            made["id"], timeout=run.timeout(run.s.ready_timeout), poll=run.poll(), progress=progress
        )
    except errors.PodFailed as failed:  # the report keeps what Runpod's log said
        lines = "\n".join(f"  {line}" for line in failed.log_lines[-20:])
        raise StepFailed(f"PodFailed: {failed}\nthe pod's system log:\n{lines}") from None
    waited = (time.monotonic() - started) / run.target.time_scale
    host, port = pod.ssh_endpoint(running)
    run.sh(running, "true")
    run.note(
        f"SSH {host}:{port} accepts the run's key; ready after {waited:.0f} s "
        f"(limit {run.s.ready_timeout:g} s)"
    )
    return running


def terminate(run: Run, made: dict) -> None:
    run.remove("pod", [made["id"]])
    run.note(f"pod {made['id']} is gone from the pod list")
    held = run.made.pods.pop(made["id"], None)
    if held:
        run.made.spent += held["price"] * run.runpod_seconds(held["started"]) / 3600
