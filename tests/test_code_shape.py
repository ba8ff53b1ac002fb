"""The size budgets of snippets/, live/ and site_hooks/ (scripts/code_shape.py)."""

from scripts import code_shape


def test_every_module_and_function_is_within_its_budget():
    problems = [line for path in code_shape.modules() for line in code_shape.over_budget(path)]
    assert problems == []
    assert len(code_shape.modules()) > 20  # the walk found the packages


def test_a_long_module_and_a_long_function_are_named(tmp_path):
    package = tmp_path / "snippets"
    package.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(code_shape.MAX_FUNCTION_LINES))
    (package / "long.py").write_text(
        "def too_long():\n" + body + "\n" + "\n" * code_shape.MAX_MODULE_LINES, encoding="utf-8"
    )
    problems = code_shape.over_budget(package / "long.py", root=tmp_path)
    assert problems[0].startswith("snippets/long.py: ")
    assert "too_long(): 61 lines" in problems[1]

