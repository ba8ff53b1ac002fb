"""`python -m fake_runpod` (= `make fake`): run the fake Runpod until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .server import FakeRunpod


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fake_runpod",
        description="Run the local fake Runpod (GraphQL, REST v2, SSH pods) on 127.0.0.1.",
        epilog="Faults: set FAKE_RUNPOD_FAULTS, e.g. 'graphql:500x3,pod:slow_start=20s' "
        "(see fake_runpod/README.md).",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free one)")
    parser.add_argument(
        "--pod-start-delay",
        type=float,
        default=0.3,
        metavar="S",
        help="seconds until a new pod has its runtime (default 0.3)",
    )
    args = parser.parse_args(argv)
    try:
        fake = FakeRunpod(
            args.pod_start_delay, os.environ.get("FAKE_RUNPOD_FAULTS"), port=args.port
        )
    except ValueError as error:
        print(f"fake Runpod: {error}", file=sys.stderr)
        return 2
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with fake:
        print(f"RUNPOD_API_BASE_URL={fake.url}", flush=True)
        print(f"RUNPOD_API_KEY={fake.api_key}", flush=True)
        pending = fake.faults.pending()
        if pending:
            print(f"faults: {', '.join(pending)}", flush=True)
        print("fake Runpod running; Ctrl-C to stop", flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
