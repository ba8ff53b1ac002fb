"""Fail the build when a file under snippets/ has no entry in snippets/TESTED_BY.toml.

Every command, script and config a reader copies is a file under snippets/, and the map
names, for each one, the tests that run it and what they check for the reader. A new
snippet without an entry, an entry for a file that is gone, or an entry without tests or
without what they assert stops the build, and the message shows the entry to add.
Whether each named test exists is pytest's to say: tests/test_tested_by.py collects them.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

MAP = "snippets/TESTED_BY.toml"
# Not snippets a reader copies: the package marker, and the map itself.
NOT_SNIPPETS = {"snippets/__init__.py", MAP}
TEMPLATE = """{key}
tests = ["tests/snippets/test_{stem}.py::test_what_the_reader_is_promised"]
asserts = "what those tests check for the reader, in one sentence\""""


def key(name: str) -> str:
    """The TOML table header of a snippet's entry: ["snippets/x.sh"]."""
    return f"[{json.dumps(name)}]"


def snippet_files(root: Path) -> list[str]:
    """Every file under snippets/ (as "snippets/..."), caches and the map left out."""
    found = []
    for path in sorted((root / "snippets").rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and name not in NOT_SNIPPETS:
            found.append(name)
    return found


def load(root: Path) -> dict[str, dict]:
    path = root / MAP
    if not path.is_file():
        raise PluginError(f"{MAP} is missing: it names the tests that run each snippet")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PluginError(f"{MAP}: {error}") from None


def entry_problems(name: str, entry: object) -> list[str]:
    """What is wrong with one entry: no tests, a test not named FILE::FUNCTION, no asserts.
    (Whether each named test exists is for pytest to say: tests/test_tested_by.py.)"""
    if not isinstance(entry, dict):
        return [f"{MAP}: {key(name)} must be a table with `tests` and `asserts`"]
    problems = []
    tests = entry.get("tests")
    if not isinstance(tests, list) or not tests or not all(isinstance(t, str) for t in tests):
        problems.append(f'{MAP}: {key(name)} needs tests = ["tests/...py::test_name", ...]')
        tests = []
    for test in tests:
        file, _, function = test.partition("::")
        if not function or not file.startswith("tests/") or not file.endswith(".py"):
            problems.append(f"{MAP}: {key(name)} {test!r} is not tests/FILE.py::test_name")
    asserts = entry.get("asserts")
    if not isinstance(asserts, str) or not asserts.strip():
        problems.append(f'{MAP}: {key(name)} needs asserts = "what the tests check"')
    unknown = set(entry) - {"tests", "asserts"}
    if unknown:
        problems.append(f"{MAP}: {key(name)} has unknown keys: {', '.join(sorted(unknown))}")
    return problems


def problems(root: Path) -> list[str]:
    """Every snippet without an entry, every entry without a snippet, every bad entry."""
    mapped = load(root)
    files = snippet_files(root)
    found = []
    for name in files:
        if name not in mapped:
            stem = Path(name).stem.replace("-", "_")
            found.append(
                f"{name} is run by no test named in {MAP}. Add an entry for it:\n\n"
                + TEMPLATE.format(key=key(name), stem=stem)
                + "\n"
            )
    for name, entry in mapped.items():
        if name not in files:
            found.append(
                f"{MAP}: {key(name)} names a file that is not under snippets/: "
                "remove the entry or restore the file"
            )
        else:
            found += entry_problems(name, entry)
    return found


def on_pre_build(*, config: MkDocsConfig) -> None:
    found = problems(_common.project_root(config))
    if found:
        raise PluginError("\n".join(found))
