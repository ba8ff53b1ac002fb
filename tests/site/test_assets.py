"""Downloads, page sizes and the gzip server."""

import gzip

from scripts.sitecheck.site_server import serve_site
from tests.site.pages import PROJECT, fetch, html_files

PAGE_BUDGET_BYTES = 150_000  # the budget for one built HTML page (notebook pages included)


def test_setup_sh_download_is_the_tested_file_byte_for_byte(built_site):
    assert (built_site / "downloads/setup.sh").read_bytes() == (
        PROJECT / "snippets/setup.sh"
    ).read_bytes()


def test_server_sends_setup_sh_gzipped_and_intact(site_server):
    status, headers, body = fetch(site_server + "downloads/setup.sh", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (PROJECT / "snippets/setup.sh").read_bytes()


def test_server_gzips_pages_like_github_pages(site_server, built_site):
    status, headers, body = fetch(site_server, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (built_site / "index.html").read_bytes()
    status, headers, body = fetch(site_server)  # a client without gzip gets plain bytes
    assert "Content-Encoding" not in headers and body == (built_site / "index.html").read_bytes()


def test_server_compresses_a_file_once_but_sends_a_changed_file_anew(tmp_path):
    (tmp_path / "index.html").write_text("first build", encoding="utf-8")
    (tmp_path / "404.html").write_text("missing", encoding="utf-8")
    with serve_site(tmp_path) as url:
        for _ in range(2):
            assert gzip.decompress(fetch(url, {"Accept-Encoding": "gzip"})[2]) == b"first build"
        (tmp_path / "index.html").write_text("the next build, longer", encoding="utf-8")
        body = gzip.decompress(fetch(url, {"Accept-Encoding": "gzip"})[2])
        assert body == b"the next build, longer"


def test_server_maps_the_site_url_path_and_serves_404(site_server, built_site):
    status, _, body = fetch(site_server + "guide/")
    assert status == 200 and body == (built_site / "index.html").read_bytes()
    status, _, body = fetch(site_server + "no-such-page/")
    assert status == 404 and body == (built_site / "404.html").read_bytes()


def test_every_built_page_is_within_the_size_budget(built_site):
    pages = html_files(built_site)
    assert len(pages) > 10
    too_big = {
        str(page.relative_to(built_site)): page.stat().st_size
        for page in pages
        if page.stat().st_size > PAGE_BUDGET_BYTES
    }
    assert too_big == {}, f"pages over {PAGE_BUDGET_BYTES} bytes: {too_big}"
