"""snippets/pricing.py: per-data-center GPU prices through GraphQL, against the fake."""

import pytest

from fake_runpod import catalog
from snippets import pricing
from snippets.api import SnippetError


def in_stock(data_center, max_price=float("inf")):
    """The fake's own offers, cheapest first: the oracle the snippet must agree with."""
    offers = [
        (gpu.offers[data_center][0], gpu.id)
        for gpu in catalog.GPU_TYPES
        if gpu.offers[data_center][1] is not None and gpu.offers[data_center][0] <= max_price
    ]
    return [gpu_id for _, gpu_id in sorted(offers)]


@pytest.mark.parametrize("data_center", ["EU-RO-1", "US-KS-2", "EU-SE-1", "CA-MTL-1"])
def test_prices_are_per_data_center_and_skip_gpus_out_of_stock(fake, data_center):
    offers = pricing.gpu_prices(data_center)
    assert [offer["id"] for offer in offers] == in_stock(data_center)
    assert {offer["dataCenter"] for offer in offers} == {data_center}


def test_cheapest_under_the_cap(fake):
    best = pricing.cheapest_gpu("EU-RO-1", 0.5)
    expected = in_stock("EU-RO-1", 0.5)[0]
    assert best["id"] == expected
    assert best["price"] == catalog.gpu_type(expected).offers["EU-RO-1"][0]
    assert best["displayName"] == catalog.gpu_type(expected).display_name


def test_exclude_moves_to_the_next_cheapest(fake):
    first, second = in_stock("EU-RO-1", 0.5)[:2]
    assert pricing.cheapest_gpu("EU-RO-1", 0.5, exclude=[first])["id"] == second


def test_cap_below_every_gpu_names_the_cheapest(fake, capsys):
    assert pricing.main(["--data-center", "EU-RO-1", "--max-price", "0.05"]) == 1
    err = capsys.readouterr().err
    assert "$0.05/時 以下で空きのある GPU がありません" in err
    assert f"最安は {in_stock('EU-RO-1')[0]}" in err


def test_no_offer_at_all_says_raise_the_cap(fake, monkeypatch):
    monkeypatch.setattr(pricing, "gpu_prices", lambda data_center, gpu_count: [])
    with pytest.raises(SnippetError, match="GPU がありません。--max-price"):
        pricing.cheapest_gpu("EU-RO-1", 100)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--max-price", "-0.5"], "0 より大きい数"),
        (["--max-price", "0"], "0 より大きい数"),
        (["--max-price", "nan"], "0 より大きい数"),
        (["--max-price", "inf"], "0 より大きい数"),
        (["--gpu-count", "0"], "GPU の数は 1〜8"),
        (["--gpu-count", "64"], "GPU の数は 1〜8"),
    ],
)
def test_a_limit_that_matches_nothing_is_refused_before_any_request(fake, capsys, option, message):
    assert pricing.main(["--data-center", "EU-RO-1", *option]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


@pytest.mark.parametrize("bad", [True, "0.5", float("nan"), -1])
def test_check_price_wants_a_positive_number(bad):
    with pytest.raises(SnippetError, match="0 より大きい数"):
        pricing.check_price(bad)


def test_everything_excluded_says_nothing_is_free(fake):
    affordable = in_stock("EU-RO-1", 0.5)
    with pytest.raises(SnippetError, match="どれも今は空きがありません"):
        pricing.cheapest_gpu("EU-RO-1", 0.5, exclude=affordable)


def test_unknown_data_center(fake, capsys):
    assert pricing.main(["--data-center", "MARS-1"]) == 1
    err = capsys.readouterr().err
    assert "データセンター 'MARS-1' はありません" in err
    assert "EU-RO-1" in err


def test_unsafe_data_center_is_refused_before_any_request(fake):
    with pytest.raises(SnippetError, match="使えない文字"):
        pricing.gpu_prices('EU-RO-1" } }')
    assert fake.requests == []


def test_unknown_gpu(fake):
    with pytest.raises(SnippetError, match="GPU 'NVIDIA RTX 9999' は Runpod にありません"):
        pricing.check_gpu("NVIDIA RTX 9999")
    assert pricing.check_gpu("NVIDIA RTX A4000") == "NVIDIA RTX A4000"


def test_cli_lists_cheapest_first_and_names_the_pick(fake, capsys):
    assert pricing.main(["--data-center", "EU-RO-1", "--max-price", "0.5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line.split()[1:] for line in lines[1:-1]]
    assert [" ".join(words) for words in listed] == in_stock("EU-RO-1")
    assert lines[-1].startswith(f"$0.50 以下で最安: {in_stock('EU-RO-1', 0.5)[0]}")


def test_html_from_graphql_ends_in_one_line(fake, monkeypatch, capsys):
    monkeypatch.setattr("snippets.api.RETRIES", 1)
    fake.set_faults("graphql:htmlx*")
    assert pricing.main(["--data-center", "EU-RO-1"]) == 1
    err = capsys.readouterr().err
    assert "JSON ではない応答" in err and err.count("\n") == 1


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        pricing.main(["--help"])
    assert "データセンター" in capsys.readouterr().out
