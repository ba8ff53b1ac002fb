"""What the browser tests need to know about the site: its pages and its config."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.site_pages import content_pages, is_redirect  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[2]
MKDOCS_YML = ROOT / "mkdocs.yml"


class _IgnoreTagsLoader(yaml.SafeLoader):
    """mkdocs.yml has !!python/name tags; the tests only read plain values from it."""


_IgnoreTagsLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_config() -> dict:
    return yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=_IgnoreTagsLoader)  # noqa: S506


def referral_url() -> str:
    return mkdocs_config()["extra"]["referral"]["url"]


def nav_pages() -> list[str]:
    """The nav of mkdocs.yml as site-relative paths, in reading order."""
    out: list[str] = []

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str) and not value.startswith("http"):
                path = value.rsplit(".", 1)[0]
                if path == "index":
                    out.append("")
                elif path.endswith("/index"):
                    out.append(path[: -len("index")])
                else:
                    out.append(path + "/")

    walk(mkdocs_config()["nav"])
    return out
