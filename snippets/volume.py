"""Create, list and delete network volumes: the disk that outlives your pods.

python -m snippets.volume create --name kaggle-data --size-gb 50 --data-center EU-RO-1
python -m snippets.volume list
python -m snippets.volume delete VOLUME_ID
"""

import argparse
import sys

from snippets.api import SnippetError, check_id, check_text, create_once, rest, run_cli
from snippets.pricing import check_data_center

MIN_SIZE_GB, MAX_SIZE_GB = 10, 4096  # REST API v2 bounds


def create_volume(name: str, size_gb: int, data_center: str) -> dict:
    """Create a volume; returns {"id", "name", "size", "dataCenter", ...}."""
    check_text("ボリューム名", name)
    if not MIN_SIZE_GB <= size_gb <= MAX_SIZE_GB:
        raise SnippetError(
            f"容量は {MIN_SIZE_GB}〜{MAX_SIZE_GB} GB で指定してください（指定: {size_gb} GB）。"
        )
    check_data_center(data_center)
    body = {"name": name, "size": size_gb, "dataCenter": data_center}
    # create_once: a retry after a lost answer never makes a second volume
    return create_once(
        "ボリューム", name, lambda: rest("POST", "/v2/network-volumes", body), list_volumes
    )


def list_volumes() -> list[dict]:
    """All network volumes of the account."""
    return rest("GET", "/v2/network-volumes")["networkVolumes"]


def get_volume(volume_id: str) -> dict:
    """One volume by id, with a clear message when it does not exist."""
    check_id("ボリューム ID", volume_id)
    return rest("GET", f"/v2/network-volumes/{volume_id}", not_found=_not_found(volume_id))


def delete_volume(volume_id: str) -> None:
    """Delete a volume and everything on it (Runpod bills volumes until they are deleted)."""
    check_id("ボリューム ID", volume_id)
    rest("DELETE", f"/v2/network-volumes/{volume_id}", not_found=_not_found(volume_id))


def _not_found(volume_id: str) -> str:
    return (
        f"ボリューム {volume_id} が見つかりません。"
        "python -m snippets.volume list で ID を確認してください。"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m snippets.volume",
        description="Pod を消しても残るディスク、ネットワークボリュームを作成・一覧・削除します。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="操作")
    create = commands.add_parser("create", help="ボリュームを作る")
    create.add_argument("--name", required=True, help="ボリュームの名前（例: kaggle-data）")
    create.add_argument(
        "--size-gb", type=int, required=True, help=f"容量 GB（{MIN_SIZE_GB}〜{MAX_SIZE_GB}）"
    )
    create.add_argument("--data-center", required=True, help="データセンター ID（例: EU-RO-1）")
    commands.add_parser("list", help="ボリュームを一覧する")
    delete = commands.add_parser("delete", help="ボリュームを中身ごと削除する")
    delete.add_argument("volume_id", metavar="ID", help="ボリューム ID")
    args = parser.parse_args(argv)

    def run() -> None:
        if args.command == "create":
            volume = create_volume(args.name, args.size_gb, args.data_center)
            size, data_center = volume["size"], volume["dataCenter"]
            print(f"ボリュームを作りました: {volume['id']}（{size} GB、{data_center}）")
        elif args.command == "list":
            volumes = list_volumes()
            for volume in volumes:
                print(
                    f"{volume['id']}  {volume['name']}  {volume['size']} GB  {volume['dataCenter']}"
                )
            if not volumes:
                print("ボリュームはまだありません。")
        else:
            delete_volume(args.volume_id)
            print(f"ボリューム {args.volume_id} を削除しました。")

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
