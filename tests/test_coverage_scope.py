"""Coverage runs only around the snippets' own tests (tests/fixtures/coverage.py): a test
anywhere else runs untraced, and the Python processes it starts do not measure themselves."""

from __future__ import annotations

import os

from tests.fixtures.coverage import CONFIG, _controller


def test_a_test_outside_tests_snippets_is_not_measured(request):
    controller = _controller(request.config)
    assert controller is None or not controller.started
    assert CONFIG not in os.environ
