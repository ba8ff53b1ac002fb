"""Is my SSH key registered with Runpod? Pods deployed from the console let in the keys
registered under Settings → SSH Public Keys (GET /v2/account/ssh-keys).

python -m snippets.ssh_keys list
python -m snippets.ssh_keys check --public-key-file ~/.ssh/id_ed25519.pub
"""

import sys

from snippets import errors
from snippets.api import rest
from snippets.checks import shown
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli
from snippets.pod_checks import read_public_key


def registered_keys() -> list[str]:
    """The account's registered public keys, one OpenSSH line each."""
    answer = rest("GET", "/v2/account/ssh-keys")
    keys = answer.get("keys") if isinstance(answer, dict) else None
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise errors.NotRunpod(
            "Runpod API の応答の形が想定と違います（SSH 公開鍵の一覧がありません）。"
        )
    # one entry may hold several lines (the console's text box takes more than one key)
    return [line.strip() for key in keys for line in key.splitlines() if line.strip()]


def key_blob(line: str) -> str:
    """The part of a public key line that identifies it: the type and the base64 blob (the
    comment after them may differ)."""
    return " ".join(line.split()[:2])


def is_registered(public_key: str) -> bool:
    return key_blob(public_key) in {key_blob(key) for key in registered_keys()}


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.ssh_keys",
        description="Runpod に登録した SSH 公開鍵を表示し、手元の鍵が登録済みかを確かめます。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="操作")
    commands.add_parser("list", help="登録済みの公開鍵を表示する")
    check = commands.add_parser("check", help="手元の公開鍵が登録済みかを確かめる")
    check.add_argument(
        "--public-key-file",
        default="~/.ssh/id_ed25519.pub",
        help="SSH 公開鍵（既定 ~/.ssh/id_ed25519.pub）",
    )
    args = parser.parse_args(argv)

    def run() -> None:
        if args.command == "list":
            keys = registered_keys()
            for key in keys:
                kind, _, rest_of_line = key.partition(" ")
                blob, _, comment = rest_of_line.partition(" ")
                print(f"{kind} …{blob[-12:]} {shown(comment)}".rstrip())
            if not keys:
                print(
                    "登録済みの公開鍵はありません。コンソールの Settings → SSH Public Keys"
                    "（https://console.runpod.io/user/settings）で登録してください。"
                )
            return
        mine = read_public_key(args.public_key_file)
        if not is_registered(mine):
            raise SnippetError(
                f"{shown(args.public_key_file)} の公開鍵は Runpod に登録されていません。"
                "コンソールの Settings → SSH Public Keys（https://console.runpod.io/user/settings）"
                "に、このファイルの 1 行を貼り付けて保存してください。"
            )
        print(
            f"{shown(args.public_key_file)} の公開鍵は登録済みです。コンソールから作る Pod に"
            "この鍵で入れます（すでに動いている Pod には入りません）。"
        )

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
