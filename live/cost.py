"""What a run may take and cost, worked out from the settings before anything is created.

The worst time takes every wait at its limit: two image pulls (each pod waits up to
LIVE_READY_TIMEOUT), two deletes that are slow to show, the commands on the pods, and the
time kept for the teardown; the wall-time alarm (LIVE_MAX_MINUTES) ends the run there.

The worst bill is what the safeguards that need neither the runner nor GraphQL bound, when
the run's own teardown and the workflow's sweep job after it both fail (REST v2 has no
server-side terminateAfter):
- each pod's watchdog (`deploy_pod(max_hours=...)`, armed in the pod's start command, ends
  the pod with its own pod-scoped key) is set to the time left in the run's budget at the
  deploy, and counts from the container's start, which comes after the image pull: a pod
  ends at most LIVE_MAX_MINUTES + LIVE_PULL_MINUTES after the run's start;
- the frequent sweep (every SWEEP_EVERY_MINUTES, runs older than SWEEP_AGE_MINUTES with no
  newer activity) removes the volume and the secret, and is the only bound on a pod if its
  watchdog fails (the bill then shown beside the worst case, not under the cap: whether a
  pod's own key may end its pod is a guess that each night's auto_stop step settles).
The typical case: a quicker pull (LIVE_TYPICAL_PULL_MINUTES), the rest as budgeted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from live.settings import Settings
from site_hooks.pricebook import HOURS_PER_MONTH  # Runpod bills a volume hourly

PRICES = Path(__file__).resolve().parents[1] / "data" / "prices.toml"
API_SECONDS = 120  # creating the secret and the volume, deploying with fall-backs
BOOT_SECONDS = 60  # after the image is on the host: the image's start.sh, sshd
TYPICAL_TEARDOWN_SECONDS = 60
# The frequent sweep (.github/workflows/sweep.yml; tests/live/test_workflow.py holds the
# workflow to these numbers). Its age must exceed a run's whole life, counted from the time
# in the run's id: LIVE_MAX_MINUTES plus naming.MAX_ID_AGE.
SWEEP_EVERY_MINUTES = 30
SWEEP_AGE_MINUTES = 50


@dataclass(frozen=True)
class VolumePrice:
    usd_per_gb_month: float
    source: str
    checked: str
    tier: str = "STANDARD"

    def cost(self, size_gb: float, seconds: float) -> float:
        return size_gb * self.usd_per_gb_month / HOURS_PER_MONTH * seconds / 3600


def volume_price(path: Path = PRICES) -> VolumePrice:
    """The standard network volume price from data/prices.toml ([storage.runpod_volume])."""
    with path.open("rb") as file:
        entry = tomllib.load(file)["storage"]["runpod_volume"]
    return VolumePrice(
        float(entry["usd_per_gb_month"]),
        f"data/prices.toml ({entry['source']})",
        str(entry["checked"]),
    )


@dataclass(frozen=True)
class Plan:
    settings: Settings
    volume: VolumePrice
    phases: tuple[tuple[str, float], ...]  # the worst path, step by step (seconds)
    typical_seconds: float
    worst_usd: float
    typical_usd: float
    problems: tuple[str, ...]  # why these settings cannot work, in Japanese

    @property
    def pod_bound_seconds(self) -> float:
        """A pod's longest life when only its watchdog ends it: the watchdog is set to the
        run's remaining budget and counts from the container's start, after the pull."""
        s = self.settings
        return s.max_wall_seconds + s.pull_minutes * 60

    @property
    def sweep_bound_seconds(self) -> float:
        """When the frequent sweep has removed everything of a run at the latest, from the
        run's start: SWEEP_AGE after the last activity (a pod starting), plus one interval."""
        return self.pod_bound_seconds + (SWEEP_AGE_MINUTES + SWEEP_EVERY_MINUTES) * 60

    @property
    def volume_worst_usd(self) -> float:
        return self.volume.cost(self.settings.volume_gb, self.sweep_bound_seconds)

    @property
    def unwatched_usd(self) -> float:
        """The bill if the watchdog fails too: the frequent sweep is then the pod's bound."""
        return self.settings.max_price * self.sweep_bound_seconds / 3600 + self.volume_worst_usd

    @property
    def needed_seconds(self) -> float:
        return sum(seconds for _, seconds in self.phases)

    @property
    def worst_seconds(self) -> float:
        return self.settings.max_wall_seconds

    @property
    def runpod_wait_seconds(self) -> float:
        """The waits that are Runpod's own time (pulls, deletes): what a fake scales."""
        s = self.settings
        return 2 * s.ready_timeout + 2 * s.gone_timeout

    def as_dict(self) -> dict:
        return {
            "worst_seconds": round(self.worst_seconds, 1),
            "worst_usd": round(self.worst_usd, 4),
            "typical_seconds": round(self.typical_seconds, 1),
            "typical_usd": round(self.typical_usd, 4),
            "pull_seconds": round(self.settings.pull_minutes * 60, 1),
        }


