"""snippets/volume.py: network volumes through REST v2, against the fake."""

import pytest

from snippets import volume
from snippets.api import SnippetError


def test_create_list_delete(fake, capsys):
    assert (
        volume.main(
            ["create", "--name", "kaggle-data", "--size-gb", "50", "--data-center", "EU-RO-1"]
        )
        == 0
    )
    (created,) = fake.volumes.values()
    assert (created.name, created.size, created.data_center) == ("kaggle-data", 50, "EU-RO-1")
    assert created.id in capsys.readouterr().out

    assert volume.main(["list"]) == 0
    assert f"{created.id}  kaggle-data  50 GB  EU-RO-1" in capsys.readouterr().out

    assert volume.main(["delete", created.id]) == 0
    assert created.id in capsys.readouterr().out
    assert fake.volumes == {}


def test_functions_return_what_runpod_returns(fake):
    created = volume.create_volume("data", 10, "US-KS-2")
    assert {"id", "name", "size", "dataCenter"} <= created.keys()
    assert volume.list_volumes() == [created]
    assert volume.get_volume(created["id"]) == created
    volume.delete_volume(created["id"])
    assert volume.list_volumes() == []


def test_empty_list_says_so(fake, capsys):
    assert volume.main(["list"]) == 0
    assert "ありません" in capsys.readouterr().out


@pytest.mark.parametrize("size", [0, 9, 4097, 5000])
def test_size_outside_v2_bounds_is_refused_before_any_request(fake, capsys, size):
    args = ["create", "--name", "d", "--size-gb", str(size), "--data-center", "EU-RO-1"]
    assert volume.main(args) == 1
    assert "10〜4096 GB" in capsys.readouterr().err
    assert fake.requests == []


@pytest.mark.parametrize("name", ['my"data', "my\\data", "my\ndata", "my{data}"])
def test_unsafe_name_is_refused_before_any_request(fake, name):
    with pytest.raises(SnippetError, match="ボリューム名 に使えない文字"):
        volume.create_volume(name, 50, "EU-RO-1")
    assert fake.requests == []


def test_unknown_data_center_names_the_real_ones(fake, capsys):
    args = ["create", "--name", "d", "--size-gb", "50", "--data-center", "EU-XX-9"]
    assert volume.main(args) == 1
    err = capsys.readouterr().err
    assert "データセンター 'EU-XX-9' はありません" in err and "EU-RO-1" in err
    assert fake.volumes == {}
    assert all(request.method != "POST" or request.path == "/graphql" for request in fake.requests)


def test_deleting_an_unknown_volume_is_explained(fake, capsys):
    assert volume.main(["delete", "nosuchvolume"]) == 1
    assert "ボリューム nosuchvolume が見つかりません" in capsys.readouterr().err


def test_malformed_id_is_refused_before_any_request(fake):
    with pytest.raises(SnippetError, match="ボリューム ID の形"):
        volume.get_volume("../secrets")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("fault", "key", "message"),
    [
        ("rest:htmlx*", None, "JSON ではない応答"),
        ("rest:500x*", None, "混み合っているか障害中です（HTTP 500"),
        ("", "rpa_not_the_key", "API キーを受け付けませんでした（HTTP 401）"),
    ],
)
def test_api_failures_end_in_one_line_and_exit_1(fake, monkeypatch, capsys, fault, key, message):
    monkeypatch.setattr("snippets.api.RETRIES", 1)
    fake.set_faults(fault)
    if key:
        monkeypatch.setenv("RUNPOD_API_KEY", key)
    assert volume.main(["list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("エラー: ") and message in err and err.count("\n") == 1
    assert fake.api_key not in err


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        volume.main(["create", "--help"])
    assert "容量 GB" in capsys.readouterr().out
