"""The real site builds strictly, and every page in the nav renders with its metadata."""

import re

import pytest

from tests.site.pages import built_path, load_config, nav_pages, soup_of

CONFIG = load_config()
NAV = nav_pages(CONFIG)

# The chapters and stories of the author's draft (shared/seed), and where each one lives.
DRAFT_CHAPTERS = [
    ("はじめに", "intro.md", r"はじめに"),
    ("Runpodとは", "runpod.md", r"Runpod"),
    ("Storage", "storage.md", r"ストレージ|Storage"),
    ("Podのデプロイ", "pod.md", r"Pod.*デプロイ|デプロイ.*Pod"),
    ("Tips: 作業場所", "tips/workspace.md", r"/workspace"),
    ("Tips: Python環境", "tips/python-env.md", r"Python"),
    ("Tips: VS Code", "tips/vscode.md", r"VS ?Code"),
    ("Tips: セットアップスクリプト", "tips/setup-script.md", r"setup\.sh"),
    ("Tips: Secrets", "tips/secrets.md", r"Secrets?"),
    ("Tips: GCS", "tips/storage-cost.md", r"GCS|Google Cloud Storage"),
    ("実用例: 飛行機雲コンペ", "stories.md", r"飛行機雲"),
    ("実用例: LLM 20 Questions", "stories.md", r"20 ?Questions"),
    ("まとめ", "summary.md", r"まとめ"),
    ("片付け", "cleanup.md", r"片付け"),
    ("トラブルシューティング", "troubleshooting.md", r"トラブルシューティング"),
]
PLACEHOLDER = "準備中"
MIN_CHAPTER_CHARS = 800  # a chapter, not a stub (the shortest real one has ~1500)
JAPANESE = r"[\u3040-\u30ff\u4e00-\u9fff]"


def test_strict_build_has_no_warnings(site_build):
    warnings = [line for line in site_build.log.splitlines() if "WARNING" in line]
    assert warnings == []
    assert (site_build.site / "index.html").is_file()


@pytest.mark.parametrize("source", sorted(NAV))
def test_nav_page_renders_with_title_and_metadata(built_site, source):
    page = built_site / built_path(source)
    assert page.is_file(), f"{source} was not built ({page})"
    soup = soup_of(page)

    h1 = soup.select_one("article h1")
    assert h1 is not None and h1.get_text(strip=True), f"{source}: no H1"

    description = soup.find("meta", attrs={"name": "description"})
    assert description and description["content"].strip(), f"{source}: no meta description"
    assert description["content"] != CONFIG["site_description"], (
        f"{source}: the meta description is the site's default, not the page's own"
    )

    og = {tag["property"]: tag["content"] for tag in soup.find_all("meta", property=True)}
    assert og.get("og:title", "").strip()
    assert og.get("og:description") == description["content"]
    assert og.get("og:url", "").startswith(CONFIG["site_url"])
    assert og.get("og:type") in {"website", "article"}
    assert og.get("og:locale") == "ja_JP"
    assert og.get("og:site_name") == CONFIG["site_name"]
    assert og.get("og:image") == CONFIG["site_url"] + "assets/images/social-card.png"
    assert og.get("og:image:width") == "1200" and og.get("og:image:height") == "630"
    twitter = {tag["name"]: tag["content"] for tag in soup.find_all("meta", attrs={"name": True})}
    assert twitter["twitter:card"] == "summary_large_image"
    assert twitter["twitter:image"] == og["og:image"]
    assert twitter["twitter:title"] == og["og:title"]
    assert soup.html["lang"] == "ja"


def test_social_card_is_a_1200x630_png(built_site):
    from PIL import Image

    with Image.open(built_site / "assets/images/social-card.png") as card:
        assert card.format == "PNG" and card.size == (1200, 630)
        assert len(card.getcolors(maxcolors=1 << 16) or []) > 2, "the card is blank"


def test_japanese_headings_keep_japanese_ids(built_site):
    """pymdownx.slugs keeps Japanese in heading ids, so links to a section read naturally."""
    japanese_headings = 0
    for source in NAV:
        for heading in soup_of(built_site / built_path(source)).select("article h2, article h3"):
            text = heading.get_text(strip=True)
            if re.search(JAPANESE, text):
                japanese_headings += 1
                assert re.search(JAPANESE, heading.get("id", "")), f"{source}: {heading}"
    assert japanese_headings > 10


@pytest.mark.parametrize(
    ("chapter", "source", "pattern"), DRAFT_CHAPTERS, ids=[c[0] for c in DRAFT_CHAPTERS]
)
def test_every_draft_chapter_is_on_the_site(built_site, chapter, source, pattern):
    assert source in NAV, f"{chapter}: {source} is not in the nav"
    article = soup_of(built_site / built_path(source)).select_one("article")
    text = article.get_text(" ", strip=True)
    assert re.search(pattern, NAV[source] + " " + text), f"{chapter}: not found in {source}"
    assert PLACEHOLDER not in text, f"{chapter}: {source} is still a placeholder"
    assert len(text) > MIN_CHAPTER_CHARS, f"{chapter}: {source} has only {len(text)} characters"


def test_code_blocks_carry_no_markup_per_line(built_site):
    """Long files stay cheap: no span and anchor per line for Material's scripts to walk
    (pymdownx.highlight line_spans / anchor_linenums); only Pygments' token spans remain."""
    page = built_site / "tips/setup-script/index.html"
    html = page.read_text(encoding="utf-8")
    assert "__codelineno" not in html and 'id="__span-' not in html
    blocks = soup_of(page).select("div.highlight pre > code")
    assert blocks, "the setup script page shows no code"
    for code in blocks:
        assert not code.find("a"), "a code block holds links (line anchors)"
