"""The size budgets (scripts/code_shape.py): snippets/, live/, site_hooks/, fake_runpod/,
scripts/ and scripts/sitecheck/, with the few known exceptions held to their size."""

from scripts import code_shape


def test_every_module_and_function_is_within_its_budget():
    problems = code_shape.problems()
    assert not problems, "\n".join(problems)
    walked = {path.relative_to(code_shape.ROOT).parts[0] for path in code_shape.modules()}
    assert walked == set(code_shape.PACKAGES)  # the walk found every package
    assert {"fake_runpod", "scripts"} <= walked


def long_module(tmp_path, function_lines: int, module_lines: int):
    package = tmp_path / "snippets"
    package.mkdir(exist_ok=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(function_lines - 1))
    text = "def too_long():\n" + body + "\n"
    path = package / "long.py"
    path.write_text(text + "\n" * (module_lines - len(text.splitlines())), encoding="utf-8")
    return path


def test_a_long_module_and_a_long_function_are_named(tmp_path):
    path = long_module(tmp_path, code_shape.MAX_FUNCTION_LINES + 1, code_shape.MAX_MODULE_LINES + 1)
    problems = code_shape.over_budget(path, root=tmp_path, known={})
    assert problems == [
        "snippets/long.py: 301 lines (budget 300)",
        "snippets/long.py:1 too_long(): 61 lines (budget 60)",
    ]


def test_a_known_exception_may_not_grow_and_must_leave_when_within_budget(tmp_path):
    known = {"snippets/long.py": 320, "snippets/long.py:too_long()": 70}
    path = long_module(tmp_path, 70, 320)
    assert code_shape.over_budget(path, root=tmp_path, known=known) == []
    path = long_module(tmp_path, 71, 321)
    assert code_shape.over_budget(path, root=tmp_path, known=known) == [
        "snippets/long.py: 321 lines (budget 300, grown from 320)",
        "snippets/long.py:1 too_long(): 71 lines (budget 60, grown from 70)",
    ]
    path = long_module(tmp_path, 60, 300)
    problems = code_shape.over_budget(path, root=tmp_path, known=known)
    assert len(problems) == 2
    assert all("within budget now: remove it from KNOWN_OVER" in line for line in problems)


def test_an_exception_for_code_that_is_gone_must_leave_the_list(tmp_path):
    long_module(tmp_path, 10, 20)
    known = {"snippets/long.py:too_long()": 70, "snippets/gone.py": 400}
    assert code_shape.problems(tmp_path, known) == [
        "snippets/long.py:1 too_long(): 10 lines, within budget now: remove it from KNOWN_OVER "
        "in scripts/code_shape.py",
        "snippets/gone.py: no longer exists: remove it from KNOWN_OVER in scripts/code_shape.py",
    ]
