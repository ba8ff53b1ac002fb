"""The offline test suite. It mirrors the tree: tests/snippets, tests/fake_runpod, tests/live..."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the repository root
