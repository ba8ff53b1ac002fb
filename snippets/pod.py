"""Rent a GPU pod on your network volume, connect with SSH / VS Code, and delete it.

python -m snippets.pod up --volume VOLUME_ID --max-price 0.5
python -m snippets.pod ssh-config POD_ID
python -m snippets.pod down POD_ID

Pods go through the runpod SDK's GraphQL: its own create mutation (the SDK's generator, sent
by the SDK's transport), plus terminateAfter when asked, a field the SDK's create_pod lacks.
"""

import re
import sys

import runpod
import runpod.api.graphql
from runpod.api.mutations import pods as pod_mutations

from snippets.api import (
    AnswerLost,
    JapaneseArgumentParser,
    NoCapacityError,
    SnippetError,
    create_once,
    load_recommended,
    run_cli,
    sdk,
    sdk_create,
)
from snippets.checks import check_name
from snippets.pod_checks import (
    check_env,
    check_ports,
    check_public_key,
    read_public_key,
    terminate_stamp,
)
from snippets.pod_status import (  # noqa: F401 - part of this module's interface
    POLL,
    READY_TIMEOUT,
    get_pod,
    progress_printer,
    ssh_endpoint,
    wait_until_ready,
)
from snippets.pricing import cheapest_gpu, check_gpu, check_gpu_count, check_price
from snippets.volume import get_volume

CUDA_VERSION = re.compile(r"[0-9]+\.[0-9]+")


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
    terminate_after=None,
) -> dict:
    """Start an On-Demand pod with the volume at /workspace, in the volume's data center.

    Without gpu_type_id, takes the cheapest GPU under max_price ($/GPU/h) and moves on to
    the next one when Runpod has no free machine for it. Only machines whose CUDA version
    the recommended image accepts are asked for. terminate_after (a datetime with its time
    zone) makes Runpod delete the pod at that time, even if nobody else does.
    """
    request = pod_request(ports, env, name, public_key, image, terminate_after)
    check_gpu_count(gpu_count)
    check_price(max_price)
    if gpu_type_id:
        check_gpu(gpu_type_id)
    data_center = get_volume(volume_id)["dataCenter"]
    request.update(volume_id=volume_id, gpu_count=gpu_count, data_center=data_center)
    tried = []
    while True:
        gpu = gpu_type_id or cheapest_gpu(data_center, max_price, gpu_count, exclude=tried)["id"]
        try:
            made = create_once(
                "Pod", request["name"], lambda gpu=gpu: create_pod(request, gpu), list_pods
            )
            return {**made, "gpuTypeId": gpu, "dataCenter": data_center}
        except NoCapacityError:
            if gpu_type_id:
                raise NoCapacityError(
                    f"{data_center} の {gpu} は今、空きがありません。--gpu を外すと、"
                    "上限以下で空いている別の GPU を探します。"
                ) from None
            print(f"{gpu} は空きがないので、次に安い GPU を試します。", file=sys.stderr)
            tried.append(gpu)


def pod_request(ports, env, name, public_key, image, terminate_after) -> dict:
    """Everything the create sends, checked before any request: the SDK pastes values into
    GraphQL text unescaped."""
    defaults = load_recommended()
    env = dict(env or {})
    if public_key:
        env["PUBLIC_KEY"] = check_public_key(public_key)  # Runpod's images let this key in
    check_env(env)
    cuda = defaults["image"]["allowed_cuda_versions"]
    if not all(isinstance(v, str) and CUDA_VERSION.fullmatch(v) for v in cuda):
        raise SnippetError(f"recommended_image.toml の allowed_cuda_versions が不正です: {cuda}")
    return {
        **defaults["pod"],
        "name": check_name("Pod 名", "kaggle" if name is None else name),
        "image": check_name("イメージ名", defaults["image"]["name"] if image is None else image),
        "ports": check_ports(defaults["pod"]["ports"] if ports is None else ports),
        "env": env,
        "cuda": cuda,
        "stop_at": None if terminate_after is None else terminate_stamp(terminate_after),
    }


