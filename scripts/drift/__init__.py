"""The drift watch: notice when a source of a fact the guide states has changed.

`make drift` (`python -m scripts.drift`) reads data/facts.toml (site_hooks/factbook.py),
checks every source a machine can check, and writes reports/drift.json (env DRIFT_REPORT):

- checks.py   one function per kind of source (GitHub commits or issue, PyPI, Docker Hub,
              the REST v2 OpenAPI, the ECB rate), each returning a Finding
- web.py      the HTTP client: requests with time limits and retries; the GitHub token, when
              set, goes to api.github.com only
- run.py      runs the checks, writes the report, prints one line per fact, and decides the
              exit status (1 when a source changed or could not be checked)

A source that cannot be reached is "unknown", never "unchanged". The site build reads the
report: a changed fact shows 「要再確認」, and the newer ECB rate replaces the stored one.
Network only here and in the nightly workflow (.github/workflows/drift.yml); tests feed
recorded answers (tests/drift/).
"""
