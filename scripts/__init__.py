"""Maintainer scripts: `python -m scripts.bench`, `python -m scripts.lint`, ..."""
