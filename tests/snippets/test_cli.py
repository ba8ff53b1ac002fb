"""snippets/cli.py: Japanese argparse and one-line failures, for every snippet command."""

import argparse
import re
import subprocess
import sys

import pytest

from snippets.cli import JapaneseArgumentParser, SnippetError, japanese_usage_error, run_cli
from tests import ROOT

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def parser() -> JapaneseArgumentParser:
    made = JapaneseArgumentParser(prog="python -m snippets.example", description="例")
    commands = made.add_subparsers(dest="command", required=True, metavar="操作")
    create = commands.add_parser("create", help="作る")
    create.add_argument("--name", required=True)
    create.add_argument("--size-gb", type=int)
    create.add_argument("--price", type=float)
    create.add_argument("--tier", choices=["STANDARD", "HIGH_PERFORMANCE"])
    create.add_argument("--flag", action="store_true")
    create.add_argument("--nothing", action="store_false")
    create.add_argument("--nargs", nargs="+")
    return made


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "必要な引数がありません: 操作"),
        (["remove"], "操作 に 'remove' は選べません（選べるのは: 'create'）"),
        (["create"], "必要な引数がありません: --name"),
        (["create", "--name"], "--name に値がありません"),
        (["create", "--name", "a", "--size-gb", "x"], "--size-gb には整数を指定してください"),
        (["create", "--name", "a", "--price", "cheap"], "--price には数値を指定してください"),
        (["create", "--name", "a", "--tier", "FAST"], "--tier に 'FAST' は選べません"),
        (["create", "--name", "a", "extra"], "知らない引数があります: 値（ほかに値が 1 個）"),
        (["create", "--name", "a", "--token=KGAT_x"], "知らない引数があります: --token\uff08"),
        (["create", "--name", "a", "--flag=yes"], "--flag は値 'yes' を取りません"),
        (["create", "--name", "a", "--nargs"], "--nargs に値がありません"),
    ],
)
def test_usage_errors_are_one_japanese_line_and_exit_2(capsys, argv, expected):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("エラー: ") and expected in err, err
    assert err.count("\n") == 1 and "usage" not in err and "error:" not in err
    assert "python -m snippets.example" in err and "--help" in err


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ambiguous option: --s could match --size, --sort", "--s はどれのことか決められません"),
        ("one of the arguments --a --b is required", "次のどれかを指定してください: --a --b"),
        ("argument --a: expected at most one argument", "--a に値は 1 つまでです"),
        ("argument --a: not allowed with argument --b", "--a と --b は同時に使えません"),
        ("argument --when: invalid date value: 'x'", "--when の値 'x' は使えません"),
        ("argument --n: 0 以上にしてください", "--n: 0 以上にしてください"),
        ("something argparse says one day", "引数が正しくありません（something argparse"),
    ],
)
def test_every_argparse_message_has_a_japanese_form(message, expected):
    assert expected in japanese_usage_error(message)


def test_help_is_japanese_throughout(capsys):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["create", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("使い方: python -m snippets.example create")
    assert "オプション:" in out and "この説明を表示して終わります" in out
    assert "usage:" not in out and "show this help" not in out and "options:" not in out


def test_a_parser_without_help_stays_without_it():
    quiet = JapaneseArgumentParser(prog="x", add_help=False)
    assert quiet.parse_known_args(["--help"])[1] == ["--help"]


def test_a_parser_given_a_japanese_formatter_keeps_that_formatter():
    first = JapaneseArgumentParser(prog="x", formatter_class=argparse.RawDescriptionHelpFormatter)
    again = JapaneseArgumentParser(prog="y", formatter_class=first.formatter_class)
    assert again.formatter_class is first.formatter_class
    assert again.format_usage().startswith("使い方: y")


def test_run_cli_turns_errors_into_one_line(capsys):
    def failing():
        raise SnippetError("だめでした。")

    assert run_cli(failing) == 1
    assert capsys.readouterr().err == "エラー: だめでした。\n"
    assert run_cli(lambda: None) == 0


# Every command of the guide, with an argument it does not take: one Japanese line, exit 2.
CLIS = [
    ("snippets.api", ["--bogus"]),
    ("snippets.volume", ["create", "--name", "d", "--size-gb", "fifty", "--data-center", "X"]),
    ("snippets.volume", ["resize"]),
    ("snippets.secret", ["create", "--name", "x", "--value", "s3cr3t"]),
    ("snippets.pricing", ["--data-center", "EU-RO-1", "--max-price", "cheap"]),
    ("snippets.pod", ["--no-such-option"]),
    ("snippets.pod", ["up", "--volume", "v", "--max-hours", "forever"]),
    ("snippets.ssh_keys", ["check", "--bogus"]),
    ("snippets.remote", ["--no-such-option"]),
    ("snippets.gcs_offload", ["sync"]),
]


@pytest.mark.parametrize(("module", "argv"), CLIS, ids=[" ".join(c[1][:2]) for c in CLIS])
def test_every_snippet_cli_speaks_japanese_on_bad_arguments(module, argv):
    done = subprocess.run(
        [sys.executable, "-m", module, *argv], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("エラー: ") and done.stderr.count("\n") == 1, done.stderr
    assert JAPANESE.search(done.stderr.split("（")[0]) and "usage" not in done.stderr
    assert "s3cr3t" not in done.stderr


def test_parsers_made_here_are_argparse_parsers():
    assert issubclass(JapaneseArgumentParser, argparse.ArgumentParser)


@pytest.mark.parametrize(("signal_name", "code"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c(signal_name, code):
    """A closed terminal or a `kill` ends the command as Ctrl+C does: code that must say
    something when stopped (a billed pod) gets to say it, and there is no traceback."""
    script = (
        "import os, signal, time\n"
        "from snippets.cli import run_cli\n"
        "def work():\n"
        "    try:\n"
        f"        os.kill(os.getpid(), signal.{signal_name}); time.sleep(5)\n"
        "    except KeyboardInterrupt:\n"
        "        print('cleanup said its word')\n"
        "        raise\n"
        "raise SystemExit(run_cli(work))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == code
    assert done.stdout == "cleanup said its word\n"
    assert done.stderr == "中断しました。\n"
