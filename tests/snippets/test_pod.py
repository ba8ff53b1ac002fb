"""snippets/pod.py and snippets/deploy.py: a pod through REST v2, against the fake; SSH really
connects.

What the reader is promised: `pod up` rents one pod (never two), on a host whose CUDA can run
the recommended image, at or under their price cap whatever picked the GPU, with the volume
at /workspace and a watchdog that deletes it after --max-hours; it prints an ssh config that
works, even for a key path with a space; and whenever it stops without a usable pod (an
error, an ended pod, a timeout, Ctrl+C, a closed terminal) it says the pod's ID and the exact
command that stops the bill.
"""

import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from fake_runpod import contract
from snippets import api, deploy, errors, pod, pod_status, pricing, remote, secret, volume
from snippets.cli import SnippetError
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


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, str, object]]:
    """(method, path, JSON body) of every request the snippets send, as sent."""
    seen = []
    real = api.session

    def recording():
        http = real()
        send = http.request

        def request(method, url, **kwargs):
            seen.append((method, url.split("/v2/", 1)[-1], kwargs.get("json")))
            return send(method, url, **kwargs)

        http.request = request
        return http

    monkeypatch.setattr(api, "session", recording)
    return seen


def up(kaggle_volume, key_files, *extra):
    return pod.main(
        ["up", "--volume", kaggle_volume["id"], "--public-key-file", key_files[1], *extra]
    )


def pod_posts(fake) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.path == "/v2/pods")


