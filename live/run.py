"""One replay in progress: what it has made, its secret and volume, and its plumbing.

Every call to Runpod goes through the reader-facing `snippets` package (REST v2), so the
replay proves the code the pages show. Names come from live/naming.py (unique to the run, so
a lost create is found by its name); deletes go through the registry (live/registry.py) that
the teardown and the sweeper share. The pods' moves are live/pods.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from live import naming, registry
from live.report import StepFailed

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"


@dataclass
class Made:
    """What this run created, with start times for the cost estimate."""

    secret_id: str | None = None
    volume: dict | None = None
    volume_started: float = 0.0
    pods: dict[str, dict] = field(default_factory=dict)  # id -> {"price", "started"}
    roles: dict[str, str] = field(default_factory=dict)  # id -> pod1/pod2, every pod made
    spent: float = 0.0  # dollars of pods and volumes already gone


class Run:
    def __init__(self, settings, target, plan, report, redactor, scratch) -> None:
        from snippets import api

        self.s, self.target, self.plan = settings, target, plan
        self.report, self.redactor, self.scratch = report, redactor, scratch
        self.run_id = report.run_id
        self.identity = scratch.path / "id_ed25519"
        self.public_key = self.token = ""
        self.made = Made()
        self.offers: dict[str, list[dict]] = {}
        self.image = api.load_recommended()["image"]
        # The run's end on this machine's clock: each pod's watchdog is set to what is left.
        self.deadline = time.monotonic() + target.wall(plan)[0]
        self._current = None

    # ---- plumbing ---------------------------------------------------------------------------
    def step(self, name: str, action, *args, **kwargs):
        """Run one step of the guide as report step `name`; returns what the action returns."""
        with self.report.step(name) as record:
            self._current = record
            try:
                return action(*args, **kwargs)
            finally:
                self._current = None

    def note(self, detail: str, rehearsal: bool = False) -> None:
        """What the current step saw (goes into the report, scrubbed)."""
        self._current.detail = detail
        self._current.rehearsal = self._current.rehearsal or rehearsal

    def name(self, role: str) -> str:
        return naming.resource_name(self.run_id, role)

    def timeout(self, seconds: float) -> float:
        """A limit of Runpod time, on the target's clock."""
        return self.target.timeout(seconds)

    def poll(self) -> float:
        return self.target.poll(self.s.poll)

    def sh(
        self, pod: dict, command: str, check: bool = True, stdin: str | None = None
    ) -> tuple[int, str, str]:
        """Run a command on a pod with snippets.remote, as the reader's terminal would.
        Runpod's images keep the pod env for SSH shells in /etc/rp_environment."""
        from snippets import remote

        wrapped = f"[ -r /etc/rp_environment ] && . /etc/rp_environment; {command}"
        done = remote.run(pod, wrapped, str(self.identity), stdin=stdin, check=False)
        out, err = (
            x.decode("utf-8", "replace") if isinstance(x, bytes) else (x or "")
            for x in (done.stdout, done.stderr)
        )
        if self.token and (self.token in out or self.token in err):
            raise StepFailed(f"the secret value appeared in the output of: {command}")
        if check and done.returncode != 0:
            raise StepFailed(
                f"`{command}` exited {done.returncode}: {self.redactor.scrub((err or out)[-800:])}"
            )
        return done.returncode, out, err

    def put(self, pod: dict, local: Path, remote_name: str | None = None) -> str:
        """Upload a file (a snippet by default) into the pod's HOME; returns its remote name."""
        from snippets import remote

        remote_name = remote_name or f"kgl-{local.name}"
        remote.upload(pod, str(local), remote_name, str(self.identity))
        return remote_name

    def runpod_seconds(self, since: float) -> float:
        """Seconds since a moment of this machine's clock, on Runpod's clock (on the fake,
        which bills its scaled time, a second here is 1/time_scale seconds there)."""
        return (time.monotonic() - since) / self.target.time_scale

    def update_cost(self) -> None:
        """Dollars so far: each pod's list price and the volume's, for the time they exist
        (on the fake: the same arithmetic on its clock, against its own meter)."""
        cost = self.made.spent
        for held in self.made.pods.values():
            cost += held["price"] * self.runpod_seconds(held["started"]) / 3600
        if self.made.volume:
            cost += self.plan.volume.cost(
                self.s.volume_gb, self.runpod_seconds(self.made.volume_started)
            )
        self.report.estimated_cost_usd = cost

    # ---- secret and volume ----------------------------------------------------------------
    def create_secret(self) -> None:
        import secrets as random

        from snippets import secret

        self.token = "KGAT_" + random.token_hex(16)  # a dummy Kaggle token, new each run
        self.redactor.add(self.token)
        made = secret.create_secret(
            self.name("kaggle"),
            self.token,
            description="kgl-live dummy Kaggle token",
            unique_name=True,
        )
        self.made.secret_id = made["id"]
        if self.token in repr(made):
            raise StepFailed("the API echoed the secret value")
        self.note(f"secret {made.get('name')}")

    def create_volume(self) -> None:
        """In the first data center where the preflight saw a GPU the run may rent."""
        from live.preflight import first_affordable_center

        made = self.new_volume(first_affordable_center(self.s, self.offers))
        self.note(f"{made.get('size')} GB in {made.get('dataCenter')}")

    def new_volume(self, data_center: str) -> dict:
        from snippets import volume

        made = volume.create_volume(
            self.name("vol"), self.s.volume_gb, data_center, unique_name=True
        )
        self.made.volume, self.made.volume_started = made, time.monotonic()
        return made

    def drop_volume(self) -> None:
        """Delete the run's volume (to follow capacity to another data center)."""
        if not self.made.volume:
            return
        self.remove("volume", [self.made.volume["id"]])
        self.made.spent += self.plan.volume.cost(
            self.s.volume_gb, self.runpod_seconds(self.made.volume_started)
        )
        self.made.volume = None

    def remove(self, kind: str, ids: list[str]) -> None:
        errors = registry.remove(
            registry.kind(kind), ids, timeout=self.timeout(self.s.gone_timeout), poll=self.poll()
        )
        if errors:
            raise StepFailed("; ".join(map(str, errors)))
