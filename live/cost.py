"""What a run may take and cost, worked out from the settings before anything is created.

The worst case takes every wait at its limit: two image pulls (each pod waits up to
LIVE_READY_TIMEOUT), two deletes that are slow to show, the commands on the pods, and the
time kept for the teardown; the wall-time alarm (LIVE_MAX_MINUTES) ends the run there.
The worst bill: a pod at the GPU price cap until its server-side backstop (terminateAfter)
stops it even if teardown and sweep both fail, and the volume until the next night's sweep.
The typical case: a quicker pull (LIVE_TYPICAL_PULL_MINUTES), the rest as budgeted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from live.settings import Settings

PRICES = Path(__file__).resolve().parents[1] / "data" / "prices.toml"
HOURS_PER_MONTH = 730  # Runpod bills a volume hourly: the monthly price / 730
API_SECONDS = 120  # creating the secret and the volume, deploying with fall-backs
BOOT_SECONDS = 60  # after the image is on the host: the image's start.sh, sshd
BACKSTOP_SLACK_SECONDS = 300  # terminateAfter: this long after the wall budget ends
LEAKED_VOLUME_HOURS = 24  # a volume nobody could delete waits for the next night's sweep
TYPICAL_TEARDOWN_SECONDS = 60


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
    return VolumePrice(float(entry["usd_per_gb_month"]),
                       f"data/prices.toml ({entry['source']})", str(entry["checked"]))


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
        return {"worst_seconds": round(self.worst_seconds, 1),
                "worst_usd": round(self.worst_usd, 4),
                "typical_seconds": round(self.typical_seconds, 1),
                "typical_usd": round(self.typical_usd, 4),
                "pull_seconds": round(self.settings.pull_minutes * 60, 1)}


def make_plan(s: Settings, volume: VolumePrice) -> Plan:
    work = s.work_minutes * 60
    phases = (("API（シークレット・ボリューム・Pod の作成）", API_SECONDS),
              ("Pod 1 の起動待ち（イメージの取得）", s.ready_timeout),
              ("Pod 1 での手順", work * 2 / 3),
              ("Pod 1 の削除待ち", s.gone_timeout),
              ("Pod 2 の起動待ち（イメージの取得）", s.ready_timeout),
              ("Pod 2 での手順", work / 3),
              ("Pod 2 の削除待ち", s.gone_timeout),
              ("後片付け", s.teardown_margin))
    pod_start = s.typical_pull_minutes * 60 + BOOT_SECONDS
    typical = API_SECONDS / 2 + 2 * pod_start + work + TYPICAL_TEARDOWN_SECONDS
    backstop = s.max_wall_seconds + BACKSTOP_SLACK_SECONDS
    worst_usd = (s.max_price * backstop / 3600
                 + volume.cost(s.volume_gb, backstop + LEAKED_VOLUME_HOURS * 3600))
    # Pods bill from their deploy to their end: their starts and the commands on them.
    typical_usd = s.max_price * (2 * pod_start + work) / 3600 + volume.cost(s.volume_gb, typical)
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
            f"（{fixed / 60:.0f} 分）が収まりません。{least:.0f} 分以上にしてください。")
    if s.ready_timeout < pull + BOOT_SECONDS:
        problems.append(
            f"LIVE_READY_TIMEOUT={s.ready_timeout:g} 秒は、推奨イメージの取得（最悪 "
            f"{s.pull_minutes:g} 分）と起動（{BOOT_SECONDS} 秒）より短く、Pod が間に合いません。")
    if not problems and plan.needed_seconds > s.max_wall_seconds:
        problems.append(
            f"待ち時間の上限の合計 {plan.needed_seconds / 60:.1f} 分が LIVE_MAX_MINUTES="
            f"{s.max_minutes:g} 分を超えます（内訳は --plan で表示できます）。")
    if plan.worst_usd > s.max_cost:
        problems.append(
            f"最悪の場合の費用 ${plan.worst_usd:.3f}（GPU ${s.max_price:g}/時 × "
            f"{(s.max_wall_seconds + BACKSTOP_SLACK_SECONDS) / 60:.0f} 分と、ボリューム "
            f"{s.volume_gb} GB を {LEAKED_VOLUME_HOURS} 時間）が、上限 LIVE_MAX_COST="
            f"${s.max_cost:g} を超えます。")
    return tuple(problems)
