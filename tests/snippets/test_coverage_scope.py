"""The snippets' own tests are measured, and so are the Python processes they start
(tests/fixtures/coverage.py): `make test` asks for 100 % of snippets/."""

from __future__ import annotations

import os

import pytest

from tests.fixtures.coverage import CONFIG, _controller


def test_a_snippet_test_is_measured_with_its_subprocesses(request):
    controller = _controller(request.config)
    if controller is None:
        pytest.skip("run without --cov")
    assert controller.started
    assert CONFIG in os.environ
