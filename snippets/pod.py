"""Rent a GPU pod on your network volume, connect with SSH / VS Code, and delete it.

python -m snippets.pod up --volume VOLUME_ID --max-price 0.5
python -m snippets.pod ssh-config POD_ID
python -m snippets.pod down POD_ID
python -m snippets.pod list
python -m snippets.pod logs POD_ID

Everything goes through Runpod's REST API v2 (POST /v2/pods and friends); what `up` sends
and how it picks the GPU is in snippets/deploy.py.
"""

import sys

from snippets import errors
from snippets.api import load_recommended
from snippets.checks import shown
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli
from snippets.deploy import deploy_pod
from snippets.pod_api import get_pod, list_pods, pod_logs, terminate_pod
from snippets.pod_checks import check_identity_file, read_public_key
from snippets.pod_status import (
    POLL,
    READY_TIMEOUT,
    progress_printer,
    require_ssh,
    ssh_endpoint,
    wait_until_ready,
)
from snippets.watchdog import DEFAULT_HOURS

__all__ = [  # what live/ and the notebooks use
    "deploy_pod",
    "get_pod",
    "list_pods",
    "pod_logs",
    "ssh_endpoint",
    "terminate_pod",
    "wait_until_ready",
    "POLL",
    "READY_TIMEOUT",
    "progress_printer",
]


def ssh_config_entry(pod: dict, alias: str | None = None, identity_file="~/.ssh/id_ed25519") -> str:
    """A Host entry for ~/.ssh/config: `ssh ALIAS` and VS Code Remote-SSH then just work."""
    host, port = require_ssh(pod)
    return (
        f"Host {alias or 'runpod-' + pod['id']}\n"
        f"    HostName {host}\n"
        f"    Port {port}\n"
        "    User root\n"
        f'    IdentityFile "{check_identity_file(identity_file)}"\n'
    )


def proxy_urls(pod: dict) -> dict[int, str]:
    """Runpod's HTTPS address of each http port, e.g. TensorBoard on 6006. Anyone who knows
    the address can open it (runpod/docs pods/configuration/expose-ports)."""
    http = [int(p.split("/")[0]) for p in pod.get("ports") or [] if p.endswith("/http")]
    return {port: f"https://{pod['id']}-{port}.proxy.runpod.net" for port in http}


def parse_env(pairs: list[str]) -> dict:
    """["KEY=VALUE", ...] -> {"KEY": "VALUE", ...}"""
    env = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals:
            raise SnippetError(f"--env は KEY=VALUE の形で指定してください: {shown(key)!r}")
        env[key] = value
    return env


def print_ssh_config(pod: dict, identity_file: str) -> None:
    """Print a ready-to-paste ~/.ssh/config block (comments start with #)."""
    gpu = pod.get("gpuName") or (pod.get("gpu") or {}).get("id") or "GPU"
    cost = pod.get("cost")
    rate = f"、${cost:.2f}/時" if isinstance(cost, int | float) else ""
    print(f"# Pod {pod['id']}（{shown(str(gpu))}{rate}）")
    for port, url in proxy_urls(pod).items():
        print(f"# ポート {port} (http、URL を知っている人は誰でも開けます): {url}")
    print(f"# 使い終わったら: python -m snippets.pod down {pod['id']}")
    print(ssh_config_entry(pod, identity_file=identity_file), end="")


def print_pods() -> None:
    pods = list_pods()
    for pod in pods:
        gpu = (pod.get("gpu") or {}).get("id") or "-"
        cost = pod.get("cost")
        rate = f"${cost:.2f}/時" if isinstance(cost, int | float) else "-"
        print(
            f"{pod['id']}  {shown(str(pod.get('name')))}  {pod.get('status')}  {gpu}  {rate}  "
            f"{pod.get('dataCenterId') or '-'}"
        )
    if not pods:
        print("Pod はありません（課金される Pod はありません）。")


