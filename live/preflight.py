"""Before anything is created: the budget, the data centers, the GPUs and their prices.

Everything here only reads. A setting that cannot work (a wall-time budget that does not fit
two image pulls, a cost cap below the worst case, an unknown data center, a GPU that is not
sold there, nothing in stock under the price cap) stops the run here, with the reason in
Japanese, before a secret, a volume or a pod exists. `--plan` prints the same facts.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

from live.cost import Plan
from live.report import StepFailed, utc_iso
from live.settings import Settings


def see_prices(data_centers: tuple[str, ...]) -> dict[str, list[dict]]:
    """In-stock Secure Cloud offers per data center, cheapest first, each with the time its
    catalog answer arrived (`read_at`). An unknown data center raises the snippets' error."""
    from snippets import pricing

    offers = {}
    for center in data_centers:
        found = pricing.gpu_offers(center)
        read_at = utc_iso(datetime.now(UTC))
        offers[center] = [{**offer, "read_at": read_at} for offer in found]
    return offers


def catalog_source() -> str:
    from snippets import pricing

    return (
        "GET /v2/catalog/gpus?include=AVAILABILITY&product=POD&cloud=SECURE&count=1"
        f"&minCudaVersion={pricing.min_cuda()}"
    )


def prices_record(offers: dict[str, list[dict]]) -> dict | None:
    """The report's `prices`: every list price the catalog gave, per data center, with the
    time it was read (/work/coord CONTRACT "Report fields"); None when it gave none."""
    rows = [
        {
            "id": offer["id"],
            "name": offer.get("name") or offer["id"],
            "data_center": center,
            "price": float(offer["price"]),
            "read_at": offer["read_at"],
        }
        for center, found in offers.items()
        for offer in found
    ]
    if not rows:
        return None
    return {
        "read_at": min(row["read_at"] for row in rows),
        "source": catalog_source(),
        "gpus": rows,
    }


def affordable(s: Settings, offers: list[dict]) -> list[dict]:
    """The offers the replay may rent, cheapest first (at most LIVE_GPU_TRIES)."""
    wanted = [
        o
        for o in offers
        if o["price"] <= s.max_price and (not s.gpu_types or o["id"] in s.gpu_types)
    ]
    return wanted[: s.gpu_tries]


def gpu_problems(s: Settings, offers: dict[str, list[dict]]) -> list[str]:
    """Why no GPU could be rented with these settings (Japanese), or []."""
    from snippets import pricing

    centers = "、".join(s.data_centers)
    problems = []
    known = {gpu["id"] for gpu in pricing.gpu_catalog()} if s.gpu_types else set()
    for gpu in s.gpu_types:
        if gpu not in known:
            problems.append(
                f"GPU {gpu!r} は Runpod の GPU カタログにありません。"
                "LIVE_GPU_TYPES を見直してください（例: NVIDIA RTX A4000）。"
            )
        elif not any(offer["id"] == gpu for found in offers.values() for offer in found):
            problems.append(
                f"GPU {gpu!r} は {centers} のどこにも在庫がありません。"
                "LIVE_GPU_TYPES か LIVE_DATA_CENTERS を見直してください。"
            )
    if problems or any(affordable(s, found) for found in offers.values()):
        return problems
    seen = sorted(
        (offer["price"], offer["id"], center)
        for center, found in offers.items()
        for offer in found
        if not s.gpu_types or offer["id"] in s.gpu_types
    )
    cheapest = f"最安は {seen[0][2]} の {seen[0][1]}（${seen[0][0]:.2f}/時）です。" if seen else ""
    return [
        f"{centers} には、1 GPU あたり ${s.max_price:g}/時 以下で空きのある GPU がありません。"
        f"{cheapest}LIVE_MAX_PRICE か LIVE_DATA_CENTERS を見直してください。"
    ]


def first_affordable_center(s: Settings, offers: dict[str, list[dict]]) -> str:
    return next(center for center in s.data_centers if affordable(s, offers.get(center, [])))


def describe_plan(plan: Plan) -> str:
    s = plan.settings
    return (
        f"worst case {plan.worst_seconds / 60:.0f} min / ${plan.worst_usd:.3f} "
        f"(cap ${s.max_cost:g}; GPU <= ${s.max_price:g}/h; two pulls of "
        f"{s.pull_minutes:g} min fit); typical {plan.typical_seconds / 60:.0f} min / "
        f"${plan.typical_usd:.3f}"
    )


def preflight(run) -> None:
    """The `preflight` step: refuse what cannot work, then make the run's SSH key."""
    from snippets import api

    run.redactor.add(api.api_key())  # raises the snippets' Japanese error without a key
    if run.plan.problems:
        raise StepFailed(" ".join(run.plan.problems))
    missing = [tool for tool in ("ssh", "ssh-keygen", "scp") if not shutil.which(tool)]
    if missing:
        raise StepFailed(
            f"{', '.join(missing)} が見つかりません（OpenSSH のクライアントが必要です）。"
        )
    run.offers = see_prices(run.s.data_centers)
    run.report.prices = prices_record(run.offers)
    problems = gpu_problems(run.s, run.offers)
    if problems:
        raise StepFailed(" ".join(problems))
    subprocess.run(
        [
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            f"kgl-live-{run.run_id}",
            "-f",
            str(run.identity),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    run.public_key = run.identity.with_suffix(".pub").read_text().strip()
    run.note(describe_plan(run.plan) + f"; prices seen in {len(run.offers)} data center(s)")
