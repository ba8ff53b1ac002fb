"""Fail the build when a page has no meta description.

Material renders `page.meta.description` as <meta name="description">, and the Open Graph
tags in docs/overrides/main.html reuse it. Markdown pages give it in front matter;
notebooks (mkdocs-jupyter) give it as the notebook-level metadata key "description".
"""

import json
import os

from mkdocs.exceptions import PluginError


def on_page_markdown(markdown, page, config, files):
    is_notebook = page.file.src_uri.endswith(".ipynb")
    if is_notebook:
        description = json.loads(markdown).get("metadata", {}).get("description")
        if description:
            page.meta["description"] = description
    description = page.meta.get("description")
    if not isinstance(description, str) or not description.strip():
        where = 'notebook metadata "description"' if is_notebook else "front matter `description:`"
        source = os.path.relpath(page.file.abs_src_path, os.path.dirname(config.config_file_path))
        raise PluginError(f"{source}: the page has no meta description ({where} is required)")
    return markdown