def ssh_with_config(config_text, alias, command, tmp_path):
    """Connect the way a reader does: `ssh ALIAS` with the printed Host entry."""
    config = tmp_path / "ssh_config"
    config.write_text(config_text)
    argv = ["ssh", "-F", str(config), *remote.SSH_ARGS, alias, command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


# --- the happy path ----------------------------------------------------------------------


def test_up_prints_an_ssh_config_that_connects_to_the_volume(
    fake, kaggle_volume, key_files, tmp_path, capsys
):
    assert up(kaggle_volume, key_files) == 0
    out, err = capsys.readouterr()
    (created,) = fake.pods.values()
    alias = f"runpod-{created.id}"
    assert f"Host {alias}\n" in out and "    User root\n" in out
    assert f'    IdentityFile "{key_files[0]}"\n' in out
    assert f"https://{created.id}-6006.proxy.runpod.net" in out
    assert f"python -m snippets.pod down {created.id}" in out
    assert "課金が始まっています" in err and "最長 24 時間で自動的に削除されます" in err

    result = ssh_with_config(out, alias, "echo hello > /workspace/from-pod.txt && pwd", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "/root\n"
    assert (fake.volume_dir(kaggle_volume["id"]) / "from-pod.txt").read_text() == "hello\n"


def test_a_key_path_with_a_space_still_makes_a_working_config(
    fake, kaggle_volume, ssh_keypair, tmp_path, capsys
):
    folder = tmp_path / "my keys"
    folder.mkdir()
    private = folder / "id ed25519"
    private.write_bytes(ssh_keypair[0].read_bytes())
    private.chmod(0o600)
    (folder / "id ed25519.pub").write_text(ssh_keypair[1] + "\n")
    assert up(kaggle_volume, (private, f"{private}.pub")) == 0
    out = capsys.readouterr().out
    (created,) = fake.pods.values()
    config = tmp_path / "config"
    config.write_text(out)
    shown = subprocess.run(
        ["ssh", "-G", "-F", str(config), f"runpod-{created.id}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"identityfile {private}\n" in shown
    result = ssh_with_config(out, f"runpod-{created.id}", "echo ok", tmp_path)
    assert result.stdout == "ok\n", result.stderr


def test_the_request_is_the_guides_pod(fake, kaggle_volume, ssh_keypair, sent):
    """What is sent validates against the v2 OpenAPI's CreatePodRequest and is the pod the
    guide describes: recommended image, volume at /workspace in its data center, Secure
    Cloud, a CUDA floor (not an exact list), the watchdog, the reader's key."""
    recommended = api.load_recommended()
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    (body,) = [json for method, path, json in sent if (method, path) == ("POST", "pods")]
    operation, _, _ = contract.match("POST", "/v2/pods")
    assert operation.request_errors(body) == []
    assert body["gpu"] == {
        "id": pricing.cheapest_gpu("EU-RO-1", 0.5)["id"],
        "count": 1,
        "minCudaVersion": recommended["image"]["min_cuda"],
    }
    assert "allowedCudaVersions" not in body["gpu"]
    assert body["mounts"] == {"network": [{"volumeId": kaggle_volume["id"], "path": "/workspace"}]}
    assert body["dataCenterIds"] == [kaggle_volume["dataCenter"]] and body["cloud"] == "SECURE"
    assert body["image"] == recommended["image"]["name"]
    assert body["ports"] == recommended["pod"]["ports"].split(",")
    assert body["disk"] == recommended["pod"]["container_disk_gb"]
    assert body["env"]["PUBLIC_KEY"] == ssh_keypair[1]
    assert "sleep 86400" in body["args"] and body["args"].endswith("exec /start.sh'")
    assert "$RUNPOD_API_KEY" in body["args"] and fake.api_key not in str(body)
    ready = pod.wait_until_ready(made["id"], timeout=60, poll=0.05)
    assert ready["dataCenterId"] == kaggle_volume["dataCenter"]
    assert fake.pods[made["id"]].network_volume_id == kaggle_volume["id"]


def test_the_cuda_floor_keeps_old_drivers_out_and_newer_ones_in(fake, kaggle_volume, ssh_keypair):
    fake.set_faults("pod:old_driver")  # the data center's first machine has CUDA 12.4
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    ready = pod.wait_until_ready(made["id"], timeout=30, poll=0.05)
    assert tuple(map(int, ready["cudaVersion"].split("."))) >= (12, 8)


def test_explicit_gpu_count_ports_name_and_image(fake, kaggle_volume):
    created = pod.deploy_pod(
        kaggle_volume["id"],
        gpu_type_id="NVIDIA RTX A6000",
        gpu_count=2,
        ports="22/tcp,8888/http",
        name="exp-1",
        image="runpod/base:0.6.2",
        max_hours=0,
    )
    stored = fake.pods[created["id"]]
    assert (stored.gpu_type_id, stored.gpu_count, stored.name) == ("NVIDIA RTX A6000", 2, "exp-1")
    assert created["ports"] == ["22/tcp", "8888/http"] and not stored.docker_args
    assert "PUBLIC_KEY" not in stored.env


def test_a_registry_credential_goes_with_the_create_and_a_bad_one_is_refused(fake, kaggle_volume):
    """The nightly run's optional registry credential (LIVE_REGISTRY_ID) is a create field:
    `registry`, the ID of a credential saved on Runpod; anything else never reaches the API."""
    credential = fake.state.create_registry("docker-hub", "kgl-live", "dckr_pat_dummy")
    created = pod.deploy_pod(kaggle_volume["id"], registry=credential.id, max_hours=0)
    assert fake.pods[created["id"]].registry_id == credential.id
    with pytest.raises(SnippetError, match="レジストリの認証 ID の形が正しくありません"):
        pod.deploy_pod(kaggle_volume["id"], registry="id; rm -rf /", max_hours=0)
    assert len(fake.pods) == 1


# --- caps and refusals before any money is spent -------------------------------------------


def test_a_chosen_gpu_over_the_cap_is_refused_before_anything_is_rented(
    fake, kaggle_volume, key_files, capsys
):
    gpu = "NVIDIA A100 80GB PCIe"
    assert up(kaggle_volume, key_files, "--gpu", gpu, "--max-price", "0.3") == 1
    err = capsys.readouterr().err
    assert "上限 $0.30/時 を超えています" in err and gpu in err
    assert pod_posts(fake) == 0 and fake.pods == {}


def test_an_unknown_gpu_is_refused_before_anything_is_rented(fake, kaggle_volume):
    with pytest.raises(SnippetError, match="Runpod にありません"):
        pod.deploy_pod(kaggle_volume["id"], gpu_type_id="NVIDIA GeForce GTX 9090")
    assert pod_posts(fake) == 0


def test_a_bill_above_the_cap_is_deleted_at_once(fake, kaggle_volume, monkeypatch):
    """The rate Runpod bills (`cost`) is what counts, not the list price that picked it."""
    real = pricing.cheapest_gpu

    def understated(data_center, max_price, gpu_count=1, exclude=()):
        return {**real(data_center, 5.0, gpu_count, exclude), "price": 0.01}

    monkeypatch.setattr(deploy, "cheapest_gpu", understated)
    with pytest.raises(SnippetError, match="上限 \\$0.10/時 を超えたため、すぐに削除しました"):
        pod.deploy_pod(kaggle_volume["id"], max_price=0.1)
    assert fake.pods == {}


def test_a_missing_secret_stops_the_pod_before_it_is_rented(fake, kaggle_volume, key_files, capsys):
    secret.create_secret("Kaggle_API_Token", "KGAT_value_0123")
    reference = "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}"
    assert up(kaggle_volume, key_files, "--env", reference) == 1
    err = capsys.readouterr().err
    assert "kaggle_api_token（Kaggle_API_Token ならあります）" in err
    assert pod_posts(fake) == 0


def test_an_existing_secret_reference_is_sent_as_written(fake, kaggle_volume, key_files):
    secret.create_secret("kaggle_api_token", "KGAT_value_0123")
    reference = "{{ RUNPOD_SECRET_kaggle_api_token }}"
    assert up(kaggle_volume, key_files, "--env", f"KAGGLE_API_TOKEN={reference}") == 0
    (created,) = fake.pods.values()
    assert created.env["KAGGLE_API_TOKEN"] == reference


@pytest.mark.parametrize("value", ["pa$$word", 'say "hi"', "`id`", "a\\b"])
def test_env_values_that_rp_environment_would_mangle_are_refused(fake, kaggle_volume, value):
    with pytest.raises(SnippetError, match="/etc/rp_environment"):
        pod.deploy_pod(kaggle_volume["id"], env={"MY_SETTING": value})
    assert pod_posts(fake) == 0


@pytest.mark.parametrize(
    ("hours", "ok"),
    [
        (0, True),
        (0.5, True),
        (720, True),
        (-1, False),
        (721, False),
        (float("nan"), False),
        (True, False),
    ],
)
def test_max_hours_is_bounded(fake, kaggle_volume, hours, ok):
    if ok:
        made = pod.deploy_pod(kaggle_volume["id"], max_hours=hours)
        assert bool(fake.pods[made["id"]].docker_args) == bool(hours)
    else:
        with pytest.raises(SnippetError, match="--max-hours は 0〜720"):
            pod.deploy_pod(kaggle_volume["id"], max_hours=hours)


def test_the_watchdog_needs_an_official_image(fake, kaggle_volume):
    with pytest.raises(SnippetError, match="--max-hours 0 を指定してください"):
        pod.deploy_pod(kaggle_volume["id"], image="nvidia/cuda:12.8.1-base-ubuntu24.04")
    assert pod_posts(fake) == 0


# --- capacity, balance, lost answers ---------------------------------------------------------


@pytest.mark.parametrize("fault", ["create_pod:no_capacity", "create_pod:no_resources"])
def test_no_capacity_falls_back_to_the_next_cheapest(fake, kaggle_volume, key_files, capsys, fault):
    first, second = [offer["id"] for offer in pricing.gpu_offers("EU-RO-1")[:2]]
    fake.set_faults(fault)
    assert up(kaggle_volume, key_files) == 0
    (created,) = fake.pods.values()
    assert created.gpu_type_id == second
    assert f"{first} は空きがないので" in capsys.readouterr().err


def test_no_capacity_for_the_chosen_gpu(fake, kaggle_volume, key_files, capsys):
    fake.set_faults("create_pod:no_capacity")
    assert up(kaggle_volume, key_files, "--gpu", "NVIDIA RTX A4000") == 1
    assert "EU-RO-1 の NVIDIA RTX A4000 は今、空きがありません" in capsys.readouterr().err


def test_no_capacity_anywhere_under_the_cap(fake, kaggle_volume, key_files, capsys):
    fake.set_faults("create_pod:no_capacityx*")
    assert up(kaggle_volume, key_files, "--max-price", "0.3") == 1
    assert "どれも今は空きがありません" in capsys.readouterr().err
    assert fake.pods == {}


def test_an_empty_balance_stops_without_trying_other_gpus(fake, kaggle_volume, key_files, capsys):
    fake.set_faults("create_pod:insufficient_balance")
    assert up(kaggle_volume, key_files) == 1
    assert "残高が足りません" in capsys.readouterr().err
    assert pod_posts(fake) == 1 and fake.pods == {}


@pytest.mark.parametrize("fault", ["rest_create:524", "rest_create:drop", "lost:rest_create"])
def test_a_lost_create_answer_adopts_the_pod_it_made(fake, kaggle_volume, key_files, capsys, fault):
    fake.set_faults(fault)
    assert up(kaggle_volume, key_files) == 0
    (created,) = fake.pods.values()
    out, err = capsys.readouterr()
    assert f"Host runpod-{created.id}" in out
    assert f"作られていました（ID: {created.id}）" in err
    assert pod_posts(fake) == 1


def test_two_lost_creates_at_once_each_adopt_their_own(fake, kaggle_volume):
    fake.set_faults("rest_create:524x2")
    made = []
    threads = [
        threading.Thread(target=lambda: made.append(pod.deploy_pod(kaggle_volume["id"])))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(made) == 2 and len({m["id"] for m in made}) == 2
    assert set(fake.pods) == {m["id"] for m in made}


# --- waiting, and never abandoning a billed pod ------------------------------------------------


def test_a_pod_that_errors_fails_fast_with_its_log_and_the_way_to_stop_it(
    fake, kaggle_volume, key_files, capsys
):
    fake.set_faults("pod:error")
    assert up(kaggle_volume, key_files) == 1
    err = capsys.readouterr().err
    (created,) = fake.pods.values()
    last = err.strip().splitlines()[-1]
    assert last.startswith("エラー: ") and "起動に失敗しました（ERROR）" in last
    assert f"python -m snippets.pod down {created.id}" in last
    assert "Runpod 側のログの最後の行:「error" in last  # why, in Runpod's own words


def test_a_pod_that_exits_is_reported_with_the_way_to_stop_it(
    fake, kaggle_volume, key_files, capsys
):
    fake.set_faults("pod:exits,pod:slow_sshd=30")  # it ends before sshd is up
    assert up(kaggle_volume, key_files) == 1
    err = capsys.readouterr().err
    (created,) = fake.pods.values()
    assert "止まっています（EXITED）" in err and f"python -m snippets.pod down {created.id}" in err


@pytest.mark.parametrize("fault", ["pod:no_port=1", "pod:private_port=1", "pod:slow_sshd=1"])
def test_not_ready_yet_keeps_waiting_until_ready(fake, kaggle_volume, key_files, capsys, fault):
    fake.set_faults(fault)
    assert up(kaggle_volume, key_files) == 0
    err = capsys.readouterr().err
    assert any(ELAPSED.search(line) for line in err.splitlines())


def test_a_pod_never_ready_times_out_with_the_way_to_stop_it(fake, kaggle_volume, ssh_keypair):
    fake.set_faults("pod:never_ready")
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    with pytest.raises(errors.PodFailed, match="待っても SSH で入れる状態になりません") as failed:
        pod.wait_until_ready(made["id"], timeout=0.3, poll=0.05)
    assert f"python -m snippets.pod down {made['id']}" in str(failed.value)
    assert failed.value.pod_id == made["id"]


def test_progress_says_what_changed_and_how_long_it_took(capsys):
    show = pod.progress_printer(every=3600)
    show("a")
    show("a")  # nothing new within the hour: silent
    show("b")
    show("[Runpod] pulling", log=True)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("…")[0] for line in lines[:2]] == ["  a", "  b"]
    assert all(ELAPSED.search(line) for line in lines[:2])
    assert lines[2] == "    [Runpod] pulling"


def test_the_hosts_log_is_shown_while_the_image_is_pulled(fake, key_files, monkeypatch, capsys):
    monkeypatch.setattr(pod_status, "LOG_EVERY", 0)
    fake.set_faults("pod:slow_start=3")
    disk = volume.create_volume("kaggle-data", 50, "EU-RO-1")
    assert up(disk, key_files) == 0
    shown = [line for line in capsys.readouterr().err.splitlines() if "[Runpod]" in line]
    assert any("Pulling" in line or "Downloading" in line for line in shown), shown
    assert len(shown) == len(set(shown))  # each line once


@pytest.mark.parametrize(
    ("signal_name", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)]
)
def test_a_stop_while_waiting_names_the_pod_and_the_command(
    fake, kaggle_volume, key_files, signal_name, code
):
    fake.set_faults("pod:never_ready")
    done = _up_interrupted(fake, kaggle_volume, key_files, signal_name, "起動を待っています")
    (created,) = fake.pods.values()
    assert done.returncode == code, done.stderr
    assert f"python -m snippets.pod down {created.id}" in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_during_the_create_says_a_pod_may_exist(fake, kaggle_volume, key_files):
    fake.set_faults("timeout:rest_create=20")
    done = _up_interrupted(fake, kaggle_volume, key_files, "SIGINT", None)
    assert done.returncode == 130
    assert "作られている可能性があります" in done.stderr
    assert "python -m snippets.pod list" in done.stderr and "Traceback" not in done.stderr


def _up_interrupted(fake, kaggle_volume, key_files, signal_name, after):
    import signal as signals

    env = {
        "PATH": "/usr/bin:/bin",
        "RUNPOD_API_BASE_URL": fake.url,
        "RUNPOD_API_KEY": fake.api_key,
        "PYTHONUNBUFFERED": "1",
    }
    argv = [
        sys.executable,
        "-m",
        "snippets.pod",
        "up",
        "--volume",
        kaggle_volume["id"],
        "--public-key-file",
        key_files[1],
    ]
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if after is None and fake.pods:
            time.sleep(0.3)  # made; its answer is being held back by the fake
            break
        if after is not None:
            line = proc.stderr.readline()
            seen += line
            if after in line:
                break
        else:
            time.sleep(0.05)
    proc.send_signal(getattr(signals, signal_name))
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(argv, proc.returncode, out, seen + err)


# --- the other commands ----------------------------------------------------------------------


def test_down_deletes_and_keeps_the_volume(fake, kaggle_volume, capsys):
    made = pod.deploy_pod(kaggle_volume["id"])
    assert pod.main(["down", made["id"]]) == 0
    assert "削除しました" in capsys.readouterr().out
    assert fake.pods == {} and kaggle_volume["id"] in fake.volumes


def test_down_whose_answer_is_lost_still_succeeds(fake, kaggle_volume):
    made = pod.deploy_pod(kaggle_volume["id"])
    fake.set_faults("lost:rest")  # the next request (the DELETE) is done, its answer lost
    pod.terminate_pod(made["id"])
    assert fake.pods == {}


def test_down_of_an_unknown_pod_is_explained(fake, capsys):
    assert pod.main(["down", "nosuchpod"]) == 1
    assert "Pod nosuchpod が見つかりません" in capsys.readouterr().err


def test_ssh_config_of_a_running_pod(fake, kaggle_volume, ssh_keypair, capsys):
    made = pod.deploy_pod(kaggle_volume["id"], public_key=ssh_keypair[1])
    assert pod.main(["ssh-config", made["id"], "--identity-file", str(ssh_keypair[0])]) == 0
    assert f'IdentityFile "{ssh_keypair[0]}"' in capsys.readouterr().out


def test_list_shows_each_pod_with_its_status_and_rate(fake, kaggle_volume, capsys):
    assert pod.main(["list"]) == 0
    assert "課金される Pod はありません" in capsys.readouterr().out
    made = pod.deploy_pod(kaggle_volume["id"])
    deadline = time.monotonic() + 30
    while pod.get_pod(made["id"])["status"] != "RUNNING":  # a machine is assigned
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert pod.main(["list"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(made["id"]) and "/時" in line and "EU-RO-1" in line


def test_logs_shows_the_hosts_lines(fake, kaggle_volume, capsys):
    fake.set_faults("pod:error")
    made = pod.deploy_pod(kaggle_volume["id"])
    deadline = time.monotonic() + 30
    while pod.get_pod(made["id"])["status"] != "ERROR":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert pod.main(["logs", made["id"]]) == 0
    assert capsys.readouterr().out.strip()


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        pod.main(["up", "--help"])
    out = capsys.readouterr().out
    assert "使い方:" in out and "--max-hours" in out and "自動で削除" in out


# --- what only a broken or odd answer reaches ------------------------------------------------


def test_a_pod_that_could_not_be_deleted_over_the_cap_is_said_so(fake, kaggle_volume, monkeypatch):
    real = pricing.cheapest_gpu
    monkeypatch.setattr(
        deploy,
        "cheapest_gpu",
        lambda dc, cap, count=1, exclude=(): {**real(dc, 5.0, count, exclude), "price": 0.01},
    )

    def refused(pod_id):
        raise SnippetError("no")

    monkeypatch.setattr(deploy, "terminate_pod", refused)
    with pytest.raises(SnippetError, match="削除できませんでした。python -m snippets.pod down"):
        pod.deploy_pod(kaggle_volume["id"], max_price=0.1)


def test_any_failure_while_waiting_names_the_pod_and_the_command(
    fake, kaggle_volume, key_files, monkeypatch, capsys
):
    def unreachable(*args, **kwargs):
        raise errors.Unavailable("Runpod API に接続できません。")

    monkeypatch.setattr(pod, "wait_until_ready", unreachable)
    assert up(kaggle_volume, key_files) == 1
    (created,) = fake.pods.values()
    assert f"python -m snippets.pod down {created.id}" in capsys.readouterr().err


def test_logs_of_a_pod_with_nothing_yet_says_so(fake, kaggle_volume, monkeypatch, capsys):
    made = pod.deploy_pod(kaggle_volume["id"])
    monkeypatch.setattr(pod, "pod_logs", lambda *args, **kwargs: [])
    assert pod.main(["logs", made["id"]]) == 0
    assert "ログはまだありません" in capsys.readouterr().out


def test_an_ssh_config_needs_a_mapped_port():
    with pytest.raises(errors.PodFailed, match="SSH ポートがまだ開いていません"):
        pod.ssh_config_entry({"id": "p1", "status": "STARTING", "ssh": {"direct": None}})


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("TERMINATED", "削除されました（課金は止まっています）"),
        ("MIGRATING", "想定外の状態です（MIGRATING）"),
    ],
)
def test_a_pod_in_an_end_or_unknown_state_is_reported(status, says):
    with pytest.raises(errors.PodFailed, match=says) as ended:
        pod_status.pod_progress({"id": "p1", "status": status})
    assert ended.value.status == status


def test_a_port_that_closes_without_a_banner_is_not_ready():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()
    try:
        assert not pod_status.ssh_answers(server.getsockname())
    finally:
        server.close()


def test_a_pod_read_in_another_shape_is_not_taken_for_the_pod(fake, monkeypatch):
    monkeypatch.setattr(api, "rest", lambda *args, **kwargs: {"id": "p1"})
    with pytest.raises(errors.NotRunpod):
        pod.get_pod("p1")


def test_a_pod_gone_by_the_time_the_delete_arrives_counts_as_deleted(
    fake, kaggle_volume, monkeypatch
):
    made = pod.deploy_pod(kaggle_volume["id"])
    real = api.rest

    def delete_lost_then_gone(method, path, *args, **kwargs):
        if method == "DELETE":  # our delete was carried out; its retry found nothing
            real(method, path, *args, **kwargs)
            raise errors.NotFound("gone", status=404)
        return real(method, path, *args, **kwargs)

    monkeypatch.setattr(api, "rest", delete_lost_then_gone)
    pod.terminate_pod(made["id"])
    assert fake.pods == {}
