"""snippets/api.py: one way to Runpod's REST API v2, against the fake and its faults.

What the reader is promised: a read survives the hiccups of a busy API (timeouts, 5xx,
Cloudflare's 52x, a 429 that asks for a short wait, an answer cut short), a 429 that asks
for a long wait stops the command with a Japanese sentence instead of silencing it for
hours, and every failure is one Japanese line, never a traceback or the key.
"""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from snippets import api, errors
from tests import ROOT

VOLUMES = "/v2/network-volumes"


def test_valid_key_is_confirmed(fake, capsys):
    assert api.main([]) == 0
    assert capsys.readouterr().out.startswith("API キーは有効です")


def test_missing_key_is_explained_before_any_request(fake, monkeypatch, capsys):
    monkeypatch.delenv("RUNPOD_API_KEY")
    assert api.main([]) == 1
    assert "RUNPOD_API_KEY が設定されていません" in capsys.readouterr().err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        ("rest:401", errors.Unauthorized, "API キーを受け付けませんでした（HTTP 401）"),
        ("rest:403", errors.Forbidden, "権限がありません（HTTP 403）"),
        ("rest:410", errors.Retired, "提供を終了しました（HTTP 410 Gone）"),
    ],
)
def test_key_and_retirement_answers_are_told_apart(fake, fault, kind, words):
    fake.set_faults(fault)
    with pytest.raises(kind, match=words):
        api.rest("GET", VOLUMES)
    assert len(fake.requests) == 1  # none of these is worth a second try


def test_a_wrong_key_gets_one_line_without_the_key(fake, monkeypatch, capsys):
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_WRONG_KEY_0000")
    assert api.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 401" in err and "rpa_WRONG" not in err


@pytest.mark.parametrize("status", ["500", "502", "503", "504", "520", "522", "524", "408"])
def test_reads_outlive_server_errors_and_cloudflare_pages(fake, waits, status):
    fake.set_faults(f"rest:{status}x3")
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}
    assert waits == [1.0, 2.0, 4.0]  # backoff between the four tries


def test_a_read_that_never_succeeds_ends_in_one_clear_sentence(fake, waits):
    fake.set_faults("rest:503x*")
    with pytest.raises(errors.Unavailable, match="混み合っているか障害中です（HTTP 503）"):
        api.rest("GET", VOLUMES)
    assert len(fake.requests) == api.RETRIES + 1


def test_an_answer_cut_short_is_read_again(fake, waits):
    fake.set_faults("rest:truncated")
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}


def test_an_answer_always_cut_short_is_explained(fake, waits):
    fake.set_faults("rest:truncatedx*")
    with pytest.raises(errors.Unavailable, match="途中で切れていました"):
        api.rest("GET", VOLUMES)


@pytest.mark.parametrize("fault", ["rest:html200", "rest:htmlx*"])
def test_a_web_page_instead_of_json_is_explained(fake, waits, fault):
    fake.set_faults(fault)
    with pytest.raises(errors.ApiError) as refused:
        api.rest("GET", VOLUMES)
    assert "HTML" in str(refused.value) or "障害中" in str(refused.value)


def test_a_429_waits_as_asked_and_says_so(fake, waits, capsys):
    fake.set_faults("rest:429=7")
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}
    assert waits == [7.0]
    err = capsys.readouterr().err
    assert "HTTP 429" in err and "7 秒待ってからもう一度試します" in err


def test_a_long_wait_is_counted_down(fake, waits, capsys):
    fake.set_faults("rest:429=25")
    api.rest("GET", VOLUMES)
    assert waits == [10.0, 10.0, 5.0]
    assert "あと 15 秒" in capsys.readouterr().err


def test_a_429_asking_for_hours_stops_at_once(fake, waits):
    fake.set_faults("rest:429=99999")
    with pytest.raises(errors.RateLimited, match="99999 秒待つよう求められました"):
        api.rest("GET", VOLUMES)
    assert waits == [] and len(fake.requests) == 1


