"""snippets/answers.py: what counts as Runpod's answer, against servers that are not Runpod."""

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import runpod.agent
import runpod.user_agent

from snippets import api
from snippets.cli import SnippetError
from tests import ROOT


@pytest.fixture
def impostor(monkeypatch):
    """A local web server that is not Runpod; set `impostor.answer` to (status, type, body)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            server.seen.append(dict(self.headers))
            status, content_type, body = server.answer
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.answer = (200, "text/html", b"<html><body>Welcome to our Wi-Fi</body></html>")
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RUNPOD_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_not_sent_anywhere_else")
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("call", ["rest", "graphql"])
def test_a_web_page_instead_of_the_api_is_explained(impostor, call):
    with pytest.raises(
        SnippetError, match="Runpod API ではない相手が応答しました（HTML など、HTTP 200）"
    ):
        api.rest("GET", "/v2/network-volumes") if call == "rest" else api.graphql(
            "{ myself { id } }"
        )


@pytest.mark.parametrize(
    ("call", "body"),
    [("rest", b"[1, 2]"), ("rest", b"{nope"), ("graphql", b'{"ok": true}'), ("graphql", b"null")],
)
def test_json_of_another_shape_is_explained(impostor, call, body):
    impostor.answer = (200, "application/json", body)
    with pytest.raises(SnippetError, match="応答の形が想定と違います"):
        api.rest("GET", "/v2/network-volumes") if call == "rest" else api.graphql(
            "{ myself { id } }"
        )


def test_a_list_without_its_items_is_explained(impostor):
    impostor.answer = (200, "application/json", b'{"networkVolumes": [{"name": "no id"}]}')
    with pytest.raises(SnippetError, match="networkVolumes の一覧がありません"):
        api.listed(api.rest("GET", "/v2/network-volumes"), "networkVolumes")


def test_an_html_refusal_in_front_of_the_api_is_not_blamed_on_the_key(impostor):
    # Cloudflare's error 1010 page, or a corporate proxy: HTML with 403
    impostor.answer = (403, "text/html", b"<html><h1>Error 1010</h1>Access denied</html>")
    with pytest.raises(
        SnippetError, match="Runpod API の手前で断られました（HTML の応答、HTTP 403）"
    ):
        api.rest("GET", "/v2/network-volumes")


def test_a_403_in_json_is_about_the_key(impostor):
    impostor.answer = (403, "application/problem+json", b'{"title": "Forbidden", "status": 403}')
    with pytest.raises(SnippetError, match="API キーを受け付けませんでした（HTTP 403）"):
        api.rest("GET", "/v2/network-volumes")


def test_rest_calls_introduce_themselves_as_the_sdk_does(impostor, monkeypatch):
    # The SDK's own string, without the parts it adds for an integration or a coding agent.
    monkeypatch.delenv("RUNPOD_UA_INTEGRATION", raising=False)
    monkeypatch.setattr(runpod.agent, "suffix", lambda: "")
    impostor.answer = (200, "application/json", b'{"networkVolumes": []}')
    api.rest("GET", "/v2/network-volumes")
    (headers,) = impostor.seen
    expected = runpod.user_agent.construct_user_agent()
    assert headers["User-Agent"] == expected and expected.startswith("RunPod-Python-SDK/")


def test_volume_and_secret_commands_do_not_import_the_sdk():
    """Importing runpod takes a second (its CPU probe); REST-only commands start without it."""
    code = "import sys, snippets.volume, snippets.secret; print('runpod' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
