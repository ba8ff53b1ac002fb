"""snippets/api.py: the key, retries, clear errors and the value checks, against the fake."""

import os
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import runpod

from snippets import api
from snippets.api import SnippetError
from tests import ROOT


def statuses(fake, path="/graphql"):
    return [request.status for request in fake.requests if request.path == path]


def test_valid_key_is_confirmed(fake, capsys):
    assert api.main([]) == 0
    out = capsys.readouterr().out
    assert "API キーは有効です" in out
    assert fake.api_key not in out


def test_missing_key_is_explained_before_any_request(fake, monkeypatch, capsys):
    monkeypatch.delenv("RUNPOD_API_KEY")
    assert api.main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: 環境変数 RUNPOD_API_KEY が設定されていません")
    assert "Traceback" not in err
    assert fake.requests == []


def test_wrong_key_gets_one_clear_message(fake, monkeypatch, capsys):
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_wrong_key_123")
    assert api.main([]) == 1
    err = capsys.readouterr().err
    assert "API キーを受け付けませんでした（HTTP 401）" in err
    assert "rpa_wrong_key_123" not in err
    assert err.count("\n") == 1  # one line, no traceback
    assert statuses(fake) == [401]  # a rejected key is not retried


def test_sdk_is_given_the_key_from_the_environment(fake):
    runpod.api_key = None
    api.graphql("query { myself { id } }")
    assert runpod.api_key == fake.api_key


def test_base_url_defaults_to_runpod(monkeypatch):
    monkeypatch.delenv("RUNPOD_API_BASE_URL", raising=False)
    assert api.base_url() == "https://api.runpod.io"


def test_recommended_config_is_the_toml_file():
    with open(ROOT / "snippets" / "recommended_image.toml", "rb") as file:
        expected = tomllib.load(file)
    assert api.load_recommended() == expected
    assert api.load_recommended()["pod"]["volume_mount_path"] == "/workspace"


def test_graphql_500_three_times_is_retried(fake):
    fake.set_faults("graphql:500x3")
    gpus = api.sdk(runpod.get_gpus)
    assert any(gpu["id"] == "NVIDIA RTX A4000" for gpu in gpus)
    assert statuses(fake) == [500, 500, 500, 200]


def test_sdk_is_left_as_it_was_after_a_call(fake):
    # The retrying session is lent to the SDK for one call; other code keeps the plain SDK.
    plain = runpod.api.graphql.requests
    api.graphql("query { myself { id } }")
    assert runpod.api.graphql.requests is plain


def test_rest_429_twice_is_retried(fake):
    fake.set_faults("rest:429x2")
    assert api.rest("GET", "/v2/network-volumes") == {"networkVolumes": []}
    assert statuses(fake, "/v2/network-volumes") == [429, 429, 200]


def test_html_once_is_retried(fake):
    fake.set_faults("graphql:html")
    assert api.graphql("query { myself { id } }")["myself"]["id"]
    assert statuses(fake) == [502, 200]


@pytest.mark.parametrize("fault", ["graphql:htmlx*", "rest:htmlx*"])
def test_html_instead_of_json_gets_one_clear_message(fake, monkeypatch, capsys, fault):
    fake.set_faults(fault)
    monkeypatch.setattr(api, "RETRIES", 1)
    with pytest.raises(SnippetError, match="JSON ではない応答（HTML など、HTTP 502）"):
        if fault.startswith("graphql"):
            api.graphql("query { myself { id } }")
        else:
            api.rest("GET", "/v2/network-volumes")
    assert len(fake.requests) == 2  # tried, retried, then gave up with the message


def test_server_errors_that_never_stop_end_in_a_clear_message(fake, monkeypatch):
    fake.set_faults("rest:503x*")
    monkeypatch.setattr(api, "RETRIES", 2)
    with pytest.raises(
        SnippetError, match="混み合っているか障害中です（HTTP 503、3 回試しました）"
    ):
        api.rest("GET", "/v2/network-volumes")
    assert statuses(fake, "/v2/network-volumes") == [503, 503, 503]


