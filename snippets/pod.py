"""Rent a GPU pod on your network volume, connect with SSH / VS Code, and delete it.

python -m snippets.pod up --volume VOLUME_ID --max-price 0.5
python -m snippets.pod ssh-config POD_ID
python -m snippets.pod down POD_ID
"""

import argparse
import re
import socket
import sys
import time
from pathlib import Path

import runpod

from snippets.api import (
    MAX_ENV_VARS,
    NoCapacityError,
    SnippetError,
    check_id,
    check_text,
    create_once,
    load_recommended,
    run_cli,
    sdk,
    sdk_create,
)
from snippets.pricing import cheapest_gpu, check_gpu
from snippets.volume import get_volume

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PORTS = re.compile(r"\d+/(tcp|http)(,\d+/(tcp|http))*")
READY_TIMEOUT = 600  # seconds `up` waits for SSH (big images take minutes to pull)


def deploy_pod(
    volume_id: str,
    *,
    gpu_type_id: str | None = None,
    gpu_count: int = 1,
    max_price: float = 0.5,
    ports: str | None = None,
    env: dict | None = None,
    name: str | None = None,
    public_key: str | None = None,
    image: str | None = None,
) -> dict:
    """Start an On-Demand pod with the volume at /workspace, in the volume's data center.

    Without gpu_type_id, takes the cheapest GPU under max_price ($/GPU/h) and moves on to
    the next one when Runpod has no free machine for it.
    """
    defaults = load_recommended()
    ports = ports or defaults["pod"]["ports"]
    env = dict(env or {})
    if public_key:
        env["PUBLIC_KEY"] = public_key  # Runpod's images add it to authorized_keys
    # Check every value first: the SDK pastes them into GraphQL text unescaped.
    name = check_text("Pod 名", name or "kaggle")
    image = check_text("イメージ名", image or defaults["image"]["name"])
    if not PORTS.fullmatch(ports):
        raise SnippetError(f"ポートの形が正しくありません（例: 22/tcp,6006/http）: {ports!r}")
    check_env(env)

    if gpu_type_id:
        check_gpu(gpu_type_id)
    data_center = get_volume(volume_id)["dataCenter"]
    tried = []
    while True:
        gpu = gpu_type_id or cheapest_gpu(data_center, max_price, gpu_count, exclude=tried)["id"]
        try:
            pod = create_once(
                "Pod",
                name,
                lambda gpu=gpu: sdk_create(
                    runpod.create_pod,
                    name=name,
                    image_name=image,
                    gpu_type_id=gpu,
                    gpu_count=gpu_count,
                    cloud_type=defaults["pod"]["cloud_type"],
                    data_center_id=data_center,
                    network_volume_id=volume_id,
                    volume_mount_path=defaults["pod"]["volume_mount_path"],  # not the SDK's default
                    container_disk_in_gb=defaults["pod"]["container_disk_gb"],
                    ports=ports,
                    env=env,
                ),
                list_pods,
            )
            return {**pod, "gpuTypeId": gpu, "dataCenter": data_center}
        except NoCapacityError:
            if gpu_type_id:
                raise NoCapacityError(
                    f"{data_center} の {gpu} は今、空きがありません。--gpu を外すと、"
                    "上限以下で空いている別の GPU を探します。"
                ) from None
            print(f"{gpu} は空きがないので、次に安い GPU を試します。", file=sys.stderr)
            tried.append(gpu)


def check_env(env: dict) -> dict:
    """At most 50 variables; names of letters, digits and _; values safe for the SDK."""
    if len(env) > MAX_ENV_VARS:
        raise SnippetError(f"環境変数は {MAX_ENV_VARS} 個までです（指定: {len(env)} 個）。")
    for key, value in env.items():
        if not ENV_NAME.fullmatch(key):
            raise SnippetError(
                f"環境変数名 {key!r} は英数字と _ だけで、数字以外で始めてください。"
            )
        check_text(f"環境変数 {key} の値", value)
    return env


def get_pod(pod_id: str) -> dict:
    """A pod by id, with a clear message when it does not exist (any more)."""
    pod = sdk(runpod.get_pod, check_id("Pod ID", pod_id))
    if not pod:
        raise SnippetError(f"Pod {pod_id} が見つかりません（もう削除されたかもしれません）。")
    return pod


def list_pods() -> list[dict]:
    return sdk(runpod.get_pods)


def terminate_pod(pod_id: str) -> None:
    """Delete the pod (billing stops); the network volume and its files stay."""
    get_pod(pod_id)
    sdk(runpod.terminate_pod, pod_id)


def ssh_endpoint(pod: dict) -> tuple[str, int]:
    """(public IP, port) of the pod's SSH server, from runtime.ports."""
    for port in (pod.get("runtime") or {}).get("ports") or []:
        if port["privatePort"] == 22 and port["isIpPublic"] and port["type"] == "tcp":
            return port["ip"], port["publicPort"]
    raise SnippetError(f"Pod {pod['id']} の SSH ポートがまだ開いていません。")


def wait_until_ready(pod_id: str, timeout: float = 600, poll: float = 2) -> dict:
    """Poll until the pod's SSH port accepts a TCP connection; returns the pod."""
    deadline = time.monotonic() + timeout
    while True:
        pod = get_pod(pod_id)
        if _ssh_port_open(pod):
            return pod
        if time.monotonic() > deadline:
            raise SnippetError(
                f"Pod {pod_id} が {timeout:g} 秒待っても SSH で入れる状態になりません。"
                f"課金を止めるには python -m snippets.pod down {pod_id} を実行してください。"
            )
        time.sleep(poll)


