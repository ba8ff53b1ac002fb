"""HTTP for the drift checks: one requests Session, time limits, a few retries.

Every request has a connect and read timeout; 429/5xx and dropped connections are retried
twice with a short backoff (urllib3's Retry). Any failure after that raises Unreachable with a
short reason, which the checks report as "unknown". GITHUB_TOKEN (the workflow's own token,
for GitHub's higher rate limit) is sent to api.github.com and nowhere else.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = (10, 30)  # seconds: connect, read
GITHUB_API = "api.github.com"
USER_AGENT = "runpod-kaggle-guide-drift (+https://github.com/runpod-kaggle/guide)"


class Unreachable(RuntimeError):
    """The source did not give a usable answer (network, HTTP status, not the expected shape)."""


def session(backoff: float = 1.0) -> requests.Session:
    retry = Retry(
        total=2,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=("GET",),
        respect_retry_after_header=False,
    )
    client = requests.Session()
    client.mount("https://", HTTPAdapter(max_retries=retry))
    client.headers["User-Agent"] = USER_AGENT
    return client


def _headers(url: str) -> dict[str, str]:
    headers = {}
    if urlsplit(url).hostname == GITHUB_API:
        headers["Accept"] = "application/vnd.github+json"
        token = os.environ.get("GITHUB_TOKEN", "").strip()
        if token:
            headers["Authorization"] = f"Bearer {token}"
    return headers


def _fetch(client: requests.Session, url: str, params: dict | None) -> requests.Response:
    if not url.startswith("https://"):
        raise Unreachable(f"refusing a non-https URL: {url}")
    try:
        return client.get(url, params=params, headers=_headers(url), timeout=TIMEOUT)
    except requests.exceptions.RetryError as error:  # still 429/5xx after the retries
        code = re.search(r"too many (\d{3}) error", str(error))
        raise Unreachable(f"HTTP {code[1] if code else '5xx'} for {url} (retried)") from None
    except requests.RequestException as error:
        raise Unreachable(f"{type(error).__name__} for {url}") from None


def get(client: requests.Session, url: str, params: dict | None = None) -> requests.Response:
    """GET over https; raises Unreachable for anything but a 2xx answer (404 included)."""
    answer = _fetch(client, url, params)
    if not answer.ok:
        raise Unreachable(f"HTTP {answer.status_code} for {url}")
    return answer


def get_json(client: requests.Session, url: str, params: dict | None = None):
    answer = get(client, url, params)
    try:
        return answer.json()
    except ValueError:
        raise Unreachable(f"not JSON from {url}") from None


def status(client: requests.Session, url: str) -> int:
    """The HTTP status of a GET (404 is an answer, not a failure); Unreachable otherwise."""
    return _fetch(client, url, None).status_code
