"""A pod's start command: REST `args` replaces the image's `CMD ["/start.sh"]` and really runs
as the container's main process; start.sh's truths (sshd only with PUBLIC_KEY,
/etc/rp_environment, the .bashrc line) happen only when /start.sh runs; the output is the
container log; a start command that ends ends the container."""

from __future__ import annotations

import shlex

import pytest

from tests.fake_runpod.helpers import Api, wait_for


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def container_lines(fake, pod_id: str) -> list[str]:
    return [line.line for line in fake.backend.logs[pod_id].lines if line.source == "container"]


def runtime(fake, pod_id: str):
    return fake.pods[pod_id].runtime


def test_without_args_the_image_runs_start_sh(api, fake_runpod, ssh_keypair):
    _, public = ssh_keypair
    pod_id = api.create_pod(env={"PUBLIC_KEY": public}, ports=["22/tcp"])["id"]
    api.wait_status(pod_id, "RUNNING")
    finished = "Start script(s) finished, Pod is ready to use."
    wait_for(lambda: finished in container_lines(fake_runpod, pod_id))
    folder = runtime(fake_runpod, pod_id).folder
    assert "export RUNPOD_POD_ID=" in (folder / "etc" / "rp_environment").read_text()
    home = runtime(fake_runpod, pod_id).home
    assert (home / ".ssh" / "authorized_keys").read_text() == public + "\n"
    assert runtime(fake_runpod, pod_id).sshd_answers()


def test_args_that_arm_a_job_and_then_exec_start_sh_keep_start_sh_truths(
    api, fake_runpod, ssh_keypair
):
    _, public = ssh_keypair
    args = "bash -c '(sleep 0.1; echo armed > /workspace/armed) & exec /start.sh'"
    pod_id = api.create_pod(args=args, env={"PUBLIC_KEY": public}, ports=["22/tcp"])["id"]
    assert api.wait_status(pod_id, "RUNNING")["args"] == args
    pod = fake_runpod.pods[pod_id]
    wait_for(lambda: (pod.workspace / "armed").exists())
    wait_for(lambda: runtime(fake_runpod, pod_id).sshd_answers())  # start.sh started sshd
    assert (
        "source /etc/rp_environment" in (runtime(fake_runpod, pod_id).home / ".bashrc").read_text()
    )


def test_a_start_command_that_never_runs_start_sh_gives_no_sshd(api, fake_runpod, ssh_keypair):
    _, public = ssh_keypair
    args = "bash -c 'echo my own; exec sleep infinity'"
    pod_id = api.create_pod(args=args, env={"PUBLIC_KEY": public}, ports=["22/tcp"])["id"]
    running = api.wait_status(pod_id, "RUNNING")
    assert running["ssh"]["direct"] is not None  # the port is mapped...
    wait_for(lambda: container_lines(fake_runpod, pod_id) == ["my own"])
    box = runtime(fake_runpod, pod_id)
    assert not box.sshd_answers()  # ... but nothing started sshd
    assert not (box.home / ".ssh").exists()
    assert (box.folder / "etc" / "rp_environment").read_text() == ""
    assert "source /etc/rp_environment" not in (box.home / ".bashrc").read_text()


def test_a_start_command_that_ends_exits_the_container(api, fake_runpod):
    pod_id = api.create_pod(args="bash -c 'echo done; exit 3'")["id"]
    exited = api.wait_status(pod_id, "EXITED")
    assert (exited["cost"], exited["runtime"]) == (0.0, None)
    assert container_lines(fake_runpod, pod_id) == ["done"]
    system = [line.line for line in fake_runpod.backend.logs[pod_id].lines]
    assert system[-1] == "container exited with status 3"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ("bash -c 'unclosed", "cannot parse the start command: No closing quotation"),
        ("bash -c 'echo \0'", "cannot parse the start command: a NUL byte"),
    ],
)
def test_a_start_command_that_does_not_parse_fails_the_pod(api, fake_runpod, args, says):
    pod_id = api.create_pod(args=args)["id"]
    api.wait_status(pod_id, "ERROR")
    assert says in fake_runpod.backend.logs[pod_id].lines[-1].line


def test_a_missing_program_ends_the_container_with_127(api, fake_runpod):
    pod_id = api.create_pod(args="/no/such/program")["id"]
    api.wait_status(pod_id, "EXITED")
    assert fake_runpod.backend.logs[pod_id].lines[-1].line == "container exited with status 127"


def test_start_jupyter_injects_a_password_unless_the_pod_sets_one(api, fake_runpod):
    made = api.create_pod(startJupyter=True, ports=["8888/http"])
    other = api.create_pod(startJupyter=True, env={"JUPYTER_PASSWORD": "mine"})
    for pod_id in (made["id"], other["id"]):
        api.wait_status(pod_id, "RUNNING")
    password = runtime(fake_runpod, made["id"]).env["JUPYTER_PASSWORD"]
    assert len(password) >= 16 and shlex.quote(password) == password
    assert runtime(fake_runpod, other["id"]).env["JUPYTER_PASSWORD"] == "mine"
    assert "JUPYTER_PASSWORD" not in api.pod(made["id"])["env"]  # not readable config
    lines = container_lines  # the start.sh line, from the fake's start script
    wait_for(lambda: any("Starting Jupyter Lab" in line for line in lines(fake_runpod, made["id"])))


def test_global_networking_is_honoured_where_the_data_center_has_it(api):
    made = api.create_pod(globalNetworking=True)
    assert api.wait_status(made["id"], "STARTING", "RUNNING")["dataCenterId"] in (
        "EU-RO-1",
        "US-KS-2",
    )
    networking = api.pod(made["id"])["globalNetworking"]
    assert networking["enabled"] and networking["internalDns"] == f"{made['id']}.runpod.internal"
    plain = api.create_pod()
    assert plain["globalNetworking"] == {"enabled": False}


def test_an_environment_value_with_a_nul_byte_fails_the_pod(api, fake_runpod):
    pod_id = api.create_pod(env={"BAD": "a\0b"})["id"]
    api.wait_status(pod_id, "ERROR")
    assert "NUL byte" in fake_runpod.backend.logs[pod_id].lines[-1].line
    assert fake_runpod.internal_errors == []
