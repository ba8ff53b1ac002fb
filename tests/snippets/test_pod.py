"""snippets/pod.py: pods through the real runpod SDK, against the fake; SSH really connects."""

import subprocess

import pytest

from snippets import api, pod, pricing, remote, secret, volume
from snippets.api import SnippetError


@pytest.fixture
def kaggle_volume(fake):
    return volume.create_volume("kaggle-data", 50, "EU-RO-1")


@pytest.fixture
def key_files(ssh_keypair):
    private_key, _ = ssh_keypair
    return private_key, f"{private_key}.pub"


def ssh_with_config(config_text, alias, command, tmp_path):
    """Connect the way a reader does: `ssh ALIAS` with the printed Host entry."""
    config = tmp_path / "ssh_config"
    config.write_text(config_text)
    return subprocess.run(
        ["ssh", "-F", str(config), *remote.SSH_ARGS, alias, command],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def up(kaggle_volume, key_files, *extra):
    return pod.main(
        ["up", "--volume", kaggle_volume["id"], "--public-key-file", key_files[1], *extra]
    )


def test_up_prints_an_ssh_config_that_connects_to_the_volume(
    fake, kaggle_volume, key_files, tmp_path, capsys
):
    assert up(kaggle_volume, key_files) == 0
    out, err = capsys.readouterr()
    (created,) = fake.pods.values()
    alias = f"runpod-{created.id}"
    assert f"Host {alias}\n" in out
    assert "    User root\n" in out
    assert f"    IdentityFile {key_files[0]}\n" in out
    assert f"# ポート 6006 (http): https://{created.id}-6006.proxy.runpod.net" in out
    assert f"python -m snippets.pod down {created.id}" in out
    assert created.id in err

    result = ssh_with_config(out, alias, "echo hello > $WORKSPACE/from-pod.txt && whoami", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "root"
    assert (fake.volume_dir(kaggle_volume["id"]) / "from-pod.txt").read_text() == "hello\n"


def test_deploy_uses_the_volume_at_workspace_and_the_recommended_image(
    fake, kaggle_volume, ssh_keypair
):
    recommended = api.load_recommended()
    created = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    stored = fake.pods[created["id"]]
    cheapest = pricing.cheapest_gpu("EU-RO-1", 0.5)
    assert stored.volume_mount_path == "/workspace"
    assert stored.network_volume_id == kaggle_volume["id"]
    assert stored.data_center == kaggle_volume["dataCenter"]
    assert stored.cloud_type == "SECURE"
    assert stored.image_name == recommended["image"]["name"]
    assert stored.ports == recommended["pod"]["ports"]
    assert stored.container_disk_gb == recommended["pod"]["container_disk_gb"]
    assert stored.gpu_type_id == cheapest["id"] == created["gpuTypeId"]
    assert stored.env["PUBLIC_KEY"] == ssh_keypair[1]


def test_explicit_gpu_count_image_ports_and_name(fake, kaggle_volume):
    created = pod.deploy_pod(
        kaggle_volume["id"], gpu_type_id="NVIDIA RTX A6000", gpu_count=2,
        ports="22/tcp,8888/http", name="exp-1", image="runpod/base:0.6.2",
    )  # fmt: skip
    stored = fake.pods[created["id"]]
    assert (stored.gpu_type_id, stored.gpu_count, stored.ports, stored.name, stored.image_name) == (
        "NVIDIA RTX A6000", 2, "22/tcp,8888/http", "exp-1", "runpod/base:0.6.2",
    )  # fmt: skip
    assert "PUBLIC_KEY" not in stored.env


def test_no_capacity_falls_back_to_the_next_cheapest(fake, kaggle_volume, key_files, capsys):
    first, second = [offer["id"] for offer in pricing.gpu_prices("EU-RO-1")[:2]]
    fake.set_faults("create_pod:no_capacity")
    assert up(kaggle_volume, key_files) == 0
    (created,) = fake.pods.values()
    assert created.gpu_type_id == second
    assert f"{first} は空きがないので" in capsys.readouterr().err


def test_no_capacity_anywhere_under_the_cap(fake, kaggle_volume, key_files, capsys):
    fake.set_faults("create_pod:no_capacityx*")
    assert up(kaggle_volume, key_files, "--max-price", "0.3") == 1
    assert "どれも今は空きがありません" in capsys.readouterr().err
    assert fake.pods == {}


def test_no_capacity_for_the_chosen_gpu(fake, kaggle_volume, key_files, capsys):
    fake.set_faults("create_pod:no_capacity")
    assert up(kaggle_volume, key_files, "--gpu", "NVIDIA RTX A4000") == 1
    err = capsys.readouterr().err
    assert "EU-RO-1 の NVIDIA RTX A4000 は今、空きがありません" in err
    assert "Traceback" not in err


def test_unknown_gpu(fake, kaggle_volume, key_files, capsys):
    assert up(kaggle_volume, key_files, "--gpu", "NVIDIA RTX 9999") == 1
    assert "GPU 'NVIDIA RTX 9999' は Runpod にありません" in capsys.readouterr().err
    assert not any("podFindAndDeployOnDemand" in r.fields for r in fake.requests)


def test_price_cap_below_every_gpu(fake, kaggle_volume, key_files, capsys):
    assert up(kaggle_volume, key_files, "--max-price", "0.01") == 1
    assert "$0.01/時 以下で空きのある GPU がありません" in capsys.readouterr().err
    assert fake.pods == {}


def test_unknown_volume(fake, key_files, capsys):
    assert pod.main(["up", "--volume", "nosuchvolume", "--public-key-file", key_files[1]]) == 1
    assert "ボリューム nosuchvolume が見つかりません" in capsys.readouterr().err


@pytest.mark.parametrize(
    "value", ['say "hi"', "C:\\path", "two\nlines", "{oops}", "{{ RUNPOD_SECRET_x }", "a}"]
)
def test_unsafe_env_values_are_refused_before_any_request(fake, key_files, capsys, value):
    assert (
        pod.main(["up", "--volume", "v1", "--public-key-file", key_files[1], "--env", f"X={value}"])
        == 1
    )
    err = capsys.readouterr().err
    assert "環境変数 X の値 に使えない文字" in err
    assert value not in err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--env", "1X=v"], "環境変数名 '1X'"),
        (["--env", "NOVALUE"], "KEY=VALUE の形"),
        (["--ports", "22/tcp;rm"], "ポートの形"),
        (["--image", 'evil"image'], "イメージ名 に使えない文字"),
        (["--gpu", 'A4000"'], "GPU の種類 に使えない文字"),
    ],
)
def test_bad_options_are_refused_before_any_request(fake, key_files, capsys, option, message):
    assert pod.main(["up", "--volume", "v1", "--public-key-file", key_files[1], *option]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


def test_bad_pod_name_is_refused(fake):
    with pytest.raises(SnippetError, match="Pod 名 に使えない文字"):
        pod.deploy_pod("v1", name="a\nb")
    assert fake.requests == []


def test_fifty_env_vars_at_most(fake, kaggle_volume):
    fifty = {f"V{i}": "x" for i in range(50)}
    assert pod.deploy_pod(kaggle_volume["id"], env=fifty)["id"]
    with pytest.raises(SnippetError, match="環境変数は 50 個までです（指定: 51 個）"):
        pod.deploy_pod(kaggle_volume["id"], env=fifty, public_key="ssh-ed25519 AAAA x")


def test_missing_public_key_file(fake, kaggle_volume, tmp_path, capsys):
    missing = tmp_path / "none.pub"
    assert pod.main(["up", "--volume", kaggle_volume["id"], "--public-key-file", str(missing)]) == 1
    assert "ssh-keygen -t ed25519" in capsys.readouterr().err
    assert fake.pods == {}


def test_secret_reaches_the_pod_but_no_output(fake, kaggle_volume, ssh_keypair, capsys):
    token = "KGAT_secret_value_42"
    secret.create_secret("kaggle_api_token", token)
    reference = secret.secret_env("KAGGLE_API_TOKEN", "kaggle_api_token")
    created = pod.deploy_pod(kaggle_volume["id"], env=reference, public_key=ssh_keypair[1])
    ready = pod.wait_until_ready(created["id"], timeout=30, poll=0.2)
    check = 'test "$KAGGLE_API_TOKEN" = "$(cat)" && echo same'  # compare inside, print nothing
    result = remote.run(ready, check, ssh_keypair[0], stdin=token)
    assert result.stdout == "same\n"
    assert token not in str(created) + str(ready) + "".join(capsys.readouterr())


def test_ssh_config_for_an_existing_pod(fake, kaggle_volume, ssh_keypair, tmp_path, capsys):
    created = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    assert pod.main(["ssh-config", created["id"], "--identity-file", str(ssh_keypair[0])]) == 0
    out = capsys.readouterr().out
    result = ssh_with_config(out, f"runpod-{created['id']}", "echo ok", tmp_path)
    assert result.stdout == "ok\n", result.stderr


def test_ssh_config_for_an_unknown_pod(fake, capsys):
    assert pod.main(["ssh-config", "nosuchpod"]) == 1
    assert "Pod nosuchpod が見つかりません" in capsys.readouterr().err


def test_down_terminates_and_keeps_the_volume(fake, kaggle_volume, capsys):
    created = pod.deploy_pod(kaggle_volume["id"])
    assert [p["id"] for p in pod.list_pods()] == [created["id"]]
    assert pod.main(["down", created["id"]]) == 0
    assert "ボリュームのファイルは残ります" in capsys.readouterr().out
    assert fake.pods == {}
    assert pod.list_pods() == []
    assert kaggle_volume["id"] in fake.volumes


def test_down_unknown_pod(fake, capsys):
    assert pod.main(["down", "nosuchpod"]) == 1
    assert "Pod nosuchpod が見つかりません" in capsys.readouterr().err


def test_a_pod_that_never_gets_ready_times_out_with_advice(
    fake, kaggle_volume, key_files, monkeypatch, capsys
):
    fake.set_faults("pod:never_ready")
    monkeypatch.setattr(pod, "READY_TIMEOUT", 0.5)
    assert up(kaggle_volume, key_files) == 1
    (created,) = fake.pods.values()
    err = capsys.readouterr().err
    assert f"python -m snippets.pod down {created.id}" in err
    assert "0.5 秒待っても" in err


def test_graphql_outage_during_up_is_retried(fake, kaggle_volume, key_files, capsys):
    fake.set_faults("graphql:500x3")
    assert up(kaggle_volume, key_files) == 0
    assert len(fake.pods) == 1


def test_ssh_endpoint_needs_a_running_pod():
    with pytest.raises(SnippetError, match="SSH ポートがまだ開いていません"):
        pod.ssh_endpoint({"id": "p1", "runtime": None})
    private = {"ip": "10.0.0.1", "isIpPublic": False, "privatePort": 22, "publicPort": 22}
    public = {"ip": "1.2.3.4", "isIpPublic": True, "privatePort": 22, "publicPort": 40022}
    ports = [{**private, "type": "tcp"}, {**public, "type": "tcp"}]
    assert pod.ssh_endpoint({"id": "p1", "runtime": {"ports": ports}}) == ("1.2.3.4", 40022)


def test_proxy_urls_for_http_ports_only():
    assert pod.proxy_urls({"id": "abc", "ports": "22/tcp,6006/http,8888/http"}) == {
        6006: "https://abc-6006.proxy.runpod.net",
        8888: "https://abc-8888.proxy.runpod.net",
    }


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        pod.main(["up", "--help"])
    assert "ネットワークボリューム ID" in capsys.readouterr().out
