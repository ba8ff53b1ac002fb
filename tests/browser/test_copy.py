"""What a reader copies or downloads is the tested file itself.

"Byte for byte" here means: the clipboard text, encoded as UTF-8, equals snippets/setup.sh
except that the file's one final newline may be missing (Material copies the code block's
text, and the browser drops the trailing line break; shells and editors add it back). No
other byte may differ: not a blank line, tab, quote, backslash or non-ASCII character. The
download at /downloads/setup.sh must equal the file exactly, final newline included.
"""

from __future__ import annotations

import hashlib
from urllib.request import urlopen

from tests import ROOT

SETUP_SH = ROOT / "snippets" / "setup.sh"


def test_copy_button_copies_setup_sh(new_page, site_url):
    expected = SETUP_SH.read_bytes()
    assert expected.endswith(b"\n"), "snippets/setup.sh should end with a newline"
    page = new_page(permissions=["clipboard-read", "clipboard-write"], search=False)
    page.goto(site_url + "tips/setup-script/")

    # The page shows the command first and the script in a collapsed block: open it, then
    # take the block whose text holds the script's own second line.
    page.locator("details summary", has_text="snippets/setup.sh").first.click()
    second_line = expected.decode("utf-8").splitlines()[1]
    blocks = page.locator(".md-typeset pre").filter(has_text=second_line)
    assert blocks.count() >= 1, "no code block on the page shows snippets/setup.sh"
    block = blocks.first
    block.hover()  # Material shows the copy button on hover
    block.locator("button[data-md-type='copy'], button.md-clipboard").first.click()

    copied = page.evaluate("navigator.clipboard.readText()").encode("utf-8")
    assert copied in (expected, expected[:-1]), first_difference(copied, expected)


def test_download_is_exact_copy(site_url):
    with urlopen(site_url + "downloads/setup.sh") as response:  # noqa: S310 (local server)
        served = response.read()
    expected = SETUP_SH.read_bytes()
    assert hashlib.sha256(served).hexdigest() == hashlib.sha256(expected).hexdigest(), (
        first_difference(served, expected)
    )


def first_difference(got: bytes, want: bytes) -> str:
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            return (
                f"first difference at byte {i}: got {got[i : i + 40]!r}, want {want[i : i + 40]!r}"
            )
    return f"lengths differ: got {len(got)} bytes, want {len(want)}"
