"""Serve a built site on 127.0.0.1 the way GitHub Pages serves it.

gzip when the client accepts it, `index.html` for folders (with a redirect to add the
trailing slash), 404.html for missing files. site_url is https://runpod-kaggle.github.io/guide/,
so the real site lives under /guide/: every link the build writes is relative, so the site is
served at "/", and a leading "/guide/" is stripped so absolute paths written with site_url's
path resolve to the same files. Used by the browser tests and by scripts/sitecheck/lighthouse.py.

Each file is compressed once per server (and again only when it changes): a browser test
loads the same stylesheet, script bundle and search index on every page, and compressing
them anew for each request was the largest single cost in the test processes (about 30 s of
CPU per `make test`).
"""

from __future__ import annotations

import gzip
import mimetypes
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_PATH_PREFIX = "/guide/"  # the path of site_url in mkdocs.yml
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "application/x-sh",
)


def make_handler(root: Path) -> type[BaseHTTPRequestHandler]:
    compressed: dict[tuple[Path, int, int], bytes] = {}  # (file, mtime, size) -> gzip body

    def gzipped(target: Path) -> bytes:
        stat = target.stat()
        key = (target, stat.st_mtime_ns, stat.st_size)
        if key not in compressed:  # two threads may both compress it once: same bytes
            compressed[key] = gzip.compress(target.read_bytes(), mtime=0)
        return compressed[key]

    class StaticSiteHandler(BaseHTTPRequestHandler):
        def do_HEAD(self):  # noqa: N802 (http.server's naming)
            self._respond(send_body=False)

        def do_GET(self):  # noqa: N802
            self._respond(send_body=True)

        def _respond(self, send_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            if path.startswith(SITE_PATH_PREFIX):
                path = "/" + path[len(SITE_PATH_PREFIX) :]
            target = (root / path.lstrip("/")).resolve()
            if root not in target.parents and target != root:
                return self._send(404, b"not found", "text/plain", send_body)
            if target.is_dir():
                if not path.endswith("/"):  # like GitHub Pages: folders get a trailing slash
                    self.send_response(301)
                    self.send_header("Location", self.path.split("?")[0] + "/")
                    self.end_headers()
                    return None
                target = target / "index.html"
            if not target.is_file():
                target = root / "404.html"
                return self._send(404, target.read_bytes(), "text/html", send_body, target)
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return self._send(200, target.read_bytes(), kind, send_body, target)

        def _send(
            self, status: int, body: bytes, kind: str, send_body: bool, file: Path | None = None
        ) -> None:
            self.send_response(status)
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self.send_header("Content-Type", kind)
            if kind.startswith(COMPRESSIBLE):
                self.send_header("Vary", "Accept-Encoding")
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzipped(file) if file else gzip.compress(body, mtime=0)
                    self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, *args):  # keep pytest output clean
            pass

    return StaticSiteHandler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Browsers drop connections they no longer need; that is not an error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_site(site_dir: Path) -> Iterator[str]:
    """Serve site_dir on 127.0.0.1 (a free port); yields the base URL ending in '/'."""
    handler = make_handler(Path(site_dir).resolve())
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
