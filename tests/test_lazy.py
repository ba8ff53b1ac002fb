"""tests/lazy.py: a stand-in module loads on first use, never at collection, and
monkeypatch works on it as on the module itself."""

from __future__ import annotations

import sys

import pytest

from tests.lazy import lazy_module

NAME = "tests_lazy_example"  # a throwaway module, written by the fixture below


@pytest.fixture
def example(tmp_path, monkeypatch):
    (tmp_path / f"{NAME}.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, NAME, raising=False)
    return lazy_module(NAME)


def test_what_collection_probes_does_not_load_the_module(example):
    for probe in ("__wrapped__", "_mock_name", "__test__", "_pytestfixturefunction"):
        assert getattr(example, probe, None) is None
    assert NAME not in sys.modules


def test_the_first_attribute_read_loads_it(example):
    assert example.VALUE == 1
    assert NAME in sys.modules


def test_monkeypatch_restores_the_modules_own_values(example):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(example, "VALUE", 2)
        patch.setattr(example, "ADDED", 3, raising=False)
        assert (sys.modules[NAME].VALUE, sys.modules[NAME].ADDED) == (2, 3)
    module = sys.modules[NAME]
    assert module.VALUE == 1  # restored on the module, not on the stand-in
    assert not hasattr(module, "ADDED")  # what the patch added is gone again
