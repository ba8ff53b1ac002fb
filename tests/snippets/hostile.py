"""Hostile input through the snippet commands, against the fake: the numbers, measured.

Each case runs one command the way a reader does (`python -m snippets.X ...` in a fresh
process) against its own fake Runpod, and is judged from outside:
- refused cleanly: exit code not 0, nothing on stdout, exactly one line on stderr that starts
  with "エラー: " and says it in Japanese, and the account exactly as it was;
- created once: a create whose answer was lost ends with exit 0, no stderr, one resource;
- traceback: "Traceback" anywhere in the output;
- duplicate: more than one resource of the name the case creates;
- leak: the API key or a secret value the case typed appears in the output, or a refused
  case left the account changed.

    .venv/bin/python -m tests.snippets.hostile     prints the table for a note
    tests/snippets/test_hostile.py                 runs the same cases and wants 0/0/0
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fake_runpod import FakeRunpod
from tests import ROOT

MARKER = "KGAT_hostile_value_0123"  # a secret value: must never be printed
TIMEOUT = 45  # seconds a command may take (the slowest clean case takes a few)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
VOLUME = ("snippets.volume", "create", "--size-gb", "10", "--data-center", "EU-RO-1", "--name")
SECRET = ("snippets.secret", "create", "--name")
# `python -m MODULE ARGS`, except that the runpod SDK's CPU probe at import (py-cpuinfo, a
# second of busy waiting per process) is skipped, so some seventy commands fit in a test run.
LAUNCH = (
    "import runpy, sys, cpuinfo; cpuinfo.get_cpu_info = lambda: {'brand_raw': 'not probed'}; "
    "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)"
)


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str | bytes, ...]  # after `python -m`
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict)  # "{url}", "{port}", "{impostor}"
    faults: str = ""
    before: Callable[[FakeRunpod], None] | None = None
    creates: str = ""  # "volumes" or "secrets": a lost answer, one must be made


def _secret_exists(fake: FakeRunpod) -> None:
    fake.state.create_secret("kaggle_api_token", "KGAT_the_old_value", None)


CASES: tuple[Case, ...] = (
    # names
    *(
        Case(f"volume name {label}", (*VOLUME, name))
        for label, name in [
            ("empty", ""),
            ("blank", "   "),
            ("tab", "\t"),
            ("space around", " data "),
            ("newline", "a\nb"),
            ("quote", 'a"b'),
            ("braces", "{x}"),
            ("not UTF-8", b"d\xff"),
            ("escape sequence", "d\x1b[2J"),
        ]
    ),
    *(
        Case(f"secret name {label}", (*SECRET, name), stdin=MARKER.encode())
        for label, name in [
            ("empty", ""),
            ("blank", "  "),
            ("reserved", "RUNPOD_token"),
            ("reserved lower", "runpod"),
            ("digit first", "1token"),
            ("too long", "x" * 192),
            ("not UTF-8", b"tok\xff"),
        ]
    ),
    # sizes and data centers
    *(
        Case(
            f"volume size {size!r}",
            (
                "snippets.volume",
                "create",
                "--name",
                "d",
                "--size-gb",
                size,
                "--data-center",
                "EU-RO-1",
            ),
        )
        for size in ["abc", "-5", "0", "9", "4097", "1e3", "10.5", "", "9" * 30]
    ),
    *(
        Case(
            f"volume data center {dc!r}",
            ("snippets.volume", "create", "--name", "d", "--size-gb", "10", "--data-center", dc),
        )
        for dc in ["EU-XX-9", "US-TX-3", "", "eu-ro-1", 'EU"RO']
    ),
    # secret values on stdin
    Case("secret value not UTF-8", (*SECRET, "tok"), stdin=b"\xff\xfe" + MARKER.encode()),
    Case(
        "secret value not UTF-8, C locale",
        (*SECRET, "tok"),
        stdin=b"\xff" + MARKER.encode(),
        env={"LC_ALL": "C", "LANG": "C"},
    ),
    Case("secret value empty", (*SECRET, "tok"), stdin=b"\n"),
    Case("secret value with NUL", (*SECRET, "tok"), stdin=MARKER.encode() + b"\x00x"),
    Case(
        "secret name taken",
        (*SECRET, "kaggle_api_token"),
        stdin=MARKER.encode(),
        before=_secret_exists,
    ),
    Case("secret value on the command line", (*SECRET, "tok", "--value", MARKER)),
    # the key and the address of the API
    *(
        Case(f"API key {label}", ("snippets.volume", "list"), env={"RUNPOD_API_KEY": key})
        for label, key in [
            ("non-ASCII", "rpa_キー0123"),
            ("with space", "rpa_a b"),
            ("full-width", "ｒｐａ＿ＡＢＣ"),
            ("wrong", "rpa_WRONG0000"),
            ("empty", ""),
        ]
    ),
    *(
        Case(f"API URL {label}", (module, *args), env={"RUNPOD_API_BASE_URL": url})
        for label, url in [
            ("no scheme", "127.0.0.1:{port}"),
            ("ftp", "ftp://127.0.0.1:{port}"),
            ("garbage", "::::"),
            ("http to a remote host", "http://example.com"),
            ("with a path", "{url}/v2"),
            ("bad port", "http://127.0.0.1:99999"),
            ("answers HTML 200", "{impostor}"),
        ]
        for module, *args in [("snippets.volume", "list"), ("snippets.api",)]
    ),
    Case(
        "read timeout not a number",
        ("snippets.secret", "list"),
        env={"SNIPPETS_READ_TIMEOUT": "soon"},
    ),
    # wrong ids and arguments, for every command
    Case("volume id path", ("snippets.volume", "delete", "../secrets")),
    Case("volume id unknown", ("snippets.volume", "delete", "nosuchvolume")),
    Case("secret id unknown", ("snippets.secret", "delete", "nosuchsecret")),
    Case("secret env bad variable", ("snippets.secret", "env", "1ABC", "tok")),
    *(
        Case(f"arguments {module}", (module, *args))
        for module, *args in [
            ("snippets.api", "--bogus"),
            ("snippets.volume",),
            ("snippets.volume", "resize"),
            ("snippets.secret", "create"),
            ("snippets.pricing", "--max-price", "cheap"),
            ("snippets.pod", "--bogus"),
            ("snippets.remote",),
            ("snippets.gcs_offload", "sync"),
        ]
    ),
    # lost answers: the create happened, the reader never heard
    *(
        Case(
            f"{kind} create, {fault}",
            argv,
            stdin=stdin,
            faults=fault,
            creates=kind,
            env={"SNIPPETS_READ_TIMEOUT": "0.5"},
        )
        for kind, argv, stdin in [
            ("volumes", (*VOLUME, "dup"), b""),
            ("secrets", (*SECRET, "dup"), MARKER.encode()),
        ]
        for fault in ["timeout:rest_create=65", "lost:rest_create"]
    ),
)


@dataclass
class Outcome:
    case: Case
    returncode: int
    stdout: str
    stderr: str
    changed: bool  # the account differs from before the command
    made: int  # resources of the kind the case creates, afterwards

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout + self.stderr

    @property
    def duplicate(self) -> bool:
        return self.made > 1

    def leak(self, key: str) -> bool:
        shown = self.stdout + self.stderr
        secrets = [key, MARKER, "KGAT_the_old_value", self.case.env.get("RUNPOD_API_KEY")]
        typed = any(value and value in shown for value in secrets)
        return typed or (self.changed and not self.case.creates)

    @property
    def clean(self) -> bool:
        if self.case.creates:
            return (self.returncode, self.stderr, self.made) == (0, "", 1)
        one_line = self.stderr.startswith("エラー: ") and self.stderr.count("\n") == 1
        japanese = JAPANESE.search(self.stderr.split("（")[0]) is not None
        return (
            self.returncode != 0 and not self.stdout and one_line and japanese and not self.changed
        )


def _account(fake: FakeRunpod) -> tuple:
    with fake.state.lock:
        volumes = sorted(
            (v.id, v.name, v.size, v.data_center, v.type) for v in fake.volumes.values()
        )
        secrets = sorted((s.id, s.name, s.value, s.description) for s in fake.secrets.values())
        return tuple(volumes), tuple(secrets), tuple(sorted(fake.pods))


def run_case(case: Case, impostor: str) -> tuple[Outcome, str]:
    with FakeRunpod(faults=case.faults or None) as fake:
        if case.before:
            case.before(fake)
        before = _account(fake)
        port = fake.url.rsplit(":", 1)[1]
        values = {"url": fake.url, "port": port, "impostor": impostor}
        env = {key: value for key, value in os.environ.items() if not key.startswith("SNIPPETS_")}
        env.update(RUNPOD_API_BASE_URL=fake.url, RUNPOD_API_KEY=fake.api_key)
        env.update({key: value.format(**values) for key, value in case.env.items()})
        argv = [sys.executable, "-c", LAUNCH, *case.argv]
        try:
            done = subprocess.run(
                argv, cwd=ROOT, env=env, input=case.stdin, capture_output=True, timeout=TIMEOUT
            )
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as hung:  # a reader left waiting: not clean either
            code, out, err = -1, hung.stdout or b"", (hung.stderr or b"") + b"(still running)"
        made = len(getattr(fake, case.creates)) if case.creates else 0
        changed = _account(fake) != before
        text = (out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
        return Outcome(case, code, *text, changed, made), fake.api_key


class _Impostor(BaseHTTPRequestHandler):
    """A web server that is not Runpod (a captive portal, a typo'd host): HTML, 200."""

    def do_GET(self):  # noqa: N802
        page = b"<html><body>Welcome to the hotel Wi-Fi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


def run_all(cases=CASES, workers: int = 4) -> list[tuple[Outcome, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    impostor = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda case: run_case(case, impostor), cases))
    finally:
        server.shutdown()
        server.server_close()


def table(results: list[tuple[Outcome, str]]) -> dict[str, int]:
    return {
        "cases tried": len(results),
        "refused cleanly": sum(o.clean for o, _ in results if not o.case.creates),
        "lost answers made exactly once": sum(o.clean for o, _ in results if o.case.creates),
        "tracebacks": sum(o.traceback for o, _ in results),
        "duplicates": sum(o.duplicate for o, _ in results),
        "leaks": sum(o.leak(key) for o, key in results),
    }


def main() -> int:
    results = run_all()
    for outcome, key in results:
        if not outcome.clean or outcome.traceback or outcome.leak(key):
            print(f"NOT CLEAN: {outcome.case.name}: exit {outcome.returncode}: {outcome.stderr!r}")
    counts = table(results)
    print("| " + " | ".join(counts) + " |")
    print("|" + " --- |" * len(counts))
    print("| " + " | ".join(str(n) for n in counts.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
