"""`python -m scripts.drift`: check every fact's source, write reports/drift.json, say what changed.

The report:
    {"schema": 1, "checked_at": "2026-12-07T04:50:00Z",
     "facts": {NAME: {"status", "detail", "checked", "check", "latest"?}},
     "rate": {"value": 157.1, "day": "2026-12-05", "source": ECB URL} | {"status": "unknown", ...},
     "notices": ["runpod 1.13.0 is on PyPI ..."]}
`checked` repeats the fact's date, so the site ignores a finding about an older check.
Exit status: 0 all sources unchanged (or manual), 1 a source changed or could not be checked
(the nightly job fails so that a maintainer looks), 2 the registry itself is broken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from scripts.drift import checks, web
from site_hooks import factbook

ROOT = Path(__file__).resolve().parents[2]
SDK_FACT = "runpod_sdk"  # a newer runpod release may let the pod snippets use the SDK again


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def rate_entry(client) -> dict:
    try:
        value, day = checks.ecb_rate(client)
    except web.Unreachable as error:
        return {"status": "unknown", "detail": str(error)}
    return {"status": "read", "value": value, "day": day.isoformat(), "source": checks.ECB_RATES}


def notices(findings: dict[str, checks.Finding]) -> list[str]:
    sdk = findings.get(SDK_FACT)
    if sdk is not None and sdk.status == "changed":
        return [
            f"runpod {sdk.latest} is on PyPI (the guide states 1.12.0): check whether its "
            "REST v2 pod calls can replace the guide's own (snippets/pod.py)."
        ]
    return []


def build_report(registry: factbook.Registry, client) -> dict:
    findings = {name: checks.check(client, fact) for name, fact in registry.facts.items()}
    facts = {}
    for name, finding in findings.items():
        fact = registry.facts[name]
        facts[name] = {
            "status": finding.status,
            "detail": finding.detail,
            "checked": fact.checked.isoformat(),
            "check": fact.check,
        }
        if finding.latest is not None:
            facts[name]["latest"] = finding.latest
    return {
        "schema": 1,
        "checked_at": utc_now(),
        "facts": facts,
        "rate": rate_entry(client),
        "notices": notices(findings),
    }


def summary(report: dict) -> tuple[list[str], int]:
    """One line per fact and the rate, then the notices; and the exit status."""
    lines, bad = [], 0
    for name, entry in sorted(report["facts"].items()):
        lines.append(f"{entry['status']:9} {name}: {entry['detail']}")
        bad += entry["status"] in ("changed", "unknown")
    rate = report["rate"]
    if rate["status"] == "read":
        lines.append(f"{'read':9} usd_jpy: {rate['value']} yen per dollar on {rate['day']} (ECB)")
    else:
        lines.append(f"{'unknown':9} usd_jpy: {rate['detail']}")
        bad += 1
    lines += [f"notice    {text}" for text in report["notices"]]
    return lines, (1 if bad else 0)


def write(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    temporary.replace(path)


def main(argv: list[str] | None = None, client=None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.drift", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the report (default: $DRIFT_REPORT or reports/drift.json)",
    )
    args = parser.parse_args(argv)
    try:
        registry = factbook.parse((root / factbook.FACTS).read_text(encoding="utf-8"))
    except (OSError, factbook.RegistryError) as error:
        print(f"drift: {error}", file=sys.stderr)
        return 2
    report = build_report(registry, client or web.session())
    out = args.out or factbook.drift_report_path(root)
    try:
        write(report, out)
    except OSError as error:
        print(f"drift: cannot write {out}: {error.strerror}", file=sys.stderr)
        return 2
    lines, code = summary(report)
    print("\n".join(lines))
    changed = sum(e["status"] == "changed" for e in report["facts"].values())
    print(f"drift: {len(report['facts'])} facts, {changed} changed; report in {out}")
    return code
