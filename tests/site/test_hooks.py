"""The shape of the site hooks: typed, keyword-only event handlers as in Material's own hooks,
markup in theme templates rather than Python strings, one shared helper module that imports
the same way under `mkdocs build`, `mkdocs serve` and the tests."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys

import pytest

from tests.site.pages import PROJECT

HOOKS = sorted(
    path for path in (PROJECT / "site_hooks").glob("*.py")
    if not path.name.startswith("_")
)
# Events MkDocs calls with the item positionally (config, markdown, html...).
POSITIONAL = {"on_config": 1, "on_page_markdown": 1, "on_page_content": 1, "on_post_page": 1,
              "on_post_template": 1, "on_page_context": 1, "on_nav": 1, "on_files": 1,
              "on_env": 1}
MARKUP = re.compile(r"<(?:p|strong|figure|figcaption|html|meta|style|!doctype|time)[\s>]", re.I)


def events(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("on_")]


@pytest.mark.parametrize("path", HOOKS, ids=[p.name for p in HOOKS])
def test_events_are_typed_and_keyword_only(path):
    for event in events(path):
        args = event.args
        positional = args.posonlyargs + args.args
        assert len(positional) == POSITIONAL.get(event.name, 0), (
            f"{path.name}: {event.name} takes {len(positional)} positional arguments"
        )
        for arg in positional + args.kwonlyargs:
            assert arg.annotation is not None, f"{path.name}: {event.name}({arg.arg}) untyped"
        assert event.returns is not None, f"{path.name}: {event.name} has no return type"


def strings_built(path) -> list[ast.Constant]:
    """String constants a hook could put on a page: not docstrings, not regex patterns."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile":
            skipped.update(id(arg) for arg in node.args)  # re.compile(pattern)
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in skipped]


@pytest.mark.parametrize("path", HOOKS, ids=[p.name for p in HOOKS])
def test_markup_lives_in_templates(path):
    for node in strings_built(path):
        assert not MARKUP.search(node.value), (
            f"{path.name}:{node.lineno}: HTML in a Python string ({node.value[:40]!r}); put it "
            "in docs/overrides/partials/"
        )


def test_comments_say_nothing_about_owners():
    for path in (PROJECT / "site_hooks").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\((?:owner|gates|live|site)\b[:)]", text), path.name
        assert "cannot import a sibling" not in text, path.name


def test_hooks_import_the_shared_helper_the_way_mkdocs_loads_them():
    """MkDocs loads a hook by path with its folder on sys.path; `import _common` must work
    there (a fresh interpreter, as `mkdocs build` starts) and under the tests alike."""
    code = (
        "from mkdocs.config.config_options import Hooks\n"
        "hooks = Hooks('plugins')\n"
        "module = hooks._load_hook('site_hooks/go_page.py', 'site_hooks/go_page.py')\n"
        "import _common, sys\n"
        "assert module._common is _common\n"
        "print(sys.modules['_common'].__file__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("site_hooks/_common.py")
    from site_hooks import _common, go_page

    assert go_page._common is _common and inspect.getsourcefile(_common).endswith("_common.py")
