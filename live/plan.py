"""`make live ARGS=--plan`: what a replay would do, where, for how long and how much.

For the person who sets the key: it spends nothing, writes nothing, and needs only a key
that can read (without a key it says what it would ask). It prints the calls in order, the
data centers, the GPUs and prices it sees, the safeguards that bound a run whose teardown
fails, the worst-case and typical time and cost, and what the run and the sweeps after it
would delete.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from live import naming, registry
from live.cost import SWEEP_AGE_MINUTES, SWEEP_EVERY_MINUTES, Plan, make_plan, volume_price
from live.preflight import affordable, gpu_problems, see_prices
from live.settings import Settings

NIGHT_SWEEP_AGE = timedelta(hours=2)  # what the nightly workflow's second sweep removes


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
        print(
            "\nGPU と価格: RUNPOD_API_KEY がないので問い合わせません。キーがあれば、"
            f"{', '.join(settings.data_centers)} のそれぞれで REST v2 の GPU カタログ"
            "（在庫と Secure Cloud の価格）を読み、在庫があって "
            f"${settings.max_price:g}/時 以下の GPU を安い順に "
            f"{settings.gpu_tries} つまで試します。"
        )
    _safeguards(plan)
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
    print(
        f"設定: LIVE_MAX_MINUTES={s.max_minutes:g} 分、LIVE_MAX_COST=${s.max_cost:.2f}、"
        f"LIVE_MAX_PRICE=${s.max_price:.2f}/時、LIVE_READY_TIMEOUT={s.ready_timeout:g} 秒、"
        f"LIVE_PULL_MINUTES={s.pull_minutes:g} 分、LIVE_VOLUME_GB={s.volume_gb}"
    )
    print(f"データセンター（この順に試します）: {', '.join(s.data_centers)}")
    if s.gpu_types:
        print(f"GPU の種類（LIVE_GPU_TYPES）: {', '.join(s.gpu_types)}")
    print(
        "イメージの取得: "
        + (
            f"Runpod に保存したレジストリの認証情報 {s.registry_id}（LIVE_REGISTRY_ID）で"
            if s.registry_id
            else "認証なし（LIVE_REGISTRY_ID なし）"
        )
    )


def _calls(plan: Plan) -> None:
    s, run = plan.settings, f"{naming.PREFIX}<run id>"
    print("\n呼び出す API（REST v2 だけ。この順）:")
    for line in (
        "読む  GET  /v2/catalog/gpus（在庫と価格、データセンターごと）",
        f"作る  POST /v2/account/secrets    {run}-kaggle（ダミーの Kaggle トークン）",
        f"作る  POST /v2/network-volumes    {run}-vol（{s.volume_gb} GB、STANDARD）",
        f"作る  POST /v2/pods               {run}-pod1（見張り役つき: 実行の残り時間で自分を終了）",
        "SSH   setup.sh ×2、check-secrets.sh、バージョン、GPU（torchvision と cuda の行列積）、"
        "python-env-uv.sh、マーカー",
        "消す  Pod 1 を終了し、一覧から消えるのを待つ",
        f"作る  POST /v2/pods               {run}-pod2（同じボリューム）",
        "SSH   マーカー、setup.sh、python-env-uv.sh（オフライン）、auto-stop.sh（Pod が自分を"
        "終了し、RUNNING でなくなるのを見届けます）",
        "消す  残った Pod、ボリューム、シークレット",
        "読む  GET  /v2/billing/pods（この実行の Pod に Runpod が請求した額）",
        "読む  一覧で、この実行の名前のものが残っていないことを確認",
    ):
        print(f"  {line}")


def _prices_and_leftovers(plan: Plan) -> list[str]:
    from live import sweep
    from snippets.cli import SnippetError

    s = plan.settings
    try:
        offers = see_prices(s.data_centers)
        problems = gpu_problems(s, offers)
        items = registry.inventory()
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
    print(
        f"  この実行: 作った 4 つ（{naming.PREFIX}<run id>-"
        f"{{{','.join(naming.ROLES)}}}、名前が完全に一致するものだけ）"
    )
    for label, age in (
        (f"{SWEEP_EVERY_MINUTES} 分ごとの掃除", timedelta(minutes=SWEEP_AGE_MINUTES)),
        ("毎晩の実行の後の掃除", NIGHT_SWEEP_AGE),
    ):
        chosen = sweep.select(items, age)
        print(
            f"  {label}（{sweep.describe_age(age)}より古く、動きのない実行）: "
            f"{len(chosen.delete)} 件"
        )
        for item in chosen.delete:
            print(f"    {item.kind:<6} {item.id}  {item.name}")
    _untouched(sweep.select(items, timedelta(minutes=SWEEP_AGE_MINUTES)))
    return problems


def _untouched(chosen) -> None:
    for label, items in (
        ("要確認（名前の時刻が未来か古すぎる。触りません）", chosen.suspicious),
        ("似ているが対象外（触りません）", chosen.not_ours),
    ):
        if items:
            print(f"  {label}: {len(items)} 件")
            for item in items:
                print(f"    {item.kind:<6} {item.id}  {item.name!r}")


def _safeguards(plan: Plan) -> None:
    s = plan.settings
    print("\n後片付けが失敗したときの歯止め（GraphQL にも実行中のマシンにも頼りません）:")
    for line in (
        f"1. この実行の後片付け: 実行時間の上限（{s.max_minutes:g} 分）の最後の "
        f"{s.teardown_margin / 60:g} 分で必ず",
        "2. ワークフローの掃除ジョブ: live ジョブの後に必ず、この実行 ID のものを古さを問わず",
        f"3. 各 Pod の見張り役: 起動コマンドで仕掛け、実行の残り時間が来たら Pod 自身の鍵で"
        f"終了。数え始めはイメージの取得の後なので、Pod は実行の開始から最長 "
        f"{plan.pod_bound_seconds / 60:.0f} 分",
        f"4. 頻繁な掃除: {SWEEP_EVERY_MINUTES} 分ごとに、{SWEEP_AGE_MINUTES} 分より古く"
        f"動きのない実行を削除。実行の開始から最長 {plan.sweep_bound_seconds / 60:.0f} 分で"
        "すべて消えます",
    ):
        print(f"  {line}")
    print(
        "  推測: Pod 自身の鍵（RUNPOD_API_KEY）で自分を終了できること。毎晩の auto_stop の"
        "手順がそれを確かめます（live/README.md）。"
    )


def _time_and_cost(plan: Plan, target) -> None:
    s, wall = plan.settings, target.wall(plan)[0]
    gpu = s.max_price * plan.pod_bound_seconds / 3600
    print("\n時間と費用の見込み:")
    print(
        f"  最悪: {plan.worst_seconds / 60:.0f} 分、${plan.worst_usd:.3f}（上限 "
        f"${s.max_cost:.2f}）。時間の内訳:"
    )
    for label, seconds in plan.phases:
        print(f"    {seconds / 60:5.1f} 分  {label}")
    print(
        f"    費用（1 と 2 が失敗し、3 と 4 が働くとき）: GPU ${s.max_price:.2f}/時 × "
        f"{plan.pod_bound_seconds / 60:.0f} 分 = ${gpu:.3f}、ボリューム {s.volume_gb} GB × "
        f"{plan.sweep_bound_seconds / 60:.0f} 分 = ${plan.volume_worst_usd:.3f}"
    )
    print(
        f"    見張り役も失敗したとき（推測が外れた場合。上限の対象外）: GPU も "
        f"{plan.sweep_bound_seconds / 60:.0f} 分で ${plan.unwatched_usd:.3f}"
    )
    print(
        f"  ふだん: {plan.typical_seconds / 60:.0f} 分、${plan.typical_usd:.3f}"
        f"（イメージの取得を {s.typical_pull_minutes:g} 分と見込んだ場合）"
    )
    print(
        f"  ボリューム: ${plan.volume.usd_per_gb_month:g}/GB/月（{plan.volume.source}、"
        f"{plan.volume.checked} 確認）"
    )
    if target.name == "fake":
        print(
            f"  偽 Runpod の時計: Runpod の待ち時間を {target.time_scale:g} 倍で進めます"
            f"（リハーサルの上限 {wall:.0f} 秒）。"
        )
