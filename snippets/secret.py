"""Keep tokens (e.g. your Kaggle API token) in Runpod secrets, not in your pod settings.

python -m snippets.secret create --name kaggle_api_token    (asks for the value)
python -m snippets.secret env KAGGLE_API_TOKEN kaggle_api_token
"""

import getpass
import re
import sys

from snippets import errors
from snippets.answers import listed
from snippets.api import rest
from snippets.checks import MANGLED_IN_RP_ENVIRONMENT, check_id, check_utf8, shown
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli
from snippets.create import create_once

# Runpod's rule for secret names; names starting with "runpod" are reserved.
SECRET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]{0,190}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
VALUE_LIMIT = 16 * 1024 * 1024  # bytes of UTF-8, strictly below (Runpod's limit)
DESCRIPTION_LIMIT = 65535  # bytes of UTF-8
HOW_TO_CHECK = (
    "python -m snippets.secret list、またはコンソールの Secrets"
    "（https://console.runpod.io/user/secrets）で確かめられます。"
)


def check_secret_name(name: str) -> str:
    """Runpod's naming rule, checked here so the message is clear and in Japanese."""
    if not SECRET_NAME.fullmatch(name) or name.lower().startswith("runpod"):
        raise SnippetError(
            f"シークレット名 {name!r} は使えません。英字か _ で始め、英数字と _ . - / だけを使い、"
            "runpod で始めないでください（例: kaggle_api_token）。"
        )
    return name


def create_secret(
    name: str, value: str, description: str | None = None, *, unique_name: bool = False
) -> dict:
    """Store a secret; the answer ({"id", "name", ...}) never contains the value.

    unique_name: the caller promises no one else makes a secret of this name (the replay's
    names carry a run id), so after a lost answer the secret of that name is adopted."""
    check_secret_name(name)
    check_value(value)
    body = {"name": name, "value": value}
    if description:
        check_utf8("説明", description)
        if len(description.encode("utf-8")) > DESCRIPTION_LIMIT:
            raise SnippetError(f"説明が長すぎます（{DESCRIPTION_LIMIT} バイトまで）。")
        body["description"] = description
    try:
        secret = create_once(
            "シークレット",
            name,
            "/v2/account/secrets",
            body,
            list_all=list_secrets,
            is_ours=lambda item: str(item.get("name", "")).lower() == name.lower(),
            provable=unique_name,
            how_to_check=HOW_TO_CHECK,
        )
    except errors.Conflict as taken:
        raise errors.Conflict(
            f"シークレット「{name}」はすでにあります（名前は大文字・小文字を区別せず一つだけ）。"
            f"別の名前にするか、古いものを削除してから作り直してください。{HOW_TO_CHECK}",
            status=taken.status,
        ) from None
    except errors.ApiError as refused:  # Runpod's detail could quote what was sent
        refused.detail = refused.detail.replace(value, "***")
        refused.args = tuple(str(arg).replace(value, "***") for arg in refused.args)
        raise
    secret.pop("value", None)  # Runpod never returns it; make sure we never print it
    return secret


def check_value(value: str) -> str:
    """What Runpod can store and a pod's env can carry; the message never shows the value."""
    if not value:
        raise SnippetError("シークレットの値が空です。")
    check_utf8("シークレットの値", value)
    if "\x00" in value:
        raise SnippetError("シークレットの値に NUL 文字（\\0）は使えません。")
    if len(value.encode("utf-8")) >= VALUE_LIMIT:
        raise SnippetError("シークレットの値が大きすぎます（16 MiB 未満にしてください）。")
    if MANGLED_IN_RP_ENVIRONMENT.search(value):
        raise SnippetError(
            'シークレットの値に使えない文字（" $ ` \\ 改行など）が含まれています。Pod では'
            "値が /etc/rp_environment に書かれ、SSH や VS Code のシェルが読み込むときに、"
            "これらの文字は壊れるか、コマンドとして実行されてしまいます。Kaggle なら"
            " kaggle.json の中身ではなく API トークン（KGAT_ で始まる 1 行）を登録してください。"
        )
    return value


def list_secrets() -> list[dict]:
    """Names and ids of the account's secrets (values are write-only)."""
    return listed(rest("GET", "/v2/account/secrets"), "secrets")


def delete_secret(secret_id: str) -> None:
    """Delete a secret; pods that refer to it can no longer start (runpod/docs
    pods/templates/secrets.mdx). Gone after our own request counts as deleted."""
    check_id("シークレット ID", secret_id)
    try:
        rest("GET", f"/v2/account/secrets/{secret_id}")
    except errors.NotFound as missing:
        raise errors.NotFound(
            f"シークレット {secret_id} が見つかりません。"
            "python -m snippets.secret list で ID を確認してください。",
            status=missing.status,
        ) from None
    try:
        rest("DELETE", f"/v2/account/secrets/{secret_id}")
    except errors.NotFound:
        return


def secret_env(env_name: str, secret_name: str) -> dict:
    """The pod env entry that Runpod fills with the secret's value when the pod starts."""
    if not ENV_NAME.fullmatch(env_name):
        raise SnippetError(
            f"環境変数名 {env_name!r} は英数字と _ だけで、数字以外で始めてください。"
        )
    check_secret_name(secret_name)
    return {env_name: f"{{{{ RUNPOD_SECRET_{secret_name} }}}}"}


def read_value() -> str:
    """The secret from a pipe, or typed at a hidden prompt: never from the command line."""
    if sys.stdin.isatty():
        return getpass.getpass("シークレットの値（入力は表示されません）: ").strip()
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):  # decoded here: the terminal's locale must not decide
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SnippetError(
                "シークレットの値が UTF-8 のテキストではありません。"
                "ファイルの文字コードを UTF-8 にしてから渡してください。"
            ) from None
    return data.strip()


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.secret",
        description="トークンを Pod の設定に書かずに渡す、Runpod のシークレットを扱います。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="操作")
    create = commands.add_parser(
        "create", help="シークレットを作る（値は標準入力か、表示されない入力欄から読みます）"
    )
    create.add_argument("--name", required=True, help="シークレット名（例: kaggle_api_token）")
    create.add_argument("--description", help="説明（任意）")
    commands.add_parser("list", help="シークレットを一覧する（値は表示されません）")
    delete = commands.add_parser("delete", help="シークレットを削除する")
    delete.add_argument("secret_id", metavar="ID", help="シークレット ID")
    env = commands.add_parser("env", help="Pod の --env に渡す参照を表示する")
    env.add_argument(
        "env_name", metavar="ENV_NAME", help="Pod の中の環境変数名（例: KAGGLE_API_TOKEN）"
    )
    env.add_argument("secret_name", metavar="SECRET_NAME", help="シークレット名")
    args = parser.parse_args(argv)

    def run() -> None:
        if args.command == "create":
            secret = create_secret(args.name, read_value(), args.description)
            print(f"シークレット {secret['name']} を作りました（ID: {secret['id']}）。")
        elif args.command == "list":
            for secret in list_secrets():
                about = shown(str(secret.get("description") or ""))
                print(f"{secret['id']}  {shown(str(secret.get('name')))}  {about}".rstrip())
        elif args.command == "delete":
            delete_secret(args.secret_id)
            print(f"シークレット {args.secret_id} を削除しました。")
        else:
            for name, reference in secret_env(args.env_name, args.secret_name).items():
                print(f"{name}={reference}")

    return run_cli(run)


if __name__ == "__main__":
    sys.exit(main())
