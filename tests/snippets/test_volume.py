"""snippets/volume.py: network volumes through REST v2, against the fake."""

import os
import subprocess
import sys

import pytest

from fake_runpod import catalog
from snippets import api, volume
from snippets.cli import SnippetError
from tests import ROOT


def test_create_list_delete(fake, capsys):
    assert (
        volume.main(
            ["create", "--name", "kaggle-data", "--size-gb", "50", "--data-center", "EU-RO-1"]
        )
        == 0
    )
    (created,) = fake.volumes.values()
    assert (created.name, created.size, created.data_center) == ("kaggle-data", 50, "EU-RO-1")
    out = capsys.readouterr().out
    assert out == f"ボリュームを作りました: {created.id}（50 GB、EU-RO-1、標準ストレージ）\n"

    assert volume.main(["list"]) == 0
    assert capsys.readouterr().out == f"{created.id}  kaggle-data  50 GB  EU-RO-1  標準ストレージ\n"

    assert volume.main(["delete", created.id]) == 0
    assert created.id in capsys.readouterr().out
    assert fake.volumes == {}


def test_functions_return_what_runpod_returns(fake):
    created = volume.create_volume("data", 10, "US-KS-2")
    assert {"id", "name", "size", "dataCenter", "type"} <= created.keys()
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


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "ボリューム名が空です"),
        ("  \t ", "使えない文字"),
        ("   ", "ボリューム名が空です"),
        ("data ", "前後に空白"),
        ("data\udcff", "UTF-8 の文字として読めない"),
    ],
)
def test_blank_or_odd_names_are_refused_before_any_request(fake, name, message):
    with pytest.raises(SnippetError, match=message):
        volume.create_volume(name, 50, "EU-RO-1")
    assert fake.requests == []


@pytest.mark.parametrize("size", ["50", 50.0, True, None])
def test_a_size_that_is_not_a_whole_number_is_refused(fake, size):
    with pytest.raises(SnippetError, match="GB 単位の整数"):
        volume.create_volume("d", size, "EU-RO-1")
    assert fake.requests == []


# ---- storage tiers -----------------------------------------------------------------------
def test_the_standard_tier_is_asked_for_where_the_default_is_the_pricier_one(fake):
    # EU-RO-1 in the fake, like the console where high-performance storage is offered,
    # makes HIGH_PERFORMANCE volumes unless told otherwise
    assert catalog.VOLUME_TYPES["EU-RO-1"][0] == "HIGH_PERFORMANCE"
    made = volume.create_volume("kaggle-data", 50, "EU-RO-1")
    assert made["type"] == "STANDARD"
    assert fake.volumes[made["id"]].type == "STANDARD"  # what the snippet sent


def test_a_data_center_without_network_volumes_is_refused_before_any_create(fake, capsys):
    args = ["create", "--name", "d", "--size-gb", "50", "--data-center", "US-TX-3"]
    assert volume.main(args) == 1
    err = capsys.readouterr().err
    assert err == (
        "エラー: データセンター US-TX-3 ではネットワークボリューム（標準ストレージ）を作れません。"
        "作れるのは: CA-MTL-1, EU-RO-1, EU-SE-1, US-KS-2\n"
    )
    assert fake.volumes == {}
    assert not [r for r in fake.requests if r.method == "POST"]


def test_a_volume_made_in_another_tier_is_pointed_out(fake, monkeypatch, capsys):
    # should Runpod ever ignore "type", the reader hears about the pricier volume
    made = {
        "id": "v1",
        "name": "d",
        "size": 10,
        "dataCenter": "EU-RO-1",
        "type": "HIGH_PERFORMANCE",
    }
    monkeypatch.setattr(volume, "create_once", lambda *args, **kwargs: made)
    args = ["create", "--name", "d", "--size-gb", "10", "--data-center", "EU-RO-1"]
    assert volume.main(args) == 0
    out, err = capsys.readouterr()
    assert out.endswith("EU-RO-1、高性能ストレージ（割高））\n")
    assert err.startswith("注意: 標準ストレージではありません")