def create_pod(request: dict, gpu: str) -> dict | None:
    """One podFindAndDeployOnDemand; None when Runpod answered without a pod."""
    mutation = pod_mutations.generate_pod_deployment_mutation(
        name=request["name"],
        image_name=request["image"],
        gpu_type_id=gpu,
        cloud_type=request["cloud_type"],
        data_center_id=request["data_center"],
        gpu_count=request["gpu_count"],
        volume_in_gb=0,
        container_disk_in_gb=request["container_disk_gb"],
        min_vcpu_count=1,
        min_memory_in_gb=1,
        docker_args="",
        ports=request["ports"],
        volume_mount_path=request["volume_mount_path"],  # not the SDK's /runpod-volume
        env=request["env"],
        network_volume_id=request["volume_id"],
        allowed_cuda_versions=request["cuda"],
    )
    if request["stop_at"]:  # made by terminate_stamp: digits, -, :, T and Z only
        field = f'terminateAfter: "{request["stop_at"]}",'
        mutation = mutation.replace("input: {", "input: { " + field, 1)
    try:
        answer = sdk_create(runpod.api.graphql.run_graphql_query, mutation)
    except AnswerLost as lost:
        print(f"{lost}一覧で確かめてから、必要なら作り直します。", file=sys.stderr)
        raise
    made = (answer.get("data") or {}).get("podFindAndDeployOnDemand")
    if not made:
        print("Runpod が Pod の情報を返しませんでした。一覧で確かめます。", file=sys.stderr)
    return made


def list_pods() -> list[dict]:
    return sdk(runpod.get_pods)


def terminate_pod(pod_id: str) -> None:
    """Delete the pod (billing stops); the network volume and its files stay."""
    get_pod(pod_id)
    sdk(runpod.terminate_pod, pod_id)


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


def parser() -> JapaneseArgumentParser:
    defaults = load_recommended()["pod"]
    main_parser = JapaneseArgumentParser(
        prog="python -m snippets.pod",
        description="ボリューム付きの GPU Pod を借り、SSH（VS Code）の設定を表示し、削除します。",
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="操作")
    up = commands.add_parser(
        "up", help="Pod を作り、SSH で入れるまで待って ~/.ssh/config 用の設定を表示する"
    )
    up.add_argument(
        "--volume", required=True, help="ネットワークボリューム ID（/workspace に付きます）"
    )
    up.add_argument("--gpu", help='GPU の種類（例: "NVIDIA RTX A4000"）。省略すると上限以下で最安')
    up.add_argument("--gpu-count", type=int, default=1, help="GPU の数（1〜8、既定 1）")
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
    up.add_argument("--name", default="kaggle", help="Pod の名前（既定 kaggle）")
    ssh_config = commands.add_parser(
        "ssh-config", help="既存の Pod の ~/.ssh/config 用の設定を表示する"
    )
    ssh_config.add_argument("pod_id", metavar="ID", help="Pod ID")
    ssh_config.add_argument(
        "--identity-file", default="~/.ssh/id_ed25519", help="SSH 秘密鍵（既定 ~/.ssh/id_ed25519）"
    )
    down = commands.add_parser("down", help="Pod を削除して課金を止める（ボリュームは残ります）")
    down.add_argument("pod_id", metavar="ID", help="Pod ID")
    return main_parser


def up(args) -> None:
    pod = deploy_pod(
        args.volume,
        gpu_type_id=args.gpu,
        gpu_count=args.gpu_count,
        max_price=args.max_price,
        ports=args.ports,
        env=parse_env(args.env),
        name=args.name,
        public_key=read_public_key(args.public_key_file),
        image=args.image,
    )
    print(
        f"Pod {pod['id']}（{pod['gpuTypeId']}）を作りました。起動を待っています…",
        file=sys.stderr,
    )
    pod = wait_until_ready(pod["id"], READY_TIMEOUT, POLL, progress_printer())
    print_ssh_config(pod, identity_file=args.public_key_file.removesuffix(".pub"))


def main(argv=None) -> int:
    args = parser().parse_args(argv)

    def run() -> None:
        if args.command == "up":
            up(args)
        elif args.command == "ssh-config":
            ready = wait_until_ready(args.pod_id, READY_TIMEOUT, POLL, progress_printer())
            print_ssh_config(ready, args.identity_file)
        else:
            terminate_pod(args.pod_id)
            print(f"Pod {args.pod_id} を削除しました（ボリュームのファイルは残ります）。")

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
