"""`make live ARGS=--plan`: what a replay would do, where, for how long and how much.

For the person who sets the key: it spends nothing, writes nothing, and needs only a key
that can read (without a key it says what it would ask). It prints the calls in order, the
data centers, the GPUs and prices it sees, the worst-case and typical time and cost, and
what the run and the sweep after it would delete.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from live import naming, registry
from live.cost import (
    BACKSTOP_SLACK_SECONDS,
    LEAKED_VOLUME_HOURS,
    Plan,
    make_plan,
    volume_price,
)
from live.preflight import affordable, gpu_problems, see_prices
from live.settings import Settings

SWEEP_AGE = timedelta(hours=2)  # what the workflow's second sweep removes (live.yml)


def show_plan(settings: Settings, target) -> int:
    """Print the plan; 0 when the settings can work, 1 when they cannot (reasons printed)."""
    plan = make_plan(settings, volume_price())
    print(f"実行内容の確認（--plan）: 何も作らず、何も消しません。対象: {target.name}")
    _settings(plan)
    _calls(plan)
    problems = list(plan.problems)
    if target.can_ask():
        target.connect(None)
        try:
            problems += _prices_and_leftovers(plan)
        finally:
            target.close()
    else:
        print("\nGPU と価格: RUNPOD_API_KEY がないので問い合わせません。キーがあれば、"
              f"{', '.join(settings.data_centers)} のそれぞれに GraphQL の gpuTypes "
              "{ lowestPrice(dataCenterId, secureCloud: true) } を問い合わせ、在庫があって "
              f"${settings.max_price:g}/時 以下の GPU を安い順に "
              f"{settings.gpu_tries} つまで試します。")
    _time_and_cost(plan, target)
    if problems:
        print("\nこの設定では実行できません:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nこの設定で実行できます。")
    return 0


def _settings(plan: Plan) -> None:
    s = plan.settings
    print(f"設定: LIVE_MAX_MINUTES={s.max_minutes:g} 分、LIVE_MAX_COST=${s.max_cost:.2f}、"
          f"LIVE_MAX_PRICE=${s.max_price:.2f}/時、LIVE_READY_TIMEOUT={s.ready_timeout:g} 秒、"
          f"LIVE_PULL_MINUTES={s.pull_minutes:g} 分、LIVE_VOLUME_GB={s.volume_gb}")
    print(f"データセンター（この順に試します）: {', '.join(s.data_centers)}")
    if s.gpu_types:
        print(f"GPU の種類（LIVE_GPU_TYPES）: {', '.join(s.gpu_types)}")


def _calls(plan: Plan) -> None:
    s, run = plan.settings, f"{naming.PREFIX}<run id>"
    print("\n呼び出す API（この順）:")
    for line in (
        "読む  GraphQL dataCenters / gpuTypes.lowestPrice（データセンターごと）",
        f"作る  POST /v2/account/secrets       {run}-kaggle（ダミーの Kaggle トークン）",
        f"作る  POST /v2/network-volumes       {run}-vol（{s.volume_gb} GB、STANDARD）",
        f"作る  GraphQL podFindAndDeployOnDemand {run}-pod1（terminateAfter: 開始から "
        f"{(s.max_wall_seconds + BACKSTOP_SLACK_SECONDS) / 60:.0f} 分後）",
        "SSH   setup.sh ×2、check-secrets.sh、バージョン確認、python-env-uv.sh、マーカー",
        "消す  GraphQL podTerminate（pod1）",
        f"作る  GraphQL podFindAndDeployOnDemand {run}-pod2（同じボリューム）",
        "SSH   マーカー、setup.sh、python-env-uv.sh（オフライン）",
        "消す  GraphQL podTerminate（pod2）、DELETE ボリューム、DELETE シークレット",
        "読む  一覧で、この実行の名前のものが残っていないことを確認",
    ):
        print(f"  {line}")


def _prices_and_leftovers(plan: Plan) -> list[str]:
    from snippets.api import SnippetError

    s = plan.settings
    try:
        offers = see_prices(s.data_centers)
        problems = gpu_problems(s, offers)
        found = registry.find(lambda ours: datetime.now(UTC) - ours.created >= SWEEP_AGE)
    except SnippetError as error:
        return [str(error)]
    print(f"\nGPU と価格（{datetime.now(UTC):%Y-%m-%d %H:%M} UTC に見たもの、1 GPU・1 時間）:")
    for center, seen in offers.items():
        chosen = {offer["id"] for offer in affordable(s, seen)}
        print(f"  {center}: " + ("在庫なし" if not seen else ""))
        for offer in seen:
            mark = "試す" if offer["id"] in chosen else "    "
            print(f"    {mark} ${offer['price']:.2f}  {offer['id']}")
    print("\n消すもの:")
    print(f"  この実行: 作った 4 つ（{naming.PREFIX}<run id>-"
          f"{{{','.join(naming.ROLES)}}}、名前が完全に一致するものだけ）")
    print(f"  続く make sweep: 2 時間より古い実行の残り {len(found.ours)} 件")
    for item in found.ours:
        print(f"    {item.kind:<6} {item.id}  {item.name}")
    if found.not_ours:
        print(f"  似ているが対象外（触りません）: {len(found.not_ours)} 件")
        for item in found.not_ours:
            print(f"    {item.kind:<6} {item.id}  {item.name!r}")
    return problems


def _time_and_cost(plan: Plan, target) -> None:
    s, wall = plan.settings, target.wall(plan)[0]
    print("\n時間と費用の見込み:")
    print(f"  最悪: {plan.worst_seconds / 60:.0f} 分、${plan.worst_usd:.3f}（上限 "
          f"${s.max_cost:.2f}）。時間の内訳:")
    for label, seconds in plan.phases:
        print(f"    {seconds / 60:5.1f} 分  {label}")
    backstop = s.max_wall_seconds + BACKSTOP_SLACK_SECONDS
    print(f"    費用: GPU ${s.max_price:.2f}/時 × {backstop / 60:.0f} 分（後片付けも掃除も失敗して"
          f"も terminateAfter で止まるまで）= ${s.max_price * backstop / 3600:.3f}、ボリューム "
          f"{s.volume_gb} GB を最長 {LEAKED_VOLUME_HOURS} 時間余り（翌晩の make sweep まで）= "
          f"${plan.worst_usd - s.max_price * backstop / 3600:.3f}")
    print(f"  ふだん: {plan.typical_seconds / 60:.0f} 分、${plan.typical_usd:.3f}"
          f"（イメージの取得を {s.typical_pull_minutes:g} 分と見込んだ場合）")
    print(f"  ボリューム: ${plan.volume.usd_per_gb_month:g}/GB/月（{plan.volume.source}、"
          f"{plan.volume.checked} 確認）")
    if target.name == "fake":
        print(f"  偽 Runpod の時計: Runpod の待ち時間を {target.time_scale:g} 倍で進めます"
              f"（リハーサルの上限 {wall:.0f} 秒）。")
