"""snippets/pod.py: pods through the real runpod SDK, against the fake; SSH really connects."""

import re
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import runpod

from fake_runpod import FakeRunpod
from snippets import api, pod, pod_status, pricing, remote, secret, volume
from snippets.api import SnippetError
from tests import ROOT

ELAPSED = re.compile(r"（\d+分\d\d秒経過）")


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setattr(pod, "POLL", 0.05)


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

    command = "echo hello > /workspace/from-pod.txt && whoami && pwd"
    result = ssh_with_config(out, alias, command, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "root\n/root\n"
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
    assert stored.terminate_after is None


def test_the_allowed_cuda_versions_fit_the_recommended_image():
    image = api.load_recommended()["image"]
    allowed = image["allowed_cuda_versions"]
    needed = tuple(map(int, image["cuda"].split(".")))
    assert image["cuda"] in allowed
    assert all(tuple(map(int, version.split("."))) >= needed for version in allowed)
    assert f"-cu{image['cuda'].replace('.', '')}" in image["name"]  # the tag says the same


def test_every_create_avoids_machines_whose_driver_is_too_old(fake, kaggle_volume, ssh_keypair):
    fake.set_faults("pod:old_driver")  # the data center's first machine has CUDA 12.4
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    allowed = api.load_recommended()["image"]["allowed_cuda_versions"]
    assert fake.pods[made["id"]].host_cuda in allowed
    assert pod.wait_until_ready(made["id"], timeout=30, poll=0.05)["id"] == made["id"]


def test_a_pod_on_an_old_driver_fails_fast_with_advice(fake, kaggle_volume):
    runpod.api_key = fake.api_key
    fake.set_faults("pod:old_driver")
    image = api.load_recommended()["image"]["name"]
    made = runpod.create_pod(
        "old", image, "NVIDIA RTX A4000", network_volume_id=kaggle_volume["id"]
    )
    assert fake.pods[made["id"]].host_cuda == "12.4"  # no allowedCudaVersions: lands there
    with pytest.raises(SnippetError, match="GPU ドライバーが古く") as failed:
        pod.wait_until_ready(made["id"], timeout=60, poll=0.05)
    assert f"python -m snippets.pod down {made['id']}" in str(failed.value)


def test_up_shows_progress_while_it_waits(fake, kaggle_volume, key_files, monkeypatch, capsys):
    fake.set_faults("pod:slow_sshd=600s")  # the runtime comes, sshd does not

    def printer():  # the real one, and Ctrl+C once it said that sshd is being waited for
        show = pod_status.progress_printer()

        def progress(text):
            show(text)
            if text == pod_status.STARTING_SSH:
                raise KeyboardInterrupt

        return progress

    monkeypatch.setattr(pod, "progress_printer", printer)
    assert up(kaggle_volume, key_files) == 130
    err = capsys.readouterr().err
    waiting = [line for line in err.splitlines() if ELAPSED.search(line)]
    assert any(pod_status.STARTING_SSH in line for line in waiting), err
    assert err.endswith("中断しました。\n")


def test_progress_says_what_changed_and_how_long_it_took(capsys):
    show = pod.progress_printer(every=3600)
    show("a")
    show("a")  # nothing new within the hour: silent
    show("b")
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("…")[0] for line in lines] == ["  a", "  b"]
    assert all(ELAPSED.search(line) for line in lines)


def test_ready_means_sshd_answers_not_just_an_open_port(fake, kaggle_volume, ssh_keypair):
    fake.set_faults("pod:slow_sshd=600s")
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    deadline = time.monotonic() + 30
    while fake.pods[made["id"]].runtime_ports is None:  # the port is mapped, sshd is not up
        assert time.monotonic() < deadline
        time.sleep(0.02)
    seen = []
    with pytest.raises(SnippetError, match="待っても SSH で入れる状態になりません"):
        pod.wait_until_ready(made["id"], timeout=0.2, poll=0.05, progress=seen.append)
    assert set(seen) == {pod_status.STARTING_SSH}


def test_wait_until_ready_returns_once_sshd_answers(fake, kaggle_volume, ssh_keypair):
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    ready = pod.wait_until_ready(made["id"], timeout=30, poll=0.05)
    assert pod_status.ssh_answers(pod.ssh_endpoint(ready))


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


@pytest.mark.parametrize(
    ("fault", "said"),
    [("create_pod:no_capacity", "空きがないので"), ("create_pod:no_resources", "空きがないので")],
)
def test_no_capacity_falls_back_to_the_next_cheapest(
    fake, kaggle_volume, key_files, capsys, fault, said
):
    first, second = [offer["id"] for offer in pricing.gpu_prices("EU-RO-1")[:2]]
    fake.set_faults(fault)
    assert up(kaggle_volume, key_files) == 0
    (created,) = fake.pods.values()
    assert created.gpu_type_id == second
    assert f"{first} は{said}" in capsys.readouterr().err


