"""data/facts.toml: every changeable fact a page states, where it comes from, and its state.

Each `[fact.NAME]` says what is claimed (`claim`), which pages state it (`pages`, or `files`
for facts only maintainers' files rely on), where it comes from (`url`, and for a repository
`repo` + `paths`), how a machine checks it (`check`, see CHECKS) and when a person last checked
it (`checked`, YYYY-MM-DD). `[rate.usd_jpy]` is the dated reference rate the yen figures use.

The nightly drift job (scripts/drift/, `make drift`) writes reports/drift.json (env DRIFT_REPORT):
a fact whose source changed there is `recheck` here, and a newer ECB rate replaces the
stored one. Shared by the site hook (site_hooks/facts.py) and scripts/drift/; no MkDocs imports.
Mistakes raise RegistryError naming the fact.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

FACTS = "data/facts.toml"
DRIFT_REPORT = ("DRIFT_REPORT", "reports/drift.json")
# check kind -> the fields it needs
CHECKS = {
    "commits": ("repo", "paths"),  # commits to these files since `checked` (GitHub's API)
    "issue": ("repo", "issue"),  # the issue or pull request updated since `checked`
    "pypi": ("package", "value"),  # the newest release on PyPI is still `value`
    "docker": ("image",),  # the image tag exists and no newer official tag of its kind does
    "openapi": ("url", "value"),  # the schema at `url` still hashes to `value`
    "manual": ("how",),  # nothing a machine can read; `how` says what a person checks
}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
RATE_STALE_AFTER = dt.timedelta(days=7)  # ECB publishes every working day; the job nightly


class RegistryError(ValueError):
    """A fact in data/facts.toml that the site cannot cite."""


@dataclass(frozen=True)
class Fact:
    name: str
    claim: str
    label: str
    url: str
    check: str
    checked: dt.date
    pages: tuple[str, ...]
    params: dict
    status: str = "unchecked"  # from the drift report: unchanged, changed, unknown, manual

    @property
    def recheck(self) -> bool:
        return self.status == "changed"


@dataclass(frozen=True)
class Rate:
    """Yen per US dollar on the ECB's reference day `day`."""

    value: float
    day: dt.date
    url: str
    label: str

    def age_days(self, today: dt.date) -> int:
        return (today - self.day).days

    def stale(self, today: dt.date) -> bool:
        return today - self.day > RATE_STALE_AFTER


def _date(where: str, value) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RegistryError(f"{FACTS}: {where}: {value!r} is not a YYYY-MM-DD date") from None


def _fact(name: str, entry: dict) -> Fact:
    where = f"[fact.{name}]"
    if not NAME.match(name):
        raise RegistryError(f"{FACTS}: {where}: names are lower_case_with_underscores")
    missing = [f for f in ("claim", "label", "url", "check", "checked") if not entry.get(f)]
    if missing:
        raise RegistryError(
            f"{FACTS}: {where} has no {', '.join(missing)} (every fact "
            "needs its source and the date it was checked)"
        )
    check = entry["check"]
    if check not in CHECKS:
        raise RegistryError(f"{FACTS}: {where}: check = {check!r}; one of {', '.join(CHECKS)}")
    lacking = [field for field in CHECKS[check] if not entry.get(field)]
    if lacking:
        raise RegistryError(f"{FACTS}: {where}: check = {check!r} needs {', '.join(lacking)}")
    if not str(entry["url"]).startswith("https://"):
        raise RegistryError(f"{FACTS}: {where}: url must be an https:// link")
    pages = tuple(entry.get("pages") or ()) + tuple(entry.get("files") or ())
    if not pages:
        raise RegistryError(f"{FACTS}: {where} names no pages (or files) that state it")
    params = {
        key: entry[key]
        for key in ("repo", "paths", "issue", "package", "value", "image", "how")
        if key in entry
    }
    checked = _date(where, entry["checked"])
    return Fact(
        name,
        entry["claim"],
        entry["label"],
        entry["url"],
        check,
        checked,
        tuple(entry.get("pages") or ()),
        params,
    )


def _rate(entry: dict) -> Rate:
    where = "[rate.usd_jpy]"
    missing = [f for f in ("value", "day", "url", "label", "checked") if not entry.get(f)]
    if missing:
        raise RegistryError(f"{FACTS}: {where} has no {', '.join(missing)}")
    value = entry["value"]
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise RegistryError(f"{FACTS}: {where}: value must be a positive number of yen")
    _date(where, entry["checked"])
    return Rate(float(value), _date(where, entry["day"]), entry["url"], entry["label"])


@dataclass(frozen=True)
class Registry:
    facts: dict[str, Fact]
    rate: Rate


def parse(text: str) -> Registry:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{FACTS}: {error}") from None
    unknown = set(data) - {"fact", "rate"}
    if unknown:
        raise RegistryError(f"{FACTS}: unknown tables {', '.join(sorted(unknown))}")
    facts = {name: _fact(name, entry) for name, entry in (data.get("fact") or {}).items()}
    if "usd_jpy" not in (data.get("rate") or {}):
        raise RegistryError(f"{FACTS}: [rate.usd_jpy] is missing (the yen figures need it)")
    return Registry(facts, _rate(data["rate"]["usd_jpy"]))


def drift_report_path(root: Path) -> Path:
    variable, default = DRIFT_REPORT
    path = Path(os.environ.get(variable) or default)
    return path if path.is_absolute() else root / path


def read_drift(path: Path) -> dict:
    """reports/drift.json, or {} when there is none or it is unreadable."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}


def with_drift(registry: Registry, drift: dict) -> Registry:
    """Each fact with its drift status; the drift job's ECB rate when it is newer."""
    states = drift.get("facts") if isinstance(drift.get("facts"), dict) else {}
    facts = {}
    for name, fact in registry.facts.items():
        state = states.get(name)
        status = state.get("status") if isinstance(state, dict) else None
        # A result about an older check than the registry's says nothing about this one.
        if isinstance(state, dict) and str(state.get("checked")) != fact.checked.isoformat():
            status = None
        facts[name] = _replace_status(fact, status if isinstance(status, str) else "unchecked")
    return Registry(facts, _newer_rate(registry.rate, drift.get("rate")))


def _replace_status(fact: Fact, status: str) -> Fact:
    return Fact(
        fact.name,
        fact.claim,
        fact.label,
        fact.url,
        fact.check,
        fact.checked,
        fact.pages,
        fact.params,
        status,
    )


def _newer_rate(rate: Rate, seen) -> Rate:
    if not isinstance(seen, dict):
        return rate
    value = seen.get("value")
    try:
        day = dt.date.fromisoformat(str(seen.get("day")))
    except ValueError:
        return rate
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 10_000:
        return rate
    return Rate(float(value), day, rate.url, rate.label) if day > rate.day else rate


def load(root: Path) -> Registry:
    """The registry of the project at `root`, with the drift report's findings."""
    registry = parse((root / FACTS).read_text(encoding="utf-8"))
    return with_drift(registry, read_drift(drift_report_path(root)))