def make_plan(s: Settings, volume: VolumePrice) -> Plan:
    work = s.work_minutes * 60
    phases = (
        ("API（シークレット・ボリューム・Pod の作成）", API_SECONDS),
        ("Pod 1 の起動待ち（イメージの取得）", s.ready_timeout),
        ("Pod 1 での手順", work * 2 / 3),
        ("Pod 1 の削除待ち", s.gone_timeout),
        ("Pod 2 の起動待ち（イメージの取得）", s.ready_timeout),
        ("Pod 2 での手順", work / 3),
        ("Pod 2 の削除待ち", s.gone_timeout),
        ("後片付け", s.teardown_margin),
    )
    pod_start = s.typical_pull_minutes * 60 + BOOT_SECONDS
    typical = API_SECONDS / 2 + 2 * pod_start + work + TYPICAL_TEARDOWN_SECONDS
    # Pods bill from their deploy to their end: their starts and the commands on them.
    typical_usd = s.max_price * (2 * pod_start + work) / 3600 + volume.cost(s.volume_gb, typical)
    plan = Plan(s, volume, phases, typical, 0.0, typical_usd, ())
    worst_usd = s.max_price * plan.pod_bound_seconds / 3600 + plan.volume_worst_usd
    plan = Plan(s, volume, phases, typical, worst_usd, typical_usd, ())
    return Plan(s, volume, phases, typical, worst_usd, typical_usd, _problems(plan))


def _problems(plan: Plan) -> tuple[str, ...]:
    s = plan.settings
    pull = s.pull_minutes * 60
    problems = []
    fixed = API_SECONDS + s.work_minutes * 60 + s.teardown_margin
    if 2 * (pull + BOOT_SECONDS) + fixed > s.max_wall_seconds:
        least = (2 * (pull + BOOT_SECONDS) + fixed) / 60
        problems.append(
            f"LIVE_MAX_MINUTES={s.max_minutes:g} 分では、推奨イメージの取得 2 回（各 "
            f"{s.pull_minutes:g} 分と起動 {BOOT_SECONDS // 60} 分）と、手順・後片付け"
            f"（{fixed / 60:.0f} 分）が収まりません。{least:.0f} 分以上にしてください。"
        )
    if s.ready_timeout < pull + BOOT_SECONDS:
        problems.append(
            f"LIVE_READY_TIMEOUT={s.ready_timeout:g} 秒は、推奨イメージの取得（最悪 "
            f"{s.pull_minutes:g} 分）と起動（{BOOT_SECONDS} 秒）より短く、Pod が間に合いません。"
        )
    if not problems and plan.needed_seconds > s.max_wall_seconds:
        problems.append(
            f"待ち時間の上限の合計 {plan.needed_seconds / 60:.1f} 分が LIVE_MAX_MINUTES="
            f"{s.max_minutes:g} 分を超えます（内訳は --plan で表示できます）。"
        )
    if plan.worst_usd > s.max_cost:
        problems.append(
            f"最悪の場合の費用 ${plan.worst_usd:.3f}（GPU ${s.max_price:g}/時 × "
            f"{plan.pod_bound_seconds / 60:.0f} 分と、ボリューム {s.volume_gb} GB を "
            f"{plan.sweep_bound_seconds / 60:.0f} 分）が、上限 LIVE_MAX_COST=${s.max_cost:g} "
            "を超えます。"
        )
    from live.naming import MAX_ID_AGE

    life = s.max_minutes + MAX_ID_AGE.total_seconds() / 60
    if life > SWEEP_AGE_MINUTES:
        problems.append(
            f"LIVE_MAX_MINUTES={s.max_minutes:g} 分と実行 ID の古さの上限 "
            f"{MAX_ID_AGE.total_seconds() / 60:.0f} 分の合計が、頻繁な掃除の対象になる古さ "
            f"{SWEEP_AGE_MINUTES} 分を超えます。実行中のものを掃除が消してしまいます。"
        )
    return tuple(problems)
