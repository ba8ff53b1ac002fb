"""Shared pytest fixtures live in tests/fixtures/, one module per concern."""

pytest_plugins = [
    "tests.fixtures.fake_runpod",  # the local fake Runpod, SSH key pairs
    "tests.fixtures.site",  # the built site, served on 127.0.0.1
    "tests.fixtures.coverage",  # snippets/ coverage from tests/snippets/ only
    "tests.fixtures.schedule",  # long tests first, spread over the workers
    "tests.fixtures.signals",  # SIGINT is not ignored, even in a background job
]
