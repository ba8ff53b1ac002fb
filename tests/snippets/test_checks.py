"""snippets/checks.py: what a reader typed, refused before anything is sent."""

import pytest

from snippets import checks
from snippets.cli import SnippetError


@pytest.mark.parametrize(
    "value",
    ['a"b', "a\\b", "a\nb", "a\rb", "{x}", "}", "{{ RUNPOD_SECRET_x }", "{{ OTHER_x }}"],
)
def test_unsafe_text_is_refused(value):
    with pytest.raises(SnippetError, match="使えない文字"):
        checks.check_text("値", value)


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "with space/and-dash",
        "日本語の名前",
        "{{ RUNPOD_SECRET_kaggle_api_token }}",
        "x{{RUNPOD_SECRET_a.b}}y",
    ],
)
def test_safe_text_and_secret_references_pass(value):
    assert checks.check_text("値", value) == value


def test_undecodable_bytes_are_refused():
    # what Python makes of the byte 0xff on a command line (surrogateescape)
    with pytest.raises(SnippetError, match="UTF-8 の文字として読めないバイト"):
        checks.check_text("ボリューム名", "data\udcff")


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "が空です"), ("   ", "が空です"), (" data", "前後に空白"), ("data ", "前後に空白")],
)
def test_blank_names_and_names_with_spaces_around_are_refused(value, message):
    with pytest.raises(SnippetError, match=message):
        checks.check_name("ボリューム名", value)


def test_a_good_name_passes():
    assert checks.check_name("ボリューム名", "kaggle data") == "kaggle data"


@pytest.mark.parametrize("value", ["", "a b", "a/b", 'a"', "\x1b[31m"])
def test_bad_ids_are_refused(value):
    with pytest.raises(SnippetError, match="形が正しくありません") as refused:
        checks.check_id("ID", value)
    assert "\x1b" not in str(refused.value)


def test_shown_text_cannot_drive_the_terminal():
    assert checks.shown("ok\x1b[2J\x07\udcff") == "ok\\x1b[2J\\x07\\udcff"
    assert checks.shown("日本語") == "日本語"


@pytest.mark.parametrize("value", ["pa$$", 'say "hi"', "`id`", "a\\b", "two\nlines", "tab\there"])
def test_env_values_that_rp_environment_would_mangle_are_refused(value):
    with pytest.raises(SnippetError, match="/etc/rp_environment"):
        checks.check_env_value("値", value)


@pytest.mark.parametrize(
    "value", ["plain", "日本語", "{{ RUNPOD_SECRET_kaggle_api_token }}", "a=b,c;d", "x y"]
)
def test_env_values_that_survive_rp_environment_pass(value):
    assert checks.check_env_value("値", value) == value
