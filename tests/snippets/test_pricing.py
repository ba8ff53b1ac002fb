"""snippets/pricing.py: GPU list prices and pod stock from the REST v2 catalog, against the fake.

What the reader is promised: the GPUs shown are those they can rent for a pod in that data
center right now, on hosts whose CUDA runs the recommended image (a floor: newer drivers
count), cheapest first; the pick is the cheapest at or under their cap.
"""

import pytest
import requests

from snippets import api, pricing
from snippets.cli import SnippetError

CENTERS = ["EU-RO-1", "US-KS-2", "EU-SE-1", "CA-MTL-1"]


def catalog_answer(fake, **params):
    """The catalog as any client sees it: the oracle the snippet must agree with."""
    query = {
        "include": "AVAILABILITY",
        "product": "POD",
        "cloud": "SECURE",
        "count": 1,
        "minCudaVersion": "12.8",
        **params,
    }
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    answer = requests.get(f"{fake.url}/v2/catalog/gpus", params=query, headers=headers, timeout=10)
    answer.raise_for_status()
    return answer.json()["gpus"]


def rentable(fake, center, max_price=float("inf")):
    ids = []
    for gpu in catalog_answer(fake):
        here = [dc for dc in gpu.get("dataCenters", []) if dc["id"] == center]
        free_cuda = any(cuda["available"] for cuda in gpu.get("cudaVersions", []))
        if here and here[0]["availability"] != "NONE" and free_cuda:
            if gpu["price"]["secure"] <= max_price:
                ids.append((gpu["price"]["secure"], gpu["id"]))
    return [gpu_id for _, gpu_id in sorted(ids)]


@pytest.mark.parametrize("center", CENTERS)
def test_offers_are_what_the_catalog_says_is_rentable_there(fake, center):
    offers = pricing.gpu_offers(center)
    assert [offer["id"] for offer in offers] == rentable(fake, center)
    assert offers and {offer["dataCenter"] for offer in offers} == {center}
    assert offers == sorted(offers, key=lambda offer: (offer["price"], offer["id"]))


def test_the_catalog_is_asked_for_pods_in_secure_cloud_above_the_cuda_floor(fake, monkeypatch):
    asked = []
    real = api.rest
    monkeypatch.setattr(
        pricing, "rest", lambda *a, **k: asked.append(k.get("params")) or real(*a, **k)
    )
    pricing.gpu_offers("EU-RO-1", gpu_count=2)
    gpus = [params for params in asked if params and "include" in params]
    assert gpus == [
        {
            "include": "AVAILABILITY",
            "product": "POD",
            "cloud": "SECURE",
            "count": 2,
            "minCudaVersion": "12.8",
        }
    ]


def test_the_floor_comes_from_the_recommended_image(monkeypatch):
    recommended = api.load_recommended()
    assert pricing.min_cuda() == recommended["image"]["min_cuda"]
    assert f"-cu{recommended['image']['min_cuda'].replace('.', '')}" in recommended["image"]["name"]
    bad = {**recommended, "image": {**recommended["image"], "min_cuda": "12.8; rm"}}
    monkeypatch.setattr(pricing, "load_recommended", lambda: bad)
    with pytest.raises(SnippetError, match="min_cuda が不正です"):
        pricing.min_cuda()


def test_cheapest_under_the_cap_and_exclude(fake):
    first, second = rentable(fake, "EU-RO-1", 0.5)[:2]
    assert pricing.cheapest_gpu("EU-RO-1", 0.5)["id"] == first
    assert pricing.cheapest_gpu("EU-RO-1", 0.5, exclude=[first])["id"] == second


def test_cap_below_every_gpu_names_the_cheapest(fake, capsys):
    assert pricing.main(["--data-center", "EU-RO-1", "--max-price", "0.05"]) == 1
    err = capsys.readouterr().err
    assert "$0.05/時 以下で空きのある GPU がありません" in err
    assert f"最安は {rentable(fake, 'EU-RO-1')[0]}" in err


def test_everything_excluded_says_nothing_is_free(fake):
    with pytest.raises(SnippetError, match="どれも今は空きがありません"):
        pricing.cheapest_gpu("EU-RO-1", 0.5, exclude=rentable(fake, "EU-RO-1"))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--max-price", "-0.5"], "0 より大きい数"),
        (["--max-price", "0"], "0 より大きい数"),
        (["--max-price", "nan"], "0 より大きい数"),
        (["--max-price", "inf"], "0 より大きい数"),
        (["--gpu-count", "0"], "GPU の数は 1〜8"),
        (["--gpu-count", "9"], "GPU の数は 1〜8"),
    ],
)
def test_a_limit_that_matches_nothing_is_refused_before_any_request(fake, capsys, option, message):
    assert pricing.main(["--data-center", "EU-RO-1", *option]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


@pytest.mark.parametrize("bad", [True, "0.5", float("nan"), -1])
def test_check_price_wants_a_positive_number(bad):
    with pytest.raises(SnippetError):
        pricing.check_price(bad)


def test_unknown_data_center_names_the_real_ones(fake, capsys):
    assert pricing.main(["--data-center", "EU-XX-9"]) == 1
    err = capsys.readouterr().err
    assert "データセンター 'EU-XX-9' はありません" in err and "EU-RO-1" in err


def test_unsafe_data_center_is_refused_before_any_request(fake):
    with pytest.raises(SnippetError, match="使えない文字"):
        pricing.gpu_offers('EU"RO')
    assert fake.requests == []


def test_chosen_gpu_checks_existence_cap_and_stock(fake):
    cheap = rentable(fake, "EU-RO-1")[0]
    assert pricing.chosen_gpu("EU-RO-1", cheap, 5)["id"] == cheap
    with pytest.raises(SnippetError, match="Runpod にありません"):
        pricing.chosen_gpu("EU-RO-1", "NVIDIA GeForce GTX 9090", 5)
    with pytest.raises(SnippetError, match="上限 \\$0.01/時 を超えています"):
        pricing.chosen_gpu("EU-RO-1", cheap, 0.01)


def test_cli_lists_cheapest_first_with_memory_and_names_the_pick(fake, capsys):
    assert pricing.main(["--data-center", "EU-RO-1", "--max-price", "0.5"]) == 0
    out = capsys.readouterr().out
    first = rentable(fake, "EU-RO-1", 0.5)[0]
    assert out.splitlines()[1].endswith(" GB）")
    assert f"$0.50 以下で最安: {first}" in out


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        pricing.main(["--help"])
    assert "データセンター" in capsys.readouterr().out


def test_a_chosen_gpu_out_of_stock_in_the_data_center_is_said_so(fake):
    sold_here = {offer["id"] for offer in pricing.gpu_offers("EU-RO-1")}
    elsewhere = next(
        gpu["id"]
        for gpu in pricing.gpu_catalog()
        if gpu["id"] not in sold_here
        and any(dc.get("availability") != "NONE" for dc in gpu.get("dataCenters", []))
    )
    with pytest.raises(SnippetError, match=f"EU-RO-1 の {elsewhere} は今、空きがありません"):
        pricing.chosen_gpu("EU-RO-1", elsewhere, 5)
