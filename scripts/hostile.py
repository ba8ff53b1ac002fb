"""Hostile input through every snippet command, against the fake Runpod: the numbers, measured.

    .venv/bin/python -m scripts.hostile                 prints the table for a note
    .venv/bin/python -m scripts.hostile --family pod    one family, as JSON (what the test runs)
    tests/snippets/test_hostile.py                      runs every family and wants it clean

The cases are in scripts/hostile_cases.py. Each command family (volume, secret, pod, ...) runs
in one process with one fake Runpod (retired mode: GraphQL and REST v1 answer 410), reset
before each case; a case calls the command's main() as `python -m` would, with its own argv,
environment and stdin, and is judged from outside: exit code, stdout, stderr, the account.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scripts.hostile_cases import CASES, MARKER, Case

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@dataclass
class Outcome:
    case: str
    expect: str
    returncode: int
    stdout: str
    stderr: str
    changed: bool  # the account differs from before the command
    made: int  # resources of the kind the case creates, afterwards
    posts: int  # creates the fake answered (one held back past the judging is not counted)
    secrets: list[str]  # values that must never be printed

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout + self.stderr

    @property
    def duplicate(self) -> bool:
        return self.made > 1

    @property
    def leak(self) -> bool:
        shown = self.stdout + self.stderr
        return any(value and value in shown for value in self.secrets)

    @property
    def clean(self) -> bool:
        err = self.stderr.rstrip("\n")
        last = err.splitlines()[-1] if err else ""
        said = last.startswith("エラー: ") and JAPANESE.search(last[5:]) is not None
        if self.traceback or self.leak or self.duplicate:
            return False
        if self.expect == "adopted":
            return self.returncode == 0 and self.made == 1 and self.posts <= 1
        if self.expect == "maybe":
            looked = "python -m snippets." in err or "console.runpod.io" in err
            return self.returncode != 0 and looked and self.posts <= 1 and "もう一度実行" not in err
        if self.expect == "reported":
            return self.returncode != 0 and said and "python -m snippets.pod down " in last
        one_line = err.count("\n") == 0 or self.expect == "declined"
        return self.returncode != 0 and not self.stdout and said and one_line and not self.changed


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


def run_family(module: str, cases: list[Case]) -> list[Outcome]:
    """Every case of one command family, in this process, against one fake."""
    from fake_runpod import FakeRunpod
    from snippets import api

    api.sleep = lambda seconds: None  # waits are what a reader would wait: not waited here
    impostor = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    command = importlib.import_module(f"snippets.{module}")
    try:
        with (
            FakeRunpod(pod_start_delay=0.2, retired=True) as fake,
            tempfile.TemporaryDirectory() as folder,
        ):
            keys = _key_pair(Path(folder))
            values = {
                "url": fake.url,
                "port": fake.url.rsplit(":", 1)[1],
                "impostor": f"http://127.0.0.1:{impostor.server_address[1]}",
                **keys,
            }
            return [_run_case(command, case, fake, values) for case in cases]
    finally:
        impostor.shutdown()
        impostor.server_close()


def _key_pair(folder: Path) -> dict[str, str]:
    key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return {"private_key": str(key), "public_key": f"{key}.pub"}


def _prepare(case: Case, fake, values: dict) -> None:
    from snippets import pod, secret, volume

    if case.before == "secret_exists":
        secret.create_secret("kaggle_api_token", "KGAT_the_old_value")
    if case.before in ("volume", "volume_and_secret", "pod_on_volume"):
        values["volume"] = volume.create_volume("kaggle-data", 10, "EU-RO-1")["id"]
    if case.before == "volume_and_secret":
        secret.create_secret("kaggle_api_token", "KGAT_the_old_value")
    if case.before == "pod_on_volume":
        values["pod"] = pod.deploy_pod(values["volume"])["id"]


def _fill(text: str, values: dict) -> str:
    """ "{volume}" and the like replaced; any other brace (a secret reference) kept."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _account(fake) -> tuple:
    return (
        sorted((v.id, v.name) for v in fake.volumes.values()),
        sorted((s.id, s.name, s.value) for s in fake.secrets.values()),
        sorted(fake.pods),
    )


