"""snippets/TESTED_BY.toml: every snippet names the tests that run it, and they exist.

The build fails on a snippet without an entry (site_hooks/tested_by.py; the failing build
itself is shown in tests/site/test_bad_input.py). Here: the real map is complete, every test
it (or scripts/mutants.toml) names is one pytest collects, the entry the build's message
suggests is one the build accepts, and entries that say nothing are refused.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from scripts import mutants
from site_hooks import tested_by
from tests import ROOT

NODE_ID = re.compile(r"^(tests/\S+?\.py::\S+?)(?:\[.*\])?$")


def id_of(node_id: str) -> str | None:
    """FILE::FUNCTION of a pytest node id (parameters dropped), None for other lines."""
    match = NODE_ID.match(node_id)
    return match[1] if match else None


def collected_in_this_run(config: pytest.Config, items: list[pytest.Item]) -> set[str]:
    """The test ids of the files this run collected whole: every test of such a file is in
    `items` (each pytest-xdist worker collects all of them). Empty when the run picked tests
    by name, keyword, marker or deselection: then a file's other tests are not there."""
    option = config.option
    if (
        option.keyword
        or option.markexpr
        or getattr(option, "deselect", None)
        or getattr(option, "lf", False)
        or any("::" in arg for arg in config.args)
    ):
        return set()
    return {name for item in items if (name := id_of(item.nodeid))}


def collected_test_ids(files: set[str], known: set[str] = frozenset()) -> set[str]:
    """FILE::FUNCTION of every test pytest collects from these files: from `known` for the
    files it covers, by a `pytest --collect-only` of the others (it takes seconds)."""
    seen = {name.split("::")[0] for name in known}
    others = sorted(files - seen)
    if not others:
        return set(known)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *others],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return set(known) | {name for line in done.stdout.splitlines() if (name := id_of(line))}


def named_tests(mapping: dict) -> set[str]:
    return {test for entry in mapping.values() for test in entry["tests"]}


def test_every_snippet_has_a_complete_entry():
    problems = tested_by.problems(ROOT)
    assert not problems, "\n\n".join(problems)
    mapped = tested_by.load(ROOT)
    assert set(mapped) == set(tested_by.snippet_files(ROOT))
    assert len(mapped) > 30  # the walk found the snippets


def test_every_test_the_maps_name_is_collected(request):
    """This map's tests and scripts/mutants.toml's, among those this run collected (or, for
    files it did not collect whole, those a separate collection finds)."""
    names = named_tests(tested_by.load(ROOT)) | {t for m in mutants.load() for t in m.tests}
    known = collected_in_this_run(request.config, request.session.items)
    collected = collected_test_ids({name.split("::")[0] for name in names}, known)
    assert len(collected) > len(names)  # collection found the files' other tests too
    missing = sorted(names - collected)
    assert not missing, "named in a map, but pytest collects no such test:\n" + "\n".join(missing)


def project(tmp_path: Path, map_text: str, *snippets: str) -> Path:
    for name in snippets:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("echo hi\n", encoding="utf-8")
    (tmp_path / tested_by.MAP).write_text(map_text, encoding="utf-8")
    return tmp_path


def test_the_entry_the_message_suggests_is_one_the_build_accepts(tmp_path):
    root = project(tmp_path, "", "snippets/commands/new-thing.sh", "snippets/__init__.py")
    (message,) = tested_by.problems(root)  # __init__.py and the map itself need no entry
    assert message.startswith(
        "snippets/commands/new-thing.sh is run by no test named in "
        "snippets/TESTED_BY.toml. Add an entry for it:"
    )
    suggested = message.split("\n\n", 1)[1]
    assert suggested.startswith('["snippets/commands/new-thing.sh"]\ntests = ["tests/')
    entry = tomllib.loads(suggested)["snippets/commands/new-thing.sh"]
    assert entry["tests"] == ["tests/snippets/test_new_thing.py::test_what_the_reader_is_promised"]
    (root / tested_by.MAP).write_text(suggested, encoding="utf-8")
    assert tested_by.problems(root) == []


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ('tests = []\nasserts = "x"', "needs tests = "),
        ('asserts = "x"', "needs tests = "),
        ('tests = ["tests/snippets/test_a.py"]\nasserts = "x"', "is not tests/FILE.py::test_name"),
        ('tests = ["snippets/a.sh::test_a"]\nasserts = "x"', "is not tests/FILE.py::test_name"),
        ('tests = ["tests/snippets/test_a.py::test_a"]', "needs asserts = "),
        ('tests = ["tests/snippets/test_a.py::test_a"]\nasserts = " "', "needs asserts = "),
        (
            'tests = ["tests/snippets/test_a.py::test_a"]\nasserts = "x"\nwhy = "y"',
            "unknown keys: why",
        ),
    ],
    ids=[
        "empty tests",
        "no tests",
        "no function",
        "not a test file",
        "no asserts",
        "blank asserts",
        "unknown key",
    ],
)
def test_an_entry_that_says_nothing_is_refused(tmp_path, entry, says):
    root = project(tmp_path, f'["snippets/a.sh"]\n{entry}\n', "snippets/a.sh")
    (problem,) = tested_by.problems(root)
    assert problem.startswith('snippets/TESTED_BY.toml: ["snippets/a.sh"]') and says in problem


def test_a_map_that_is_not_toml_fails_the_build_naming_it(tmp_path):
    root = project(tmp_path, '["snippets/a.sh"\n', "snippets/a.sh")
    with pytest.raises(tested_by.PluginError, match=r"^snippets/TESTED_BY\.toml: "):
        tested_by.problems(root)


def run_config(*args: str, keyword: str = "", deselect: tuple = ()) -> SimpleNamespace:
    option = SimpleNamespace(keyword=keyword, markexpr="", deselect=list(deselect), lf=False)
    return SimpleNamespace(option=option, args=list(args))


def test_the_tests_a_run_collected_whole_need_no_second_collection(monkeypatch):
    items = [
        SimpleNamespace(nodeid="tests/a.py::test_x[1]"),
        SimpleNamespace(nodeid="tests/a.py::TestY::test_z"),
    ]
    known = collected_in_this_run(run_config("tests"), items)
    assert known == {"tests/a.py::test_x", "tests/a.py::TestY::test_z"}
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("collected again"))
    assert collected_test_ids({"tests/a.py"}, known) == known


@pytest.mark.parametrize(
    "config",
    [
        run_config("tests/a.py::test_x"),
        run_config("tests", keyword="x"),
        run_config("tests", deselect=("tests/a.py::test_w",)),
    ],
    ids=["by name", "by keyword", "deselected"],
)
def test_a_run_that_picked_tests_is_not_taken_for_whole_files(config):
    items = [SimpleNamespace(nodeid="tests/a.py::test_x")]
    assert collected_in_this_run(config, items) == set()
