"""One check per kind of source in data/facts.toml; each returns a Finding.

- commits  GitHub: commits to any of the cited files dated after the checked day
- issue    GitHub: the issue or pull request updated after the checked day
- pypi     PyPI: the newest release is still the stated version
- docker   Docker Hub: the image tag exists, and no newer release of its kind (same CUDA, same
           Ubuntu) is published
- openapi  the published REST v2 OpenAPI still hashes to the stated value (canonical JSON)
- manual   nothing a machine can read: reported as "manual" with what a person checks

`ecb_rate` reads the ECB's euro reference rates for USD and JPY (its data portal's CSV) and
returns yen per dollar.
A check that gets no usable answer says "unknown": never "unchanged".
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass

import requests

from scripts.drift import web

GITHUB = "https://api.github.com"
PYPI = "https://pypi.org/pypi/{package}/json"
DOCKER_TAGS = "https://hub.docker.com/v2/repositories/{repo}/tags"
# The ECB's euro reference rates (daily, 16:00 CET) for USD and JPY, the latest of each.
ECB_RATES = (
    "https://data-api.ecb.europa.eu/service/data/EXR/D.USD+JPY.EUR.SP00.A"
    "?lastNObservations=3&format=csvdata"
)
IMAGE_TAG = re.compile(r"^(\d+)\.(\d+)\.(\d+)-(cu\d+)-torch(\d+)-(ubuntu\d+)$")


@dataclass(frozen=True)
class Finding:
    status: str  # "unchanged" | "changed" | "unknown" | "manual"
    detail: str
    latest: str | None = None


def _after(day: dt.date) -> str:
    """The first moment after the checked day, as GitHub's `since` wants it."""
    return f"{day + dt.timedelta(days=1)}T00:00:00Z"


def commits(client: requests.Session, fact) -> Finding:
    repo, changed = fact.params["repo"], []
    for path in fact.params["paths"]:
        query = {"path": path, "since": _after(fact.checked), "per_page": 5}
        found = web.get_json(client, f"{GITHUB}/repos/{repo}/commits", query)
        if not isinstance(found, list):
            raise web.Unreachable(f"GitHub answered no commit list for {repo} {path}")
        for item in found:
            sha = str((item or {}).get("sha", ""))[:7]
            date = str(((item or {}).get("commit") or {}).get("committer", {}).get("date", ""))
            changed.append(f"{path} {sha} {date[:10]}")
    if changed:
        return Finding("changed", f"{repo}: commits after {fact.checked}: " + "; ".join(changed))
    return Finding(
        "unchanged", f"{repo}: no commit to {', '.join(fact.params['paths'])} after {fact.checked}"
    )


def issue(client: requests.Session, fact) -> Finding:
    repo, number = fact.params["repo"], fact.params["issue"]
    found = web.get_json(client, f"{GITHUB}/repos/{repo}/issues/{number}")
    updated = str((found or {}).get("updated_at", "")) if isinstance(found, dict) else ""
    try:
        day = dt.datetime.fromisoformat(updated.replace("Z", "+00:00")).date()
    except ValueError:
        raise web.Unreachable(f"GitHub answered no update time for {repo}#{number}") from None
    state = found.get("state", "?")
    if day > fact.checked:
        return Finding("changed", f"{repo}#{number} ({state}) updated {day}, after {fact.checked}")
    return Finding("unchanged", f"{repo}#{number} ({state}) last updated {day}")


def pypi(client: requests.Session, fact) -> Finding:
    package, stated = fact.params["package"], str(fact.params["value"])
    found = web.get_json(client, PYPI.format(package=package))
    latest = ((found or {}).get("info") or {}).get("version") if isinstance(found, dict) else None
    if not isinstance(latest, str) or not latest:
        raise web.Unreachable(f"PyPI answered no version for {package}")
    if latest != stated:
        return Finding(
            "changed", f"{package} {latest} is on PyPI; the guide states {stated}", latest
        )
    return Finding("unchanged", f"{package} {latest} is still the newest on PyPI", latest)


def _release(tag: str) -> tuple[tuple[int, int, int], str, str] | None:
    match = IMAGE_TAG.match(tag)
    if not match:
        return None
    major, minor, patch, cuda, _torch, ubuntu = match.groups()
    return (int(major), int(minor), int(patch)), cuda, ubuntu


def docker(client: requests.Session, fact) -> Finding:
    repo, tag = fact.params["image"].split(":", 1)
    base = DOCKER_TAGS.format(repo=repo)
    code = web.status(client, f"{base}/{tag}")
    if code == 404:
        return Finding("changed", f"{repo}:{tag} is no longer on Docker Hub")
    if code != 200:
        raise web.Unreachable(f"HTTP {code} for {base}/{tag}")
    mine = _release(tag)
    listing = web.get_json(
        client,
        base,
        {"page_size": 100, "ordering": "last_updated", "name": f"-{mine[1]}-" if mine else tag},
    )
    names = [r.get("name", "") for r in (listing or {}).get("results") or [] if isinstance(r, dict)]
    newer = sorted(
        n
        for n in names
        if mine and (rel := _release(n)) and rel[1:] == mine[1:] and rel[0] > mine[0]
    )
    if newer:
        return Finding(
            "changed", f"newer official tags than {tag}: {', '.join(newer[:5])}", newer[-1]
        )
    return Finding("unchanged", f"{repo}:{tag} exists; no newer release of its kind", tag)


def canonical_hash(document) -> str:
    """sha256 of the JSON with sorted keys and no whitespace: formatting cannot change it."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def openapi(client: requests.Session, fact) -> Finding:
    url, stated = fact.url, fact.params["value"]
    digest = canonical_hash(web.get_json(client, url))
    if digest != stated:
        return Finding(
            "changed", f"{url} now hashes to {digest[:12]}… (stated {stated[:12]}…)", digest
        )
    return Finding("unchanged", f"{url} unchanged ({digest[:12]}…)", digest)


def manual(client: requests.Session, fact) -> Finding:
    return Finding("manual", f"a person checks: {fact.params['how']}")


CHECKS = {
    "commits": commits,
    "issue": issue,
    "pypi": pypi,
    "docker": docker,
    "openapi": openapi,
    "manual": manual,
}


def check(client: requests.Session, fact) -> Finding:
    """The fact's check; an unreachable or odd answer is "unknown" with the reason."""
    try:
        return CHECKS[fact.check](client, fact)
    except web.Unreachable as error:
        return Finding("unknown", str(error))


def ecb_rate(client: requests.Session) -> tuple[float, dt.date]:
    """(yen per US dollar, the ECB's reference day): JPY per euro ÷ USD per euro, both of the
    newest day that has both."""
    answer = web.get(client, ECB_RATES)
    rates: dict[str, dict[str, float]] = {}
    try:
        for row in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))):
            rates.setdefault(row["TIME_PERIOD"], {})[row["CURRENCY"]] = float(row["OBS_VALUE"])
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, csv.Error):
        raise web.Unreachable("the ECB's answer is not its CSV of rates") from None
    days = sorted(
        (day for day, found in rates.items() if {"USD", "JPY"} <= set(found)), reverse=True
    )
    try:
        day = days[0]
        usd, jpy, reference = rates[day]["USD"], rates[day]["JPY"], dt.date.fromisoformat(day)
    except (IndexError, ValueError):
        raise web.Unreachable("the ECB's answer has no day with both USD and JPY") from None
    if usd <= 0 or jpy <= 0:
        raise web.Unreachable("the ECB's answer has a rate that is not positive")
    return round(jpy / usd, 2), reference
