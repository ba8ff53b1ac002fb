"""`make bench`: python -m scripts.bench (see __main__.py)."""
