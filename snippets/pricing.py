"""Find the cheapest Secure Cloud GPU in one data center, under a price cap.

python -m snippets.pricing --data-center EU-RO-1 --max-price 0.5
"""

import math
import string
import sys

import runpod

from snippets.api import JapaneseArgumentParser, SnippetError, check_text, graphql, run_cli, sdk

MAX_GPUS = 8  # the most GPUs one Runpod pod has

# Prices differ per data center; the SDK has no call for that, so we ask GraphQL directly.
# Values are inlined (the SDK sends no variables): both are checked before they get here.
PRICES_QUERY = string.Template("""
query GpuPrices {
  gpuTypes {
    id
    displayName
    lowestPrice(input: {dataCenterId: "$data_center", gpuCount: $gpu_count, secureCloud: true}) {
      uninterruptablePrice
      stockStatus
    }
  }
}
""")


def check_data_center(data_center: str) -> str:
    """Refuse a data center id Runpod does not have, naming the ones it has."""
    check_text("データセンター", data_center)
    known = [center["id"] for center in graphql("query { dataCenters { id } }")["dataCenters"]]
    if data_center not in known:
        raise SnippetError(
            f"データセンター {data_center!r} はありません。選べるのは: {', '.join(sorted(known))}"
        )
    return data_center


def check_gpu(gpu_type_id: str) -> str:
    """Refuse a GPU type id Runpod does not have (ids look like "NVIDIA RTX A4000")."""
    check_text("GPU の種類", gpu_type_id)
    known = [gpu["id"] for gpu in sdk(runpod.get_gpus)]
    if gpu_type_id not in known:
        raise SnippetError(
            f"GPU {gpu_type_id!r} は Runpod にありません。"
            "python -m snippets.pricing で選べる GPU の id を確認してください。"
        )
    return gpu_type_id


def check_price(max_price) -> float:
    """A price limit in dollars per GPU per hour: a positive, finite number."""
    number = isinstance(max_price, int | float) and not isinstance(max_price, bool)
    if not number or not math.isfinite(max_price) or max_price <= 0:
        raise SnippetError(
            "価格の上限（--max-price）は 0 より大きい数にしてください"
            f"（例: 0.5、指定: {max_price}）。"
        )
    return float(max_price)


def check_gpu_count(count) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_GPUS:
        raise SnippetError(f"GPU の数は 1〜{MAX_GPUS} にしてください（指定: {count}）。")
    return count


def gpu_prices(data_center: str, gpu_count: int = 1) -> list[dict]:
    """GPUs that are in stock in the data center, cheapest first ($ per GPU per hour)."""
    check_gpu_count(gpu_count)
    check_data_center(data_center)
    query = PRICES_QUERY.substitute(data_center=data_center, gpu_count=int(gpu_count))
    offers = []
    for gpu in graphql(query)["gpuTypes"]:
        lowest = gpu["lowestPrice"] or {}
        if lowest.get("uninterruptablePrice") and lowest.get("stockStatus"):
            offers.append(
                {
                    "id": gpu["id"],
                    "displayName": gpu["displayName"],
                    "price": lowest["uninterruptablePrice"],
                    "dataCenter": data_center,
                }
            )
    return sorted(offers, key=lambda offer: (offer["price"], offer["id"]))


def cheapest_gpu(data_center: str, max_price: float, gpu_count: int = 1, exclude=()) -> dict:
    """The cheapest GPU at or under max_price, skipping the ids in `exclude`."""
    check_price(max_price)
    offers = gpu_prices(data_center, gpu_count)
    affordable = [offer for offer in offers if offer["price"] <= max_price]
    if not affordable:
        cheapest = (
            f"最安は {offers[0]['id']} の ${offers[0]['price']:.2f}/時です。" if offers else ""
        )
        raise SnippetError(
            f"{data_center} には 1 GPU あたり ${max_price:.2f}/時 以下で空きのある GPU が"
            f"ありません。{cheapest}--max-price を上げてください。"
        )
    left = [offer for offer in affordable if offer["id"] not in exclude]
    if not left:
        raise SnippetError(
            f"{data_center} の ${max_price:.2f}/時 以下の GPU は、どれも今は空きがありません。"
            "少し待つか、--max-price を上げてください。"
        )
    return left[0]


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.pricing",
        description="データセンターの GPU を安い順に表示し、上限以下で最安のものを選びます。",
    )
    parser.add_argument("--data-center", required=True, help="データセンター ID（例: EU-RO-1）")
    parser.add_argument(
        "--max-price", type=float, default=0.5, help="1 GPU・1 時間あたりの上限（ドル、既定 0.5）"
    )
    parser.add_argument("--gpu-count", type=int, default=1, help="Pod に付ける GPU の数（既定 1）")
    args = parser.parse_args(argv)

    def show_prices() -> None:
        check_price(args.max_price)  # before any request
        check_gpu_count(args.gpu_count)
        print(f"{args.data_center} の GPU（Secure Cloud、1 GPU・1 時間あたり、安い順）:")
        for offer in gpu_prices(args.data_center, args.gpu_count):
            print(f"  ${offer['price']:.2f}  {offer['id']}")
        best = cheapest_gpu(args.data_center, args.max_price, args.gpu_count)
        print(f"${args.max_price:.2f} 以下で最安: {best['id']}（${best['price']:.2f}/時）")

    return run_cli(show_prices)


if __name__ == "__main__":
    sys.exit(main())
