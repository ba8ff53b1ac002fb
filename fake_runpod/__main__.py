"""`python -m fake_runpod` (= `make fake`): run the fake Runpod until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .fake import FakeRunpod


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fake_runpod",
        description="Run the local fake Runpod (REST v2, SSH pods; GraphQL unless --retired) "
        "on 127.0.0.1.",
        epilog="Faults: set FAKE_RUNPOD_FAULTS, e.g. 'rest:503x3,pod:slow_start=20s' "
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
    parser.add_argument(
        "--realistic",
        action="store_true",
        help="take as long as Runpod (10-minute image pulls), mix old and new CUDA drivers, "
        "and answer creates with Runpod's capacity and transient errors",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="F",
        help="multiply every modelled duration (pulls, sshd start, terminateAfter) by F, "
        "e.g. 0.01 (default 1)",
    )
    parser.add_argument(
        "--retired",
        action="store_true",
        help="answer GraphQL with 410 Gone, as after Runpod retires it (REST v1 always is)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        metavar="N",
        help="answer 429 (with Retry-After) past N requests a minute (default: no limit)",
    )
    parser.add_argument(
        "--anonymous-pulls",
        type=int,
        metavar="N",
        help="Docker Hub refuses anonymous image pulls after N of them (toomanyrequests); "
        "a pod created with a registry credential is not counted (default: no limit)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Ctrl-C and SIGTERM both just ask to stop, whenever they come (even while starting, and
    # even when the shell that started us in the background ignores SIGINT).
    done = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: done.set())
    try:
        fake = FakeRunpod(
            args.pod_start_delay,
            os.environ.get("FAKE_RUNPOD_FAULTS"),
            port=args.port,
            realistic=args.realistic,
            time_scale=args.time_scale,
            retired=args.retired,
            rate_limit=args.rate_limit,
            anonymous_pulls=args.anonymous_pulls,
        )
    except ValueError as error:
        print(f"fake Runpod: {error}", file=sys.stderr)
        return 2
    with fake:
        print(f"RUNPOD_API_BASE_URL={fake.url}", flush=True)
        print(f"RUNPOD_API_KEY={fake.api_key}", flush=True)
        if fake.retired:
            print("retired: GraphQL and REST v1 answer 410 Gone", flush=True)
        if fake.realistic or fake.time_scale != 1:
            mode = "realistic" if fake.realistic else "fast"
            print(f"mode: {mode}, time scale {fake.time_scale:g}", flush=True)
        pending = fake.faults.pending()
        if pending:
            print(f"faults: {', '.join(pending)}", flush=True)
        print("fake Runpod running; Ctrl-C to stop", flush=True)
        # Python runs signal handlers in the main thread only, and a signal delivered to one
        # of the server's threads does not wake a wait without a timeout: poll.
        while not done.wait(0.1):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
