"""A stand-in for the `tensorboard` command, for the TensorBoard test.

It takes the flags the guide's line uses with the real CLI's names and defaults (TensorBoard's
core plugin: --logdir, --host with default localhost, --bind_all, --port with default 6006),
refuses any other flag as argparse does (exit 2), and answers HTTP on the address it was told
to listen on, as TensorBoard's web server does. No TensorBoard or TensorFlow is needed.
"""

from __future__ import annotations

import argparse
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<title>TensorBoard</title>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="tensorboard")
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--bind_all", action="store_true")
    parser.add_argument("--port", type=int, default=6006)
    args = parser.parse_args()
    host = "0.0.0.0" if args.bind_all else args.host  # noqa: S104 (what the flag means)
    server = HTTPServer((host, args.port), Page)
    print(
        f"TensorBoard 2.20.0 at http://{host}:{args.port}/ (Press CTRL+C to quit)",
        file=sys.stderr,
        flush=True,
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
