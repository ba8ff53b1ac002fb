"""What several hooks need: where a file is (for messages), theme partials, config values.

Hooks import this module as `import _common`: MkDocs puts a hook's folder on sys.path while
it loads the hook (mkdocs.config.config_options.Hooks._load_hook), and site_hooks/__init__.py
registers the same module under that name when tests import a hook as `site_hooks.<name>`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError


def project_root(config: MkDocsConfig) -> Path:
    """The folder that holds mkdocs.yml."""
    return Path(config.config_file_path or "mkdocs.yml").resolve().parent


def source_path(path: str | Path | None, config: MkDocsConfig) -> str:
    """A file's path relative to the project, for build messages."""
    if not path:  # a page that a plugin generated has no source file
        return "(generated page)"
    root = os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))
    return Path(os.path.relpath(path, root)).as_posix()


_envs: dict[int, tuple[Any, jinja2.Environment]] = {}


def _theme_env(theme: Any) -> jinja2.Environment:
    """One Jinja environment per theme object (a build, or a `mkdocs serve` rebuild)."""
    cached = _envs.get(id(theme))
    if cached is None or cached[0] is not theme:
        _envs.clear()
        cached = _envs[id(theme)] = (theme, theme.get_env())
    return cached[1]


def render_partial(config: MkDocsConfig, name: str, **context: Any) -> str:
    """Render a template of the theme (docs/overrides/ first, then Material's) with `context`.

    The theme's environment does not autoescape: templates escape values with `| e`.
    """
    try:
        template = _theme_env(config.theme).get_template(name)
    except jinja2.TemplateNotFound:
        raise PluginError(f"theme template {name} is missing (docs/overrides/{name})") from None
    return template.render(config=config, **context)


def referral_settings(config: MkDocsConfig) -> dict[str, str]:
    """`extra.referral` from mkdocs.yml, with every key the site needs."""
    referral = config.extra.get("referral") or {}
    missing = [key for key in ("url", "short_path", "disclosure") if not referral.get(key)]
    if missing:
        raise PluginError(f"mkdocs.yml: extra.referral needs {', '.join(missing)}")
    return referral