def test_list_shows_each_tier_and_odd_names_safely(fake, capsys):
    for name, center, tier in [
        ("fast", "US-KS-2", "HIGH_PERFORMANCE"),
        ("evil\x1b[2Jname", "EU-SE-1", "STANDARD"),
    ]:
        body = {"name": name, "size": 10, "dataCenter": center, "type": tier}
        api.rest("POST", "/v2/network-volumes", body, create=True)
    assert volume.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "fast  10 GB  US-KS-2  高性能ストレージ（割高）" in out
    assert "evil\\x1b[2Jname  10 GB  EU-SE-1  標準ストレージ" in out and "\x1b" not in out


# ---- a create whose answer is lost, through the command a reader runs ---------------------
@pytest.mark.parametrize("fault", ["timeout:rest_create=65", "lost:rest_create", "rest_create:524"])
def test_a_lost_answer_shows_the_volume_and_never_makes_a_second(fake, fault):
    fake.set_faults(fault)  # the create is carried out; its answer never reaches the reader
    env = {**os.environ, "SNIPPETS_READ_TIMEOUT": "0.5"}
    argv = ["create", "--name", "dup", "--size-gb", "10", "--data-center", "EU-RO-1"]
    done = subprocess.run(
        [sys.executable, "-m", "snippets.volume", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    (made,) = fake.volumes.values()
    assert (made.name, made.type) == ("dup", "STANDARD")
    assert done.returncode == 1 and done.stdout == ""
    assert f"一覧に新しく現れた ID: {made.id}" in done.stderr
    assert "もう一度作らないでください" in done.stderr and "Traceback" not in done.stderr
    assert len([r for r in fake.requests if r.method == "POST"]) <= 1  # never sent twice


def test_unknown_data_center_names_the_real_ones(fake, capsys):
    args = ["create", "--name", "d", "--size-gb", "50", "--data-center", "EU-XX-9"]
    assert volume.main(args) == 1
    err = capsys.readouterr().err
    assert "データセンター 'EU-XX-9' はありません" in err and "EU-RO-1" in err
    assert fake.volumes == {}
    assert not [r for r in fake.requests if r.method == "POST"]


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
        ("rest:htmlx*", None, "混み合っているか障害中です（HTTP 502"),
        ("rest:html200", None, "Runpod API ではない相手が応答しました"),
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


def test_deleting_a_volume_in_use_says_to_delete_the_pod_first(fake, capsys):
    from snippets import pod

    disk = volume.create_volume("kaggle-data", 10, "EU-RO-1")
    pod.deploy_pod(disk["id"])
    assert volume.main(["delete", disk["id"]]) == 1
    assert "まだ Pod が使っているので削除できません" in capsys.readouterr().err
    assert disk["id"] in fake.volumes


def test_a_delete_whose_answer_is_lost_still_succeeds(fake):
    disk = volume.create_volume("kaggle-data", 10, "EU-RO-1")
    fake.set_faults("lost:rest")  # the DELETE is carried out, its answer is a 502 page
    volume.delete_volume(disk["id"])
    assert fake.volumes == {}


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        volume.main(["create", "--help"])
    assert "容量 GB" in capsys.readouterr().out


def test_an_answer_about_another_volume_is_not_taken_for_this_one(fake, monkeypatch):
    monkeypatch.setattr(volume, "rest", lambda *args, **kwargs: {"id": "someone-else"})
    with pytest.raises(SnippetError, match="応答の形が想定と違います"):
        volume.get_volume("v1")


def test_a_volume_gone_by_the_time_the_delete_arrives_counts_as_deleted(fake, monkeypatch):
    disk = volume.create_volume("kaggle-data", 10, "EU-RO-1")
    real = volume.rest

    def delete_lost_then_gone(method, path, *args, **kwargs):
        if method == "DELETE":  # our delete was carried out; its retry found nothing
            real(method, path, *args, **kwargs)
            from snippets import errors

            raise errors.NotFound("gone", status=404)
        return real(method, path, *args, **kwargs)

    monkeypatch.setattr(volume, "rest", delete_lost_then_gone)
    volume.delete_volume(disk["id"])
    assert fake.volumes == {}