def _ssh_port_open(pod: dict) -> bool:
    try:
        with socket.create_connection(ssh_endpoint(pod), timeout=5):
            return True
    except (SnippetError, OSError):
        return False


def ssh_config_entry(pod: dict, alias: str | None = None, identity_file="~/.ssh/id_ed25519") -> str:
    """A Host entry for ~/.ssh/config: `ssh ALIAS` and VS Code Remote-SSH then just work."""
    host, port = ssh_endpoint(pod)
    return (
        f"Host {alias or 'runpod-' + pod['id']}\n"
        f"    HostName {host}\n"
        f"    Port {port}\n"
        "    User root\n"
        f"    IdentityFile {identity_file}\n"
    )


def proxy_urls(pod: dict) -> dict[int, str]:
    """Runpod's HTTPS address of each http port, e.g. TensorBoard on 6006."""
    http_ports = [int(p.split("/")[0]) for p in pod["ports"].split(",") if p.endswith("/http")]
    return {port: f"https://{pod['id']}-{port}.proxy.runpod.net" for port in http_ports}


def read_public_key(path: str) -> str:
    try:
        return Path(path).expanduser().read_text().strip()
    except FileNotFoundError:
        raise SnippetError(
            f"公開鍵 {path} がありません。ssh-keygen -t ed25519 で鍵を作るか、"
            "--public-key-file で場所を指定してください。"
        ) from None


def parse_env(pairs: list[str]) -> dict:
    """["KEY=VALUE", ...] -> {"KEY": "VALUE", ...}"""
    env = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals:
            raise SnippetError(f"--env は KEY=VALUE の形で指定してください: {key!r}")
        env[key] = value
    return env


def print_ssh_config(pod: dict, identity_file: str) -> None:
    """Print a ready-to-paste ~/.ssh/config block (comments start with #)."""
    gpu = (pod.get("machine") or {}).get("gpuDisplayName") or "GPU"
    print(f"# Pod {pod['id']}（{gpu}、${pod['costPerHr']:.2f}/時）")
    for port, url in proxy_urls(pod).items():
        print(f"# ポート {port} (http): {url}")
    print(f"# 使い終わったら: python -m snippets.pod down {pod['id']}")
    print(ssh_config_entry(pod, identity_file=identity_file), end="")


def main(argv=None) -> int:
    defaults = load_recommended()["pod"]
    parser = argparse.ArgumentParser(
        prog="python -m snippets.pod",
        description="ボリューム付きの GPU Pod を借り、SSH（VS Code）の設定を表示し、削除します。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="操作")
    up = commands.add_parser(
        "up", help="Pod を作り、SSH で入れるまで待って ~/.ssh/config 用の設定を表示する"
    )
    up.add_argument(
        "--volume", required=True, help="ネットワークボリューム ID（/workspace に付きます）"
    )
    up.add_argument("--gpu", help='GPU の種類（例: "NVIDIA RTX A4000"）。省略すると上限以下で最安')
    up.add_argument("--gpu-count", type=int, default=1, help="GPU の数（既定 1）")
    up.add_argument(
        "--max-price", type=float, default=0.5, help="1 GPU・1 時間あたりの上限ドル（既定 0.5）"
    )
    up.add_argument(
        "--ports", default=defaults["ports"], help=f"開くポート（既定 {defaults['ports']}）"
    )
    up.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="環境変数（何回でも）"
    )
    up.add_argument(
        "--public-key-file",
        default="~/.ssh/id_ed25519.pub",
        help="SSH 公開鍵（既定 ~/.ssh/id_ed25519.pub）",
    )
    up.add_argument("--image", help="コンテナイメージ（既定は推奨イメージ）")
    ssh_config = commands.add_parser(
        "ssh-config", help="既存の Pod の ~/.ssh/config 用の設定を表示する"
    )
    ssh_config.add_argument("pod_id", metavar="ID", help="Pod ID")
    ssh_config.add_argument(
        "--identity-file", default="~/.ssh/id_ed25519", help="SSH 秘密鍵（既定 ~/.ssh/id_ed25519）"
    )
    down = commands.add_parser("down", help="Pod を削除して課金を止める（ボリュームは残ります）")
    down.add_argument("pod_id", metavar="ID", help="Pod ID")
    args = parser.parse_args(argv)

    def run() -> None:
        if args.command == "up":
            pod = deploy_pod(
                args.volume,
                gpu_type_id=args.gpu,
                gpu_count=args.gpu_count,
                max_price=args.max_price,
                ports=args.ports,
                env=parse_env(args.env),
                public_key=read_public_key(args.public_key_file),
                image=args.image,
            )
            print(
                f"Pod {pod['id']}（{pod['gpuTypeId']}）を作りました。起動を待っています…",
                file=sys.stderr,
            )
            pod = wait_until_ready(pod["id"], timeout=READY_TIMEOUT)
            print_ssh_config(pod, identity_file=args.public_key_file.removesuffix(".pub"))
        elif args.command == "ssh-config":
            print_ssh_config(
                wait_until_ready(args.pod_id, timeout=READY_TIMEOUT), args.identity_file
            )
        else:
            terminate_pod(args.pod_id)
            print(f"Pod {args.pod_id} を削除しました（ボリュームのファイルは残ります）。")

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