def test_a_transient_error_on_create_is_retried_without_a_duplicate(
    fake, kaggle_volume, key_files, capsys
):
    fake.set_faults("create_pod:transient")
    assert up(kaggle_volume, key_files) == 0
    (created,) = fake.pods.values()
    assert created.gpu_type_id == pricing.cheapest_gpu("EU-RO-1", 0.5)["id"]  # the same GPU
    assert "一時的なエラー" in capsys.readouterr().err


def test_a_create_that_answers_null_finds_the_pod_it_made(fake, kaggle_volume, ssh_keypair, capsys):
    fake.set_faults("create_pod:null")
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    (created,) = fake.pods.values()
    assert made["id"] == created.id
    assert "Pod の情報を返しませんでした" in capsys.readouterr().err


def test_a_transient_error_on_a_read_is_tried_again(fake):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise runpod.error.QueryError(
                "Something went wrong. Please try again later or contact support."
            )
        return "fine"

    assert api.sdk(flaky) == "fine"
    assert len(calls) == 3


def test_a_transient_error_that_never_ends_is_said_in_japanese(fake, monkeypatch):
    monkeypatch.setattr(api, "RETRIES", 2)

    def broken():
        raise runpod.error.QueryError(
            "Something went wrong. Please try again later or contact support."
        )

    with pytest.raises(SnippetError, match="一時的なエラーを返し続けています（3 回試しました）"):
        api.sdk(broken)


def test_a_bad_cuda_list_in_the_config_is_refused_before_any_request(fake, monkeypatch):
    recommended = api.load_recommended()
    recommended["image"]["allowed_cuda_versions"] = ["12.8", '12.9"] evil']
    monkeypatch.setattr(pod, "load_recommended", lambda: recommended)
    with pytest.raises(SnippetError, match="allowed_cuda_versions が不正です"):
        pod.deploy_pod("v1")
    assert fake.requests == []


def test_a_port_that_closes_without_a_banner_is_not_ready():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()
    try:
        assert not pod_status.ssh_answers(server.getsockname())
    finally:
        server.close()


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


def test_terminate_after_is_runpods_backstop(fake, kaggle_volume, ssh_keypair):
    fake.time_scale = 0.0005  # an hour on the fake's clock is 1.8 s
    stop_at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1], terminate_after=stop_at)
    assert fake.pods[made["id"]].terminate_after == stop_at
    deadline = time.monotonic() + 30
    while pod.list_pods():  # nobody deletes it: Runpod does, when the time comes
        assert time.monotonic() < deadline, "terminateAfter was not honoured"
        time.sleep(0.05)
    assert kaggle_volume["id"] in fake.volumes


@pytest.mark.parametrize(
    "when",
    [datetime(2030, 1, 1), datetime.now(UTC) - timedelta(minutes=1), "2030-01-01T00:00:00Z", 0],
)
def test_a_backstop_that_cannot_work_is_refused(fake, when):
    with pytest.raises(SnippetError, match="terminate_after"):
        pod.deploy_pod("v1", terminate_after=when)
    assert fake.requests == []


