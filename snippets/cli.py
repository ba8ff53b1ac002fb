"""What every snippet command shares: Japanese help, and failures as one Japanese line.

argparse writes its own errors in English ("the following arguments are required: ...")
followed by a usage block; JapaneseArgumentParser says them in one Japanese line (exit 2).
run_cli turns a SnippetError into one line too (exit 1). Only the standard library, so any
snippet can use it.
"""

import argparse
import re
import signal
import sys
import threading


class SnippetError(Exception):
    """A failure explained in one Japanese sentence for the reader."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP (the terminal was closed), handled like Ctrl+C: what was being
    done is reported, and the exit code is 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, _frame) -> None:
    raise Interrupted(signum)


def run_cli(action) -> int:
    """Run a CLI action: on failure one Japanese line on stderr and exit code 1.

    Ctrl+C, SIGTERM and SIGHUP stop the action the same way (KeyboardInterrupt), so code
    that must report something when it is stopped (a pod that keeps billing) says it once,
    in an `except KeyboardInterrupt` of its own."""
    handled = threading.current_thread() is threading.main_thread()  # signal's own rule
    for signum in (signal.SIGTERM, signal.SIGHUP) if handled else ():
        signal.signal(signum, _interrupt)
    try:
        action()
    except SnippetError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:  # Ctrl+C while waiting: no traceback either
        print("中断しました。", file=sys.stderr)
        return 128 + getattr(stop, "signum", signal.SIGINT)
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP) if handled else ():
            signal.signal(signum, signal.SIG_DFL)
    return 0


# argparse's error messages (Python 3.11-3.13) and what the reader sees instead.
_MESSAGES = (
    (r"the following arguments are required: (.+)", "必要な引数がありません: {0}"),
    (r"ambiguous option: (\S+) could match (.+)", "{0} はどれのことか決められません（候補: {1}）"),
    (r"one of the arguments (.+) is required", "次のどれかを指定してください: {0}"),
    (
        r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)",
        "{0} に {1} は選べません（選べるのは: {2}）",
    ),
    (r"argument (.+?): invalid int value: (.+)", "{0} には整数を指定してください（指定: {1}）"),
    (r"argument (.+?): invalid float value: (.+)", "{0} には数値を指定してください（指定: {1}）"),
    (r"argument (.+?): invalid \S+ value: (.+)", "{0} の値 {1} は使えません"),
    (r"argument (.+?): expected (?:one|at least one|\d+) arguments?", "{0} に値がありません"),
    (r"argument (.+?): expected at most one argument", "{0} に値は 1 つまでです"),
    (r"argument (.+?): ignored explicit argument (.+)", "{0} は値 {1} を取りません"),
    (r"argument (.+?): not allowed with argument (.+)", "{0} と {1} は同時に使えません"),
    (r"argument (.+?): (.+)", "{0}: {1}"),  # our own ArgumentTypeError messages
)


def japanese_usage_error(message: str) -> str:
    """argparse's English error message, said in Japanese (unknown ones are kept as they are)."""
    extras = message.removeprefix("unrecognized arguments: ")
    if extras != message:  # name the options only: a stray value may be a token
        words = extras.split()
        options = [word.split("=")[0] for word in words if word.startswith("-")]
        others = (
            f"（ほかに値が {len(words) - len(options)} 個）" if len(options) < len(words) else ""
        )
        return f"知らない引数があります: {' '.join(options) or '値'}{others}"
    for pattern, japanese in _MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return japanese.format(*found.groups())
    return f"引数が正しくありません（{message}）"


class _JapaneseUsage:
    """A help formatter mixin: the usage line starts with 使い方: instead of usage:."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "使い方: " if prefix is None else prefix)


class _JapaneseHelpFormatter(_JapaneseUsage, argparse.HelpFormatter):
    pass


def _japanese(formatter: type) -> type:
    """The formatter class with a Japanese usage line (any argparse formatter class)."""
    if issubclass(formatter, _JapaneseUsage):
        return formatter
    return type(f"Japanese{formatter.__name__}", (_JapaneseUsage, formatter), {})


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help headings and usage errors are Japanese.

    Subcommands made with add_subparsers() are JapaneseArgumentParsers too. A usage error
    prints one line, "エラー: ...（PROG --help で使い方を表示します）", and exits with 2.
    """

    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:
        kwargs["formatter_class"] = _japanese(kwargs.get("formatter_class", _JapaneseHelpFormatter))
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="この説明を表示して終わります")

    def error(self, message: str):
        line = " ".join(japanese_usage_error(message).split())  # always a single line
        self.exit(2, f"エラー: {line}（{self.prog} --help で使い方を表示します）\n")
