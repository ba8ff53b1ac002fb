"""Create, list and delete network volumes: the disk that outlives your pods.

python -m snippets.volume create --name kaggle-data --size-gb 50 --data-center EU-RO-1
python -m snippets.volume list
python -m snippets.volume delete VOLUME_ID
"""

import sys

from snippets import errors
from snippets.answers import listed
from snippets.api import rest
from snippets.checks import check_id, check_name, check_text, shown
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli
from snippets.create import create_once

MIN_SIZE_GB, MAX_SIZE_GB = 10, 4096  # REST API v2 bounds
# Always the standard tier: where a data center offers the pricier high-performance tier,
# Runpod makes that one unless told otherwise (docs.runpod.io/storage/high-performance-storage).
TIER = "STANDARD"
TIER_NAMES = {"STANDARD": "標準ストレージ", "HIGH_PERFORMANCE": "高性能ストレージ（割高）"}
HOW_TO_CHECK = (
    "python -m snippets.volume list、またはコンソールの Storage"
    "（https://console.runpod.io/user/storage）で確かめられます。"
)


def create_volume(name: str, size_gb: int, data_center: str, *, unique_name: bool = False) -> dict:
    """Create a standard-tier volume; returns {"id", "name", "size", "dataCenter", "type"}.

    unique_name: the caller promises no one else makes a volume of this name (the replay's
    names carry a run id), so after a lost answer the volume of that name is adopted."""
    check_name("ボリューム名", name)
    if isinstance(size_gb, bool) or not isinstance(size_gb, int):
        raise SnippetError(f"容量は GB 単位の整数で指定してください（指定: {size_gb!r}）。")
    if not MIN_SIZE_GB <= size_gb <= MAX_SIZE_GB:
        raise SnippetError(
            f"容量は {MIN_SIZE_GB}〜{MAX_SIZE_GB} GB で指定してください（指定: {size_gb} GB）。"
        )
    check_volume_data_center(data_center)
    body = {"name": name, "size": size_gb, "dataCenter": data_center, "type": TIER}

    def is_ours(volume: dict) -> bool:
        same = volume.get("name") == name and volume.get("dataCenter") == data_center
        return same and volume.get("size") == size_gb

    return create_once(
        "ボリューム",
        name,
        "/v2/network-volumes",
        body,
        list_all=list_volumes,
        is_ours=is_ours,
        provable=unique_name,
        how_to_check=HOW_TO_CHECK,
    )


def check_volume_data_center(data_center: str) -> str:
    """Refuse a data center where Runpod makes no standard network volumes, naming those
    where it does (GET /v2/catalog/datacenters lists each one's volume tiers)."""
    check_text("データセンター", data_center)
    answer = rest("GET", "/v2/catalog/datacenters")
    tiers = {
        center["id"]: center.get("networkVolumeTypes") or []
        for center in listed(answer, "dataCenters")
    }
    offering = ", ".join(sorted(dc for dc, types in tiers.items() if TIER in types))
    if data_center not in tiers:
        raise SnippetError(
            f"データセンター {data_center!r} はありません。"
            f"ネットワークボリュームを作れるのは: {offering}"
        )
    if TIER not in tiers[data_center]:
        raise SnippetError(
            f"データセンター {data_center} ではネットワークボリューム（{TIER_NAMES[TIER]}）を"
            f"作れません。作れるのは: {offering}"
        )
    return data_center


def list_volumes() -> list[dict]:
    """All network volumes of the account."""
    return listed(rest("GET", "/v2/network-volumes"), "networkVolumes")


def get_volume(volume_id: str) -> dict:
    """One volume by id, with a clear message when it does not exist."""
    check_id("ボリューム ID", volume_id)
    try:
        volume = rest("GET", f"/v2/network-volumes/{volume_id}")
    except errors.NotFound as missing:
        raise _not_found(volume_id, missing) from None
    if not isinstance(volume, dict) or volume.get("id") != volume_id:
        raise errors.NotRunpod(
            "Runpod API の応答の形が想定と違います（ボリュームの情報がありません）。"
        )
    return volume


def delete_volume(volume_id: str) -> None:
    """Delete a volume and everything on it (Runpod bills volumes until they are deleted).

    A volume that existed when we asked and is gone afterwards counts as deleted (our own
    delete may have been carried out with its answer lost, and the retry found nothing)."""
    get_volume(volume_id)  # NotFound here: the ID was wrong, nothing was deleted
    try:
        rest("DELETE", f"/v2/network-volumes/{volume_id}")
    except errors.NotFound:
        return
    except errors.Conflict as busy:
        raise errors.InUse(
            f"ボリューム {volume_id} はまだ Pod が使っているので削除できません。"
            "Pod を削除（python -m snippets.pod down ID）してから、少し待って実行してください。",
            status=busy.status,
            detail=busy.detail,
        ) from None


def _not_found(volume_id: str, missing: errors.NotFound) -> errors.NotFound:
    return errors.NotFound(
        f"ボリューム {volume_id} が見つかりません。"
        "python -m snippets.volume list で ID を確認してください。",
        status=missing.status,
        detail=missing.detail,
    )


def tier_name(volume: dict) -> str:
    tier = str(volume.get("type") or "")
    return TIER_NAMES.get(tier, shown(tier) or "種類不明")


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.volume",
        description="Pod を消しても残るディスク、ネットワークボリュームを作成・一覧・削除します。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="操作")
    create = commands.add_parser("create", help="ボリュームを作る（標準ストレージ）")
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
            where = f"{volume['size']} GB、{volume['dataCenter']}、{tier_name(volume)}"
            print(f"ボリュームを作りました: {volume['id']}（{where}）")
            if volume.get("type") != TIER:
                print(
                    "注意: 標準ストレージではありません。不要なら削除してください。",
                    file=sys.stderr,
                )
        elif args.command == "list":
            volumes = list_volumes()
            for volume in volumes:
                print(
                    f"{volume['id']}  {shown(str(volume.get('name')))}  {volume.get('size')} GB  "
                    f"{volume.get('dataCenter')}  {tier_name(volume)}"
                )
            if not volumes:
                print("ボリュームはまだありません。")
        else:
            delete_volume(args.volume_id)
            print(f"ボリューム {args.volume_id} を削除しました。")

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
