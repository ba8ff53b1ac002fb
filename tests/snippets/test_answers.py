"""snippets/answers.py: what counts as Runpod's answer, against servers that are not Runpod."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from snippets import api, errors
from snippets.answers import listed
from snippets.cli import SnippetError


@pytest.fixture
def impostor(monkeypatch):
    """A local web server that is not Runpod; set `impostor.answer` to (status, type, body)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            server.seen.append(dict(self.headers))
            status, content_type, body = server.answer
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body) + (50 if server.cut_short else 0)))
            self.end_headers()
            self.wfile.write(body)
            if server.cut_short:  # promised more than it sent, then hung up
                self.close_connection = True

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.answer = (200, "text/html", b"<html><body>Welcome to our Wi-Fi</body></html>")
    server.seen = []
    server.cut_short = False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RUNPOD_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_not_sent_anywhere_else")
    yield server
    server.shutdown()
    server.server_close()


def test_a_web_page_instead_of_the_api_is_explained(impostor):
    with pytest.raises(
        errors.NotRunpod, match="Runpod API ではない相手が応答しました（HTML など、HTTP 200）"
    ):
        api.rest("GET", "/v2/network-volumes")


@pytest.mark.parametrize("body", [b"[1, 2]", b"null", b'"text"'])
def test_json_of_another_shape_is_explained(impostor, body):
    impostor.answer = (200, "application/json", body)
    with pytest.raises(errors.NotRunpod, match="応答の形が想定と違います"):
        api.rest("GET", "/v2/network-volumes")


def test_json_cut_short_is_said_so(impostor, monkeypatch):
    monkeypatch.setattr(api, "sleep", lambda seconds: None)
    impostor.answer = (200, "application/json", b'{"networkVolumes": [{"id"')
    with pytest.raises(errors.Unavailable, match="途中で切れていました"):
        api.rest("GET", "/v2/network-volumes")


def test_a_list_without_its_items_is_explained(impostor):
    impostor.answer = (200, "application/json", b'{"networkVolumes": [{"name": "no id"}]}')
    with pytest.raises(SnippetError, match="networkVolumes の一覧がありません"):
        listed(api.rest("GET", "/v2/network-volumes"), "networkVolumes")


def test_an_html_refusal_in_front_of_the_api_is_not_blamed_on_the_key(impostor):
    # Cloudflare's error 1010 page, or a corporate proxy: HTML with 403
    impostor.answer = (403, "text/html", b"<html><h1>Error 1010</h1>Access denied</html>")
    with pytest.raises(
        SnippetError, match="Runpod API の手前で断られました（HTML の応答、HTTP 403）"
    ):
        api.rest("GET", "/v2/network-volumes")


def test_a_403_in_json_is_about_the_keys_permissions(impostor):
    impostor.answer = (403, "application/problem+json", b'{"title": "Forbidden", "status": 403}')
    with pytest.raises(errors.Forbidden, match="この API キーには、この操作の権限がありません"):
        api.rest("GET", "/v2/network-volumes")


def test_capacity_is_told_from_other_refusals_by_runpods_detail(impostor):
    body = (
        b'{"title": "Bad Request", "status": 400, "detail": "There are no longer any '
        b'instances available with the requested specifications."}'
    )
    impostor.answer = (400, "application/problem+json", body)
    with pytest.raises(errors.NoCapacity):
        api.rest("GET", "/v2/network-volumes")
    impostor.answer = (
        400,
        "application/problem+json",
        b'{"title": "x", "status": 400, "detail": "ports: invalid"}',
    )
    with pytest.raises(errors.Invalid) as refused:
        api.rest("GET", "/v2/network-volumes")
    assert not isinstance(refused.value, errors.NoCapacity)
    assert refused.value.detail == "ports: invalid"


def test_a_detail_cannot_drive_the_terminal(impostor):
    body = b'{"title": "x", "status": 404, "detail": "gone\\u001b[2J"}'
    impostor.answer = (404, "application/problem+json", body)
    with pytest.raises(errors.NotFound) as missing:
        api.rest("GET", "/v2/network-volumes")
    assert "\x1b" not in str(missing.value) and "\\x1b[2J" in str(missing.value)


def test_an_error_whose_json_is_broken_still_says_what_it_was(impostor):
    impostor.answer = (404, "application/problem+json", b'{"title": "Not Fo')
    with pytest.raises(errors.NotFound) as missing:
        api.rest("GET", "/v2/network-volumes/x")
    assert missing.value.detail == ""


def test_an_unexpected_status_is_named(impostor):
    impostor.answer = (418, "application/problem+json", b'{"title": "x", "detail": "teapot"}')
    with pytest.raises(errors.ApiError, match="HTTP 418") as odd:
        api.rest("GET", "/v2/network-volumes")
    assert type(odd.value) is errors.ApiError and "teapot" in str(odd.value)


def test_a_key_check_answered_in_another_shape_is_explained(impostor, capsys):
    impostor.answer = (200, "application/json", b'{"keys": "not a list"}')
    assert api.main([]) == 1
    assert "応答の形が想定と違います" in capsys.readouterr().err


def test_an_answer_cut_off_mid_body_is_read_again_then_explained(impostor, monkeypatch):
    """A body shorter than its Content-Length (a proxy that hung up): tried again, then one
    sentence, never a traceback."""
    monkeypatch.setattr(api, "sleep", lambda seconds: None)
    impostor.cut_short = True
    with pytest.raises(errors.Unavailable, match="接続できないか"):
        api.rest("GET", "/v2/network-volumes")
    assert len(impostor.seen) == api.RETRIES + 1


def test_a_create_whose_answer_broke_off_is_a_lost_answer_not_sent_again(impostor):
    impostor.cut_short = True
    with pytest.raises(api.AnswerLost):
        api.rest("POST", "/v2/network-volumes", {"name": "d"}, create=True)
    assert len(impostor.seen) == 1  # never sent a second time
