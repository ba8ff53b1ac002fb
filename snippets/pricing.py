"""Find the cheapest Secure Cloud GPU in one data center, under a price cap.

python -m snippets.pricing --data-center EU-RO-1 --max-price 0.5

Prices and stock come from Runpod's catalog (GET /v2/catalog/gpus), asked for pods in
Secure Cloud on machines whose CUDA is at least the recommended image's (minCudaVersion):
a floor, so that newer drivers count too.
"""

import math
import sys

from snippets import errors
from snippets.answers import listed
from snippets.api import load_recommended, rest
from snippets.checks import check_text, shown
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli

MAX_GPUS = 8  # the most GPUs one Runpod pod has
IN_STOCK = {"LOW", "MEDIUM", "HIGH"}  # AvailabilityLevel, anything but NONE


def min_cuda() -> str:
    """The CUDA floor for hosts: the recommended image's CUDA version (major.minor)."""
    image = load_recommended()["image"]
    floor = str(image.get("min_cuda") or image.get("cuda") or "")
    major, dot, minor = floor.partition(".")
    if not (major.isdigit() and dot and minor.isdigit()):
        raise SnippetError(f"recommended_image.toml の min_cuda が不正です: {floor!r}")
    return floor


def data_centers() -> list[dict]:
    """Runpod's data centers (GET /v2/catalog/datacenters)."""
    return listed(rest("GET", "/v2/catalog/datacenters"), "dataCenters")


def check_data_center(data_center: str) -> str:
    """Refuse a data center id Runpod does not have, naming the ones it has."""
    check_text("データセンター", data_center)
    known = sorted(center["id"] for center in data_centers())
    if data_center not in known:
        raise SnippetError(
            f"データセンター {shown(data_center)!r} はありません。選べるのは: {', '.join(known)}"
        )
    return data_center


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


def gpu_catalog(gpu_count: int = 1) -> list[dict]:
    """Every GPU type with its Secure Cloud list price and pod stock per data center."""
    params = {
        "include": "AVAILABILITY",
        "product": "POD",
        "cloud": "SECURE",
        "count": check_gpu_count(gpu_count),
        "minCudaVersion": min_cuda(),
    }
    return listed(rest("GET", "/v2/catalog/gpus", params=params), "gpus")


def gpu_offers(data_center: str, gpu_count: int = 1) -> list[dict]:
    """GPUs in stock for pods in the data center, cheapest first ($ per GPU per hour)."""
    check_data_center(data_center)
    offers = []
    for gpu in gpu_catalog(gpu_count):
        price = (gpu.get("price") or {}).get("secure")
        here = [dc for dc in gpu.get("dataCenters") or [] if dc.get("id") == data_center]
        cuda_free = any(cuda.get("available") for cuda in gpu.get("cudaVersions") or [])
        in_stock = here and here[0].get("availability") in IN_STOCK and cuda_free
        if gpu.get("secure") and isinstance(price, int | float) and price > 0 and in_stock:
            offers.append(
                {
                    "id": gpu["id"],
                    "name": str(gpu.get("name") or gpu["id"]),
                    "memory": gpu.get("memory"),
                    "price": float(price),
                    "dataCenter": data_center,
                }
            )
    return sorted(offers, key=lambda offer: (offer["price"], offer["id"]))


def cheapest_gpu(data_center: str, max_price: float, gpu_count: int = 1, exclude=()) -> dict:
    """The cheapest GPU at or under max_price, skipping the ids in `exclude`."""
    check_price(max_price)
    offers = gpu_offers(data_center, gpu_count)
    affordable = [offer for offer in offers if offer["price"] <= max_price]
    if not affordable:
        cheapest = (
            f"最安は {offers[0]['id']} の ${offers[0]['price']:.2f}/時です。" if offers else ""
        )
        raise errors.NoCapacity(
            f"{data_center} には 1 GPU あたり ${max_price:.2f}/時 以下で空きのある GPU が"
            f"ありません。{cheapest}--max-price を上げるか、別のデータセンターを選んでください。"
        )
    left = [offer for offer in affordable if offer["id"] not in exclude]
    if not left:
        raise errors.NoCapacity(
            f"{data_center} の ${max_price:.2f}/時 以下の GPU は、どれも今は空きがありません。"
            "少し待つか、--max-price を上げてください。"
        )
    return left[0]


def chosen_gpu(data_center: str, gpu_type_id: str, max_price: float, gpu_count: int = 1) -> dict:
    """The reader's own choice of GPU, checked against the catalog and the price cap before
    anything is rented: a cap is a cap, whatever picked the GPU."""
    check_text("GPU の種類", gpu_type_id)
    check_price(max_price)
    known = {gpu["id"]: gpu for gpu in gpu_catalog(gpu_count)}
    if gpu_type_id not in known:
        raise SnippetError(
            f"GPU {shown(gpu_type_id)!r} は Runpod にありません。"
            "python -m snippets.pricing で選べる GPU の id を確認してください。"
        )
    price = (known[gpu_type_id].get("price") or {}).get("secure")
    if not isinstance(price, int | float) or price > max_price:
        shown_price = f"${price:.2f}/時" if isinstance(price, int | float) else "価格不明"
        raise SnippetError(
            f"{gpu_type_id} は 1 GPU あたり {shown_price}で、上限 ${max_price:.2f}/時 を"
            "超えています。借りずに止めました。--max-price を見直してください。"
        )
    offer = next((o for o in gpu_offers(data_center, gpu_count) if o["id"] == gpu_type_id), None)
    if offer is None:
        raise errors.NoCapacity(
            f"{data_center} の {gpu_type_id} は今、空きがありません。--gpu を外すと、"
            "上限以下で空いている別の GPU を探します。"
        )
    return offer


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
        offers = gpu_offers(args.data_center, args.gpu_count)
        print(
            f"{args.data_center} で今借りられる GPU（Secure Cloud、1 GPU・1 時間あたりの"
            "定価、安い順）:"
        )
        for offer in offers:
            memory = f"{offer['memory']} GB" if offer.get("memory") else "VRAM 不明"
            print(f"  ${offer['price']:.2f}  {offer['id']}（{memory}）")
        best = cheapest_gpu(args.data_center, args.max_price, args.gpu_count)
        print(f"${args.max_price:.2f} 以下で最安: {best['id']}（${best['price']:.2f}/時）")

    return run_cli(show_prices)


if __name__ == "__main__":
    sys.exit(main())