@pytest.mark.parametrize("kind", ["429_malformed", "429_negative", "429_missing"])
def test_a_429_without_a_usable_retry_after_backs_off_on_its_own(fake, waits, kind):
    fake.set_faults(f"rest:{kind}")
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}
    assert len(waits) == 1 and 0 < waits[0] <= api.RETRY_AFTER_CAP


def test_retry_after_as_an_http_date(fake, waits):
    fake.set_faults("rest:429_date")
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}
    assert len(waits) == 1 and 0 < waits[0] <= api.RETRY_AFTER_CAP


def test_retry_after_parsing():
    class Answer:
        def __init__(self, value):
            self.headers = {} if value is None else {"Retry-After": value}

    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    assert api.retry_after(Answer("12"), default=3) == 12
    assert 28 <= api.retry_after(Answer(soon), default=3) <= 31
    for odd in (None, "", "soon", "-5", "1.5e3", past):
        assert api.retry_after(Answer(odd), default=3) == 3


def test_429s_that_never_end_stop(fake, waits):
    fake.set_faults("rest:429=1x*")
    with pytest.raises(errors.RateLimited):
        api.rest("GET", VOLUMES)
    assert len(waits) == api.RATE_LIMIT_WAITS


def test_an_unreachable_api_is_explained(fake, monkeypatch, waits):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", "http://127.0.0.1:9")  # discard: nothing listens
    with pytest.raises(errors.Unavailable, match="接続できないか"):
        api.rest("GET", VOLUMES)


def test_runpods_detail_is_shown(fake):
    with pytest.raises(errors.NotFound, match="Runpod: "):
        api.rest("GET", "/v2/network-volumes/nosuchvolume")


def test_a_path_the_fake_does_not_serve_is_not_taken_for_not_found(fake):
    with pytest.raises(errors.ApiError) as refused:
        api.rest("GET", "/v2/clusters")
    assert refused.value.status == 501 and not isinstance(refused.value, errors.NotFound)


def test_requests_introduce_the_guide_not_a_bare_library(fake, monkeypatch):
    seen = []
    original = api.session

    def watched():
        http = original()
        seen.append(http.headers["User-Agent"])
        return http

    monkeypatch.setattr(api, "session", watched)
    api.rest("GET", VOLUMES)
    assert seen and seen[0].startswith("runpod-kaggle-guide/") and "urllib" not in seen[0]


def test_a_trailing_slash_in_the_base_url_is_fine(fake, monkeypatch):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", fake.url + "/")
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}


def test_the_recommended_config_is_the_toml_file():
    recommended = api.load_recommended()
    assert recommended["image"]["name"].startswith("runpod/pytorch:")
    assert recommended["pod"]["volume_mount_path"] == "/workspace"


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        api.main(["--help"])
    assert "API キー" in capsys.readouterr().out


def test_no_snippet_imports_the_sdk_or_speaks_graphql():
    """The released SDK speaks GraphQL, which Runpod retires: nothing under snippets/ may
    load it, and no snippet names the GraphQL or REST v1 addresses."""
    probe = (
        "import sys, importlib, pkgutil, snippets\n"
        "for m in pkgutil.iter_modules(snippets.__path__):\n"
        "    importlib.import_module('snippets.' + m.name)\n"
        "print('runpod' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
    for path in (ROOT / "snippets").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".sh", ".toml"):
            text = path.read_text(encoding="utf-8")
            assert "/graphql" not in text and "rest.runpod.io" not in text, path


def test_a_read_that_times_out_is_read_again(fake, monkeypatch, waits):
    monkeypatch.setenv("SNIPPETS_READ_TIMEOUT", "0.5")
    fake.set_faults("timeout:rest=3")  # the first answer comes after the reader gave up
    assert api.rest("GET", VOLUMES) == {"networkVolumes": []}
    assert waits == [1.0]


def test_retry_after_as_a_date_without_a_zone_is_not_trusted():
    class Answer:
        headers = {"Retry-After": "Wed, 21 Oct 2026 07:28:00 -0000"}  # no zone: naive

    assert api.retry_after(Answer(), default=3) == 3
