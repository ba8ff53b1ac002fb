"""The replay's settings, read from the environment (LIVE_*), checked before anything runs.

The numbers are those of a real run: Runpod's minutes and dollars. The fake target uses the
very same settings and only scales Runpod's waits by its time scale (live/targets.py), so
the rehearsal exercises what the real night will do. Why these defaults: live/README.md.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

DATA_CENTER = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+){1,3}")
GPU_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,80}")
REGISTRY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")

# name -> (default, the largest value that makes sense, what it is in Japanese for the
# refusal message). The upper bounds catch typos (an extra zero) and values that would
# overflow a timer; the cost cap still has the last word.
NUMBERS: dict[str, tuple[float, float, str]] = {
    "LIVE_MAX_COST": (0.40, 20, "1 回の費用の上限（ドル）"),
    "LIVE_MAX_PRICE": (0.45, 10, "GPU 1 時間あたりの上限（ドル）"),
    "LIVE_MAX_MINUTES": (38, 360, "1 回の実行時間の上限（分）"),
    "LIVE_PULL_MINUTES": (10, 120, "推奨イメージの取得にかかる最悪の時間（分）"),
    "LIVE_TYPICAL_PULL_MINUTES": (4, 120, "推奨イメージの取得にかかるふだんの時間（分）"),
    "LIVE_READY_TIMEOUT": (720, 7200, "Pod 1 台が SSH で入れるようになるまで待つ上限（秒）"),
    "LIVE_GONE_TIMEOUT": (90, 3600, "削除したものが一覧から消えるまで待つ上限（秒）"),
    "LIVE_TEARDOWN_MARGIN": (180, 3600, "後片付けのために残しておく時間（秒）"),
    "LIVE_WORK_MINUTES": (6, 120, "Pod の上で手順のコマンドを動かす時間の見込み（分）"),
    "LIVE_POLL": (5, 300, "状態を問い合わせる間隔（秒）"),
    "LIVE_VOLUME_GB": (10, 4096, "ボリュームの容量（GB、10〜4096）"),
    "LIVE_GPU_TRIES": (3, 20, "データセンターごとに試す GPU の数"),
}
DEFAULT_DATA_CENTERS = "EU-RO-1,US-KS-2,EU-SE-1,CA-MTL-1"


class SettingsError(ValueError):
    """A setting that cannot work; the message says which and why, in Japanese."""


@dataclass(frozen=True)
class Settings:
    max_cost: float
    max_price: float
    max_minutes: float
    pull_minutes: float
    typical_pull_minutes: float
    ready_timeout: float
    gone_timeout: float
    teardown_margin: float
    work_minutes: float
    poll: float
    volume_gb: int
    gpu_tries: int
    data_centers: tuple[str, ...]
    gpu_types: tuple[str, ...] = ()  # empty: the cheapest GPUs under max_price
    # The id of a container registry credential saved in the Runpod account (REST v2
    # /v2/registries), for authenticated image pulls; None: anonymous pulls.
    registry_id: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {name: _number(env, name) for name in NUMBERS}
        for name in ("LIVE_VOLUME_GB", "LIVE_GPU_TRIES"):
            if values[name] != int(values[name]):
                raise SettingsError(f"{name}（{NUMBERS[name][2]}）は整数で指定してください。")
        if not 10 <= values["LIVE_VOLUME_GB"] <= 4096:
            raise SettingsError(
                "LIVE_VOLUME_GB は 10〜4096 GB で指定してください"
                f"（指定: {values['LIVE_VOLUME_GB']:g}）。"
            )
        return cls(
            max_cost=values["LIVE_MAX_COST"],
            max_price=values["LIVE_MAX_PRICE"],
            max_minutes=values["LIVE_MAX_MINUTES"],
            pull_minutes=values["LIVE_PULL_MINUTES"],
            typical_pull_minutes=values["LIVE_TYPICAL_PULL_MINUTES"],
            ready_timeout=values["LIVE_READY_TIMEOUT"],
            gone_timeout=values["LIVE_GONE_TIMEOUT"],
            teardown_margin=values["LIVE_TEARDOWN_MARGIN"],
            work_minutes=values["LIVE_WORK_MINUTES"],
            poll=values["LIVE_POLL"],
            volume_gb=int(values["LIVE_VOLUME_GB"]),
            gpu_tries=int(values["LIVE_GPU_TRIES"]),
            data_centers=_list(
                env,
                "LIVE_DATA_CENTERS",
                DEFAULT_DATA_CENTERS,
                DATA_CENTER,
                "データセンター ID（例: EU-RO-1）",
            ),
            gpu_types=_list(
                env, "LIVE_GPU_TYPES", "", GPU_TYPE, 'GPU の種類の ID（例: "NVIDIA RTX A4000"）'
            ),
            registry_id=_registry_id(env),
        )

    @property
    def max_wall_seconds(self) -> float:
        return self.max_minutes * 60

    def budget(self) -> dict:
        return {
            "max_cost_usd": self.max_cost,
            "max_price_per_hour": self.max_price,
            "max_wall_seconds": self.max_wall_seconds,
        }


def _number(env: Mapping[str, str], name: str) -> float:
    default, largest, meaning = NUMBERS[name]
    raw = (env.get(name) or "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value <= largest:  # NaN fails here too
        raise SettingsError(
            f"{name}（{meaning}）は 0 より大きく {largest:g} 以下の数で指定して"
            f"ください（指定: {raw!r}）。"
        )
    return value


def _registry_id(env: Mapping[str, str]) -> str | None:
    raw = (env.get("LIVE_REGISTRY_ID") or "").strip()
    if raw and not REGISTRY_ID.fullmatch(raw):
        raise SettingsError(
            "LIVE_REGISTRY_ID（Runpod に保存したコンテナレジストリの認証情報の "
            f"ID）として読めません: {raw[:40]!r}"
        )
    return raw or None


def _list(
    env: Mapping[str, str], name: str, default: str, shape: re.Pattern, meaning: str
) -> tuple[str, ...]:
    raw = env.get(name)
    raw = default if raw is None or not raw.strip() else raw
    items = [part.strip() for part in raw.split(",") if part.strip()]
    for item in items:
        if not shape.fullmatch(item):
            raise SettingsError(f"{name} に {meaning} として読めない値があります: {item!r}")
    if default and not items:
        raise SettingsError(f"{name} が空です。{meaning} をカンマ区切りで指定してください。")
    return tuple(dict.fromkeys(items))  # in order, without repeats