def test_a_lost_create_answer_makes_no_second_pod(fake, kaggle_volume, key_files):
    """`pod up` as a reader runs it; the fake makes the pod but holds the answer back past
    the client's read timeout."""
    fake.set_faults("create_pod:timeout=4s")
    env = {
        "PATH": "/usr/bin:/bin",
        "RUNPOD_API_BASE_URL": fake.url,
        "RUNPOD_API_KEY": fake.api_key,
        "SNIPPETS_READ_TIMEOUT": "1",
    }
    command = [sys.executable, "-m", "snippets.pod", "up", "--volume", kaggle_volume["id"]]
    done = subprocess.run(
        [*command, "--public-key-file", key_files[1]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (created,) = fake.pods.values()
    assert f"Host runpod-{created.id}" in done.stdout
    assert "作られた可能性があります" in done.stderr
    assert "Traceback" not in done.stderr


def test_up_meets_a_realistic_runpod(fake, key_files, monkeypatch, capsys):
    """Slow pulls, old drivers first, capacity and transient answers: up still makes one pod."""
    with FakeRunpod(realistic=True, time_scale=0.002) as realistic:
        monkeypatch.setenv("RUNPOD_API_BASE_URL", realistic.url)
        disk = volume.create_volume("kaggle-data", 50, "EU-RO-1")
        assert up(disk, key_files) == 0, capsys.readouterr().err
        err = capsys.readouterr().err
        (created,) = realistic.pods.values()
        assert created.host_cuda in api.load_recommended()["image"]["allowed_cuda_versions"]
        assert "空きがないので" in err and "一時的なエラー" in err
        assert pod_status.PULLING in err
        assert realistic.internal_errors == []
    assert fake.requests == []  # the fake of the other tests saw nothing


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--ports", "6006/http"], "22/tcp（SSH）がありません"),
        (["--ports", "22/tcp,0/http"], "番号は 1〜65535"),
        (["--ports", "22/tcp,70000/tcp"], "番号は 1〜65535"),
        (["--ports", "22/tcp,22/tcp"], "同じポートが 2 回"),
        (["--ports", "22/tcp;rm"], "ポートの形"),
        (["--gpu-count", "0"], "GPU の数は 1〜8"),
        (["--gpu-count", "9"], "GPU の数は 1〜8"),
        (["--gpu-count", "-1"], "GPU の数は 1〜8"),
        (["--max-price", "-1"], "0 より大きい数"),
        (["--max-price", "0"], "0 より大きい数"),
        (["--max-price", "nan"], "0 より大きい数"),
        (["--max-price", "inf"], "0 より大きい数"),
        (["--name", ""], "Pod 名が空です"),
        (["--name", "   "], "Pod 名が空です"),
        (["--name", " kaggle"], "前後に空白"),
        (["--env", "1X=v"], "環境変数名 '1X'"),
        (["--env", "NOVALUE"], "KEY=VALUE の形"),
        (["--image", 'evil"image'], "イメージ名 に使えない文字"),
        (["--image", " "], "イメージ名が空です"),
        (["--ports", ""], "ポートの形"),
        (["--gpu", 'A4000"'], "GPU の種類 に使えない文字"),
    ],
)
def test_bad_options_are_refused_before_any_request(fake, key_files, capsys, option, message):
    assert pod.main(["up", "--volume", "v1", "--public-key-file", key_files[1], *option]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("エラー: ") and "Traceback" not in err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "公開鍵のファイルではありません"),
        (b"\n  \n", "公開鍵のファイルではありません"),
        (b"ssh-ed25519 AAAA\xff\xfe me", "公開鍵のファイルではありません"),
        (b"ssh-ed25519 AAAA a\nssh-ed25519 AAAB b\n", "公開鍵のファイルではありません"),
        (b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "公開鍵のファイルではありません"),
        (b"-----BEGIN OPENSSH PRIVATE KEY-----", "秘密鍵が指定されています"),
        (b"hello world", "SSH の公開鍵の形ではありません"),
        (b"x" * 20000, "公開鍵のファイルではありません"),
    ],
)
def test_a_public_key_file_that_is_no_public_key_is_refused(
    fake, tmp_path, capsys, content, message
):
    key = tmp_path / "key.pub"
    key.write_bytes(content)
    assert pod.main(["up", "--volume", "v1", "--public-key-file", str(key)]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("path", "message"),
    [("{tmp}", "ふつうのファイルではありません"), ("/proc/self/mem", "を読めません")],
)
def test_a_folder_or_unreadable_key_file_is_refused(fake, tmp_path, capsys, path, message):
    key = path.format(tmp=tmp_path)
    assert pod.main(["up", "--volume", "v1", "--public-key-file", key]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


def test_a_non_number_is_refused_in_japanese(fake, key_files, capsys):
    with pytest.raises(SystemExit) as exited:
        pod.main(["up", "--volume", "v1", "--public-key-file", key_files[1], "--gpu-count", "x"])
    assert exited.value.code == 2
    assert "整数を指定してください" in capsys.readouterr().err
    assert fake.requests == []


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


def test_secret_reaches_the_pods_ssh_shell_but_no_output(fake, kaggle_volume, ssh_keypair, capsys):
    token = "KGAT_secret_value_42"
    secret.create_secret("kaggle_api_token", token)
    reference = secret.secret_env("KAGGLE_API_TOKEN", "kaggle_api_token")
    created = pod.deploy_pod(kaggle_volume["id"], env=reference, public_key=ssh_keypair[1])
    ready = pod.wait_until_ready(created["id"], timeout=30, poll=0.2)
    # an SSH shell sees the pod's env through /etc/rp_environment, as on Runpod's images
    check = '. /etc/rp_environment; test "$KAGGLE_API_TOKEN" = "$(cat)" && echo same'
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


def test_a_stopped_pod_is_not_waited_for(fake, kaggle_volume):
    created = pod.deploy_pod(kaggle_volume["id"])
    runpod.api_key = fake.api_key
    runpod.stop_pod(created["id"])
    with pytest.raises(SnippetError, match="止まっています（EXITED）"):
        pod.wait_until_ready(created["id"], timeout=30, poll=0.05)


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
    assert pod_status.PULLING in err


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