def test_timeout_is_retried(fake, monkeypatch):
    monkeypatch.setattr(api, "TIMEOUT", (5, 0.5))
    fake.set_faults("timeout:graphql=1")
    started = time.monotonic()
    assert api.graphql("query { myself { id } }")["myself"]["id"]
    assert time.monotonic() - started < 1.0  # answered by the retry, not the held answer
    time.sleep(0.8)  # the held-back answer is logged when the fake finally sends it
    assert statuses(fake) == [200, 200]


def test_unreachable_api_is_explained(fake, monkeypatch):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr(api, "RETRIES", 0)
    with pytest.raises(SnippetError, match=r"http://127.0.0.1:9）に接続できないか"):
        api.rest("GET", "/v2/network-volumes")


def test_graphql_errors_are_passed_on(fake):
    with pytest.raises(SnippetError, match="Runpod API がエラーを返しました"):
        api.graphql("query { noSuchField }")


def test_rest_errors_show_runpods_detail(fake):
    with pytest.raises(SnippetError, match=r"HTTP 404.*: \S"):
        api.rest("GET", "/v2/network-volumes/doesnotexist")


def test_ctrl_c_ends_quietly(capsys):
    def interrupted():
        raise KeyboardInterrupt

    assert api.run_cli(interrupted) == 130
    assert capsys.readouterr().err == "中断しました。\n"


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        api.main(["--help"])
    assert "API キー" in capsys.readouterr().out


