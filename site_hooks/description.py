"""Fail the build when a page has no meta description.

Material renders `page.meta.description` as <meta name="description">, and the Open Graph
tags in docs/overrides/main.html reuse it. Markdown pages give it in front matter;
notebooks (mkdocs-jupyter) give it as the notebook-level metadata key "description".
"""

from __future__ import annotations

import json

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    is_notebook = page.file.src_uri.endswith(".ipynb")
    if is_notebook:
        description = json.loads(markdown).get("metadata", {}).get("description")
        if description:
            page.meta["description"] = description
    description = page.meta.get("description")
    if not isinstance(description, str) or not description.strip():
        where = 'notebook metadata "description"' if is_notebook else "front matter `description:`"
        raise PluginError(
            f"{_common.source_path(page.file.abs_src_path, config)}: the page has no meta "
            f"description ({where} is required)"
        )
    return markdown
