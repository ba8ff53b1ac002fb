"""Downloads, page sizes and the gzip server."""

import gzip
import urllib.request

from tests.site.pages import PROJECT, html_files

PAGE_BUDGET_BYTES = 150_000  # the budget for one built HTML page (notebook pages included)


def test_setup_sh_download_is_the_tested_file_byte_for_byte(built_site):
    assert (built_site / "downloads/setup.sh").read_bytes() == (
        PROJECT / "snippets/setup.sh"
    ).read_bytes()


def test_server_sends_setup_sh_gzipped_and_intact(site_server):
    request = urllib.request.Request(
        site_server + "downloads/setup.sh", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(response.read())
    assert body == (PROJECT / "snippets/setup.sh").read_bytes()


def test_server_maps_the_site_url_path_and_serves_404(site_server):
    with urllib.request.urlopen(site_server + "guide/") as response:
        assert b"<h1" in response.read()
    try:
        urllib.request.urlopen(site_server + "no-such-page/")
    except urllib.error.HTTPError as error:
        assert error.code == 404
        assert b"404" in error.read()
    else:
        raise AssertionError("a missing page must answer 404")


def test_every_built_page_is_within_the_size_budget(built_site):
    pages = html_files(built_site)
    assert len(pages) > 10
    too_big = {
        str(page.relative_to(built_site)): page.stat().st_size
        for page in pages
        if page.stat().st_size > PAGE_BUDGET_BYTES
    }
    assert too_big == {}, f"pages over {PAGE_BUDGET_BYTES} bytes: {too_big}"
