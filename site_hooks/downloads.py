"""Publish snippets/setup.sh at downloads/setup.sh, byte for byte.

Readers fetch it from this stable URL on every new pod (snippets/commands/setup-download.sh),
so the file served must be exactly the one the tests ran.
"""

from __future__ import annotations

import os
import shutil

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

DOWNLOADS = {"snippets/setup.sh": "downloads/setup.sh"}


def on_post_build(*, config: MkDocsConfig) -> None:
    root = _common.project_root(config)
    for source, target in DOWNLOADS.items():
        source_path = os.path.join(root, source)
        if not os.path.isfile(source_path):
            raise PluginError(f"{source} is missing: the site publishes it as {target}")
        target_path = os.path.join(config.site_dir, target)
        os.makedirs(os.path.dirname(target_path), exist_ok=True)
        shutil.copyfile(source_path, target_path)
