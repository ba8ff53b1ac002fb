"""mkdocs.yml keeps the site's promises: theme, Japanese, no other hosts, code handling."""

from tests.site.pages import load_config, nav_pages

CONFIG = load_config()
SITE_HOOKS = [
    "site_hooks/description.py",
    "site_hooks/code_fences.py",
    "site_hooks/referral.py",
    "site_hooks/go_page.py",
    "site_hooks/downloads.py",
    "site_hooks/social_card.py",
    "site_hooks/diagrams.py",
    "site_hooks/notebook_search.py",
    "site_hooks/search_ja.py",
    "site_hooks/verified.py",
]


def extension(name):
    for item in CONFIG["markdown_extensions"]:
        if item == name:
            return {}
        if isinstance(item, dict) and name in item:
            return item[name] or {}
    raise AssertionError(f"markdown extension {name} is not configured")


def plugin(name):
    for item in CONFIG["plugins"]:
        if item == name:
            return {}
        if isinstance(item, dict) and name in item:
            return item[name] or {}
    raise AssertionError(f"plugin {name} is not configured")


def test_theme_is_material_in_japanese_without_font_requests():
    theme = CONFIG["theme"]
    assert theme["name"] == "material"
    assert theme["language"] == "ja"
    assert theme["font"] is False  # Material would otherwise load Google Fonts
    assert {
        "navigation.instant",
        "content.code.copy",
        "content.code.annotate",
        "content.tabs.link",
    } <= set(theme["features"])
    schemes = {entry["scheme"] for entry in theme["palette"]}
    assert schemes == {"default", "slate"}
    assert all(entry["toggle"]["name"] for entry in theme["palette"])  # a labelled toggle


def test_site_url_and_descriptions():
    assert CONFIG["site_url"].startswith("https://") and CONFIG["site_url"].endswith("/")
    assert CONFIG["site_description"].strip()


def test_code_comes_from_files_and_diagrams_from_fences():
    assert extension("pymdownx.snippets")["check_paths"] is True
    fences = extension("pymdownx.superfences")["custom_fences"]
    assert any(fence["name"] == "mermaid" and fence["class"] == "mermaid" for fence in fences)
    assert "slugify" in extension("toc") and "slugify" in extension("pymdownx.tabbed")
    # No per-line spans or anchors: Material's scripts would walk every line of long files.
    highlight = extension("pymdownx.highlight")
    assert not highlight.get("line_spans") and not highlight.get("anchor_linenums")
    assert plugin("mkdocs-jupyter")["execute"] is False
    assert plugin("search")["lang"] == "ja"


def test_build_is_strict_and_checks_links_and_anchors():
    assert CONFIG["strict"] is True
    validation = CONFIG["validation"]
    assert validation["anchors"] == "warn"
    assert validation["unrecognized_links"] == "warn"
    assert validation["omitted_files"] == "warn"


def test_site_hooks_are_registered_and_referral_settings_exist():
    assert [hook for hook in CONFIG["hooks"] if hook in SITE_HOOKS] == SITE_HOOKS
    referral = CONFIG["extra"]["referral"]
    assert referral["url"].startswith("https://runpod.io?ref=")
    assert referral["short_path"].endswith("/")
    assert "3%" in referral["disclosure"] and "6か月" in referral["disclosure"]


def test_nav_names_existing_sources():
    from tests.site.pages import PROJECT

    for source in nav_pages(CONFIG):
        assert (PROJECT / CONFIG.get("docs_dir", "docs") / source).is_file(), source