def test_runs_as_a_module(fake):
    result = subprocess.run(
        [sys.executable, "-m", "snippets.api"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "API キーは有効です" in result.stdout


# ---- creates are never repeated blindly ---------------------------------------------------
VOLUME = {"name": "dup", "size": 10, "dataCenter": "EU-RO-1"}


def create_volume():
    return api.rest("POST", "/v2/network-volumes", VOLUME)


def list_volumes():
    return api.rest("GET", "/v2/network-volumes")["networkVolumes"]


@pytest.mark.parametrize("fault", ["lost:rest", "timeout:rest=1"])
def test_a_create_whose_answer_is_lost_is_found_not_repeated(fake, monkeypatch, fault):
    monkeypatch.setattr(api, "TIMEOUT", (5, 0.3))
    made = api.create_once("ボリューム", "dup", failing_first(fake, fault), list_volumes)
    assert [volume.name for volume in fake.volumes.values()] == ["dup"]
    assert made["id"] in fake.volumes
    time.sleep(1.2)  # a held-back answer is logged when the fake finally sends it
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 1, "the create was sent again after its answer was lost"


def failing_first(fake, fault: str, times: int = 1, create=None):
    """create (create_volume), with `fault` armed just before each of the first `times`."""
    calls = []

    def armed():
        calls.append(1)
        if len(calls) <= times:
            fake.set_faults(fault)
        return (create or create_volume)()

    return armed


def test_a_lost_create_that_did_not_happen_is_sent_again(fake):
    # A 502 page from the proxy in front of the API, before Runpod saw the request: nothing
    # was made, so after looking for it, the create is sent once more.
    made = api.create_once("ボリューム", "dup", failing_first(fake, "rest:html"), list_volumes)
    assert [volume.name for volume in fake.volumes.values()] == ["dup"]
    assert made["name"] == "dup"
    assert [r.status for r in fake.requests if r.method == "POST"] == [502, 201]


def test_a_volume_that_existed_before_is_not_taken_for_the_new_one(fake):
    old = create_volume()
    made = api.create_once("ボリューム", "dup", failing_first(fake, "lost:rest"), list_volumes)
    assert made["id"] != old["id"]
    assert sorted(volume.name for volume in fake.volumes.values()) == ["dup", "dup"]


def test_answers_that_never_come_end_in_one_clear_message(fake, monkeypatch):
    monkeypatch.setattr(api, "CREATE_TRIES", 2)
    create = failing_first(fake, "rest:html", times=2)
    with pytest.raises(SnippetError, match="2 回とも応答がありませんでした"):
        api.create_once("ボリューム", "dup", create, list_volumes)
    assert fake.volumes == {}


def test_a_create_is_retried_when_it_surely_never_arrived(fake, monkeypatch):
    fake.set_faults("rest:429x2")
    assert create_volume()["name"] == "dup"
    assert [r.status for r in fake.requests if r.method == "POST"] == [429, 429, 201]


# ---- a create refused with 409 (secret names are unique) -----------------------------------
SECRET = {"name": "tok", "value": "s3cr3t-value"}


def create_secret():
    return api.rest("POST", "/v2/account/secrets", SECRET)


def list_secrets():
    return api.listed(api.rest("GET", "/v2/account/secrets"), "secrets")


def test_a_name_taken_before_we_asked_is_refused_not_taken_for_ours(fake):
    old = create_secret()
    with pytest.raises(SnippetError, match="「tok」はすでにあります") as refused:
        api.create_once("シークレット", "tok", create_secret, list_secrets)
    assert "s3cr3t-value" not in str(refused.value)
    assert list(fake.secrets) == [old["id"]]
    assert [r.status for r in fake.requests if r.method == "POST"] == [201, 409]


def test_a_409_after_a_lost_answer_is_our_own_secret(fake):
    # The list does not show the lost create in time, so the create is sent again and Runpod
    # answers 409: the one new secret with that name is the one our lost create made.
    lists = []

    def stale_twice():  # the snapshot before, and the look after the lost answer
        lists.append(1)
        return [] if len(lists) <= 2 else list_secrets()

    create = failing_first(fake, "lost:rest", create=create_secret)
    made = api.create_once("シークレット", "tok", create, stale_twice)
    assert list(fake.secrets) == [made["id"]]
    assert [r.status for r in fake.requests if r.method == "POST"] == [502, 409]


def test_a_409_with_nothing_new_to_show_is_refused(fake):
    with pytest.raises(SnippetError, match="「tok」はすでにあります"):
        api.create_once(
            "シークレット", "tok", failing_first(fake, "lost:rest", create=create_secret), list
        )
    assert len(fake.secrets) == 1  # the lost create's, which the (stale) list never showed


def test_a_trailing_slash_in_the_base_url_works_for_the_sdk_too(fake, monkeypatch):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", fake.url + "/")
    assert api.graphql("query { myself { id } }")["myself"]["id"]
    assert api.rest("GET", "/v2/network-volumes") == {"networkVolumes": []}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RUNPOD_API_KEY": "rpa_キーです"}, "RUNPOD_API_KEY に使えない文字"),
        ({"RUNPOD_API_BASE_URL": "api.runpod.io"}, "RUNPOD_API_BASE_URL の形が正しくありません"),
        (
            {"RUNPOD_API_BASE_URL": "ftp://127.0.0.1:21"},
            "RUNPOD_API_BASE_URL の形が正しくありません",
        ),
        ({"SNIPPETS_READ_TIMEOUT": "soon"}, "SNIPPETS_READ_TIMEOUT は"),
    ],
)
def test_bad_settings_are_one_japanese_line_from_the_cli(fake, env, message):
    done = subprocess.run(
        [sys.executable, "-m", "snippets.api"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"エラー: {message}") and done.stderr.count("\n") == 1
    assert "キーです" not in done.stderr
    assert fake.requests == []


def test_retries_are_not_chatter_on_the_readers_terminal(tmp_path):
    # A server that drops the first connection without an answer, then answers: urllib3
    # retries and logs a "Retrying (...)" warning, which must not reach the reader's terminal.
    class DropsFirst(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            server.calls += 1
            if server.calls == 1:
                return  # no answer: the client sees the connection closed
            body = b'{"networkVolumes": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), DropsFirst)
    server.calls = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, "RUNPOD_API_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}",
           "RUNPOD_API_KEY": "rpa_local_test"}  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-m", "snippets.volume", "list"], cwd=ROOT, capture_output=True,
            text=True, timeout=60, env=env,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert server.calls == 2  # it was retried
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "ボリュームはまだありません。\n"