def up(args) -> None:
    identity = check_identity_file(args.public_key_file.removesuffix(".pub"))
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
        max_hours=args.max_hours,
    )
    limit = f"最長 {args.max_hours:g} 時間で自動的に削除されます。" if args.max_hours else ""
    try:  # from here on, however it ends, the reader is told how to stop the bill
        print(
            f"Pod {pod['id']}（{pod['gpuName']}、${pod.get('cost') or pod['listPrice']:.2f}/時）"
            f"を作りました。課金が始まっています。{limit}起動を待っています…",
            file=sys.stderr,
            flush=True,
        )
        ready = wait_until_ready(pod["id"], READY_TIMEOUT, POLL, progress_printer())
    except errors.PodFailed:
        raise  # its message says how to stop the bill
    except (SnippetError, KeyboardInterrupt):
        print(
            f"Pod {pod['id']} は作られていて、課金が続いている可能性があります。止めるには "
            f"python -m snippets.pod down {pod['id']} を実行してください。",
            file=sys.stderr,
        )
        raise
    print_ssh_config({**pod, **ready}, identity_file=identity)


def parser() -> JapaneseArgumentParser:
    defaults = load_recommended()["pod"]
    main_parser = JapaneseArgumentParser(
        prog="python -m snippets.pod",
        description="ボリューム付きの GPU Pod を借り、SSH（VS Code）の設定を表示し、削除します。",
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="操作")
    up_parser = commands.add_parser(
        "up", help="Pod を作り、SSH で入れるまで待って ~/.ssh/config 用の設定を表示する"
    )
    add = up_parser.add_argument
    add("--volume", required=True, help="ネットワークボリューム ID（/workspace に付きます）")
    add("--gpu", help='GPU の種類（例: "NVIDIA RTX A4000"）。省略すると上限以下で最安')
    add("--gpu-count", type=int, default=1, help="GPU の数（1〜8、既定 1）")
    add("--max-price", type=float, default=0.5, help="1 GPU・1 時間あたりの上限ドル（既定 0.5）")
    add(
        "--max-hours",
        type=float,
        default=DEFAULT_HOURS,
        help=f"この時間が過ぎたら Pod を自動で削除（既定 {DEFAULT_HOURS}、0 で自動削除なし）",
    )
    add("--ports", default=defaults["ports"], help=f"開くポート（既定 {defaults['ports']}）")
    add("--env", action="append", default=[], metavar="KEY=VALUE", help="環境変数（何回でも）")
    add(
        "--public-key-file",
        default="~/.ssh/id_ed25519.pub",
        help="SSH 公開鍵（既定 ~/.ssh/id_ed25519.pub）",
    )
    add("--image", help="コンテナイメージ（既定は推奨イメージ）")
    add("--name", default="kaggle", help="Pod の名前（既定 kaggle）")
    ssh_config = commands.add_parser(
        "ssh-config", help="既存の Pod の ~/.ssh/config 用の設定を表示する"
    )
    ssh_config.add_argument("pod_id", metavar="ID", help="Pod ID")
    ssh_config.add_argument(
        "--identity-file", default="~/.ssh/id_ed25519", help="SSH 秘密鍵（既定 ~/.ssh/id_ed25519）"
    )
    down = commands.add_parser("down", help="Pod を削除して課金を止める（ボリュームは残ります）")
    down.add_argument("pod_id", metavar="ID", help="Pod ID")
    commands.add_parser("list", help="Pod を一覧する（状態と 1 時間あたりの料金）")
    logs = commands.add_parser("logs", help="Pod のログ（イメージの取得など）を表示する")
    logs.add_argument("pod_id", metavar="ID", help="Pod ID")
    logs.add_argument(
        "--source",
        choices=["system", "container"],
        default="system",
        help="system（マシン側: イメージの取得など、既定）か container（コンテナの出力）",
    )
    return main_parser


def main(argv=None) -> int:
    args = parser().parse_args(argv)

    def run() -> None:
        if args.command == "up":
            up(args)
        elif args.command == "ssh-config":
            identity = check_identity_file(args.identity_file)
            ready = wait_until_ready(args.pod_id, READY_TIMEOUT, POLL, progress_printer())
            print_ssh_config(ready, identity)
        elif args.command == "down":
            terminate_pod(args.pod_id)
            print(f"Pod {args.pod_id} を削除しました（ボリュームのファイルは残ります）。")
        elif args.command == "list":
            print_pods()
        else:
            get_pod(args.pod_id)
            lines = pod_logs(args.pod_id, args.source, tail=100)
            for event in lines:
                print(f"{event['ts']}  {event['line']}")
            if not lines:
                print("ログはまだありません（または読めませんでした）。")

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
