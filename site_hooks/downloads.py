"""Publish snippets/setup.sh at downloads/setup.sh, byte for byte, with its SHA-256.

Readers fetch it from this stable URL on every new pod (snippets/commands/setup-download.sh),
so the file served must be exactly the one the tests ran. The download command carries the
file's SHA-256 and refuses any other file; downloads/setup.sh.sha256 publishes the same value
in `sha256sum --check` form.
"""

from __future__ import annotations

import hashlib
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
        with open(source_path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        with open(target_path + ".sha256", "w", encoding="utf-8") as handle:
            handle.write(f"{digest}  {os.path.basename(target)}\n")