def _run_case(command, case: Case, fake, values: dict) -> Outcome:
    fake.reset()
    fake.set_faults(None)
    saved = dict(os.environ)
    os.environ.update(RUNPOD_API_BASE_URL=fake.url, RUNPOD_API_KEY=fake.api_key)
    _prepare(case, fake, values)
    os.environ.update({k: _fill(v, values) for k, v in case.env.items()})
    fake.set_faults(case.faults or None)
    before, start = _account(fake), len(fake.requests)
    argv = [os.fsdecode(a) if isinstance(a, bytes) else _fill(a, values) for a in case.argv]
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(case.stdin), encoding="utf-8", errors="surrogateescape")
    interrupter = None
    if case.interrupt_after_post:  # Ctrl+C once the create was carried out, answer held back
        # (a background job starts with SIGINT ignored; a reader's terminal does not)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupter = threading.Thread(target=_interrupt_once_made, args=(fake, case.creates))
        interrupter.start()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            sys.stdin, old_stdin = stdin, sys.stdin
            try:
                code = command.main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except BaseException:  # noqa: BLE001 - the very thing this table counts
                err.write(traceback.format_exc())
                code = -1
            finally:
                sys.stdin = old_stdin
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if interrupter is not None:
            interrupter.join()
    posts = sum(
        1
        for r in fake.requests[start:]
        if r.method == "POST"
        and r.path in ("/v2/pods", "/v2/network-volumes", "/v2/account/secrets")
    )
    made = len(getattr(fake, case.creates)) if case.creates else 0
    secrets = [fake.api_key, MARKER, "KGAT_the_old_value", case.env.get("RUNPOD_API_KEY", "")]
    return Outcome(
        case.name,
        case.expect,
        code,
        out.getvalue(),
        err.getvalue(),
        _account(fake) != before,
        made,
        posts,
        [s for s in secrets if len(s) > 4],
    )


def _interrupt_once_made(fake, kind: str) -> None:
    """Ctrl+C as the terminal sends it: a real SIGINT to the main thread, which wakes it in
    the middle of its wait for the answer (`_thread.interrupt_main` would only be seen once
    the held answer arrives)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if getattr(fake, kind):
            time.sleep(0.2)  # the fake holds the answer back: the reader is waiting
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            return
        time.sleep(0.02)


def families() -> list[str]:
    return sorted({case.module for case in CASES})


def run_all(workers: int = 4) -> list[Outcome]:
    """Every family in its own process, a few at a time."""

    def one(module: str) -> list[Outcome]:
        done = subprocess.run(
            [sys.executable, "-m", "scripts.hostile", "--family", module],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"family {module} did not run: {done.stderr[-2000:]}")
        return [Outcome(**item) for item in json.loads(done.stdout)]

    with ThreadPoolExecutor(workers) as pool:
        return [outcome for batch in pool.map(one, families()) for outcome in batch]


def table(results: list[Outcome]) -> dict[str, int]:
    return {
        "cases tried": len(results),
        "refused cleanly": sum(o.clean for o in results if o.expect in ("refused", "declined")),
        "lost creates shown, never repeated": sum(o.clean for o in results if o.expect == "maybe"),
        "lost creates adopted": sum(o.clean for o in results if o.expect == "adopted"),
        "ended pods reported": sum(o.clean for o in results if o.expect == "reported"),
        "tracebacks": sum(o.traceback for o in results),
        "duplicates": sum(o.duplicate for o in results),
        "leaks": sum(o.leak for o in results),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.hostile", description=__doc__)
    parser.add_argument("--family", choices=families(), help="run one family, print JSON")
    args = parser.parse_args(argv)
    if args.family:
        cases = [case for case in CASES if case.module == args.family]
        print(json.dumps([asdict(o) for o in run_family(args.family, cases)], ensure_ascii=False))
        return 0
    results = run_all()
    for outcome in results:
        if not outcome.clean:
            print(f"NOT CLEAN: {outcome.case}: exit {outcome.returncode}: {outcome.stderr!r}")
    counts = table(results)
    print("| " + " | ".join(counts) + " |\n|" + " --- |" * len(counts))
    print("| " + " | ".join(str(n) for n in counts.values()) + " |")
    return 0 if all(o.clean for o in results) else 1


if __name__ == "__main__":
    sys.exit(main())
