"""The fake's code stays within the code-shape budgets (no module over 300 lines, no function
over 60): the same measure as scripts/code_shape.py."""

from __future__ import annotations

from scripts.code_shape import over_budget
from tests import ROOT


def test_no_module_or_function_of_the_fake_is_over_budget():
    modules = sorted((ROOT / "fake_runpod").rglob("*.py"))
    assert len(modules) > 20
    assert [line for path in modules for line in over_budget(path)] == []
